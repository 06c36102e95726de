"""Onboarding end to end: consent, the profile form, what is (and is not) stored."""

from __future__ import annotations

from bot.config import Settings
from bot.features.membership.handlers import AGREE, NOT_NOW, NOT_NOW_REPLY
from bot.simulator import SimUser
from conversations.engine import EARLIER_BUTTON
from tests.harness import RunningBot, message_saying, rows, sign_up


async def test_full_onboarding_stores_the_profile(member: SimUser, settings: Settings) -> None:
    await member.send("/start")
    notice = await message_saying(member, "Are you happy to go ahead?")
    assert notice.labels() == [AGREE, NOT_NOW]
    await member.press(AGREE)
    intro = await message_saying(member, "Four quick questions")
    assert intro.text == "Four quick questions about you and your group."
    name = await message_saying(member, "What should we call you?")
    assert name.text.startswith("Your profile · Step 1 of 4\n\nWhat should we call you?")
    assert name.labels() == ["Use “Maya”", "Cancel"]
    await member.send("Maya Jones")
    organisation = await message_saying(member, "Step 2 of 4")
    assert "Step 2 of 4" in organisation.text
    assert organisation.labels() == ["Back", "Cancel"]
    await member.send("Kirkby Mums' Group")
    sector = await message_saying(member, "Step 3 of 4")
    assert sector.labels()[:4] == [
        "Voluntary or community group",
        "Children's centre",
        "Local authority",
        "Other",
    ]
    await member.press("Children's centre")
    area = await message_saying(member, "Step 4 of 4")
    answered = await member.next_edit(sector.message_id)
    assert answered.text.endswith(
        "Which of these best describes your organisation?\n\n✓ Children's centre"
    )
    assert answered.labels() == []
    await member.press("Knowsley")
    summary = await message_saying(member, "Your profile · Check your answers")
    assert summary.text.splitlines()[2:] == [
        "1. Name: Maya Jones",
        "2. Organisation: Kirkby Mums' Group",
        "3. Sector: Children's centre",
        "4. Area: Knowsley",
    ]
    assert summary.labels() == ["Save", "Change an answer", "Cancel"]
    await member.press("Save")
    signed_up = await message_saying(member, "you're signed up")
    assert signed_up.text == "Thank you, Maya Jones: you're signed up."
    menu = await message_saying(member, "What would you like to do?")
    assert "My profile" in menu.labels()
    assert area.message_id < summary.message_id
    assert rows(
        settings,
        "SELECT name, organisation, sector, area, consent_version, follow_ups,"
        " onboarded_at IS NOT NULL FROM participants",
    ) == [("Maya Jones", "Kirkby Mums' Group", "childrens_centre", "knowsley", 1, 1, 1)]
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_refusing_consent_stores_nothing(
    member: SimUser, settings: Settings, bot: RunningBot
) -> None:
    await member.send("/start")
    await message_saying(member, "Are you happy to go ahead?")
    await member.press(NOT_NOW)
    assert (await message_saying(member, NOT_NOW_REPLY)).text == NOT_NOW_REPLY
    await member.send("Just looking")
    await message_saying(member, "To take part in the programme, send /start.")
    await bot.stop()
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]
    # The inbox keeps only the ids of handled updates, not what they said.
    assert rows(settings, "SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL") == [(0,)]


async def test_sign_up_helper_reaches_the_menu(member: SimUser) -> None:
    menu = await sign_up(member)
    assert menu.text == "What would you like to do?"
    assert menu.labels()[-2:] == ["My profile", "Privacy and my data"]


async def test_a_button_from_an_earlier_question_re_asks_the_current_one(
    member: SimUser,
) -> None:
    await member.send("/start")
    await message_saying(member, "Are you happy to go ahead?")
    await member.press(AGREE)
    await message_saying(member, "Four quick questions about you and your group.")
    name = await message_saying(member, "What should we call you?")
    await member.send("Maya")
    await message_saying(member, "Step 2 of 4")
    await member.press(data=name.button_data[0][0], message_id=name.message_id, force=True)
    again = await message_saying(member, EARLIER_BUTTON)
    assert again.text.startswith(f"Your profile · Step 2 of 4\n{EARLIER_BUTTON}")
