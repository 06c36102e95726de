"""Voicing a need and answering the two challenges, end to end, with wrong input on every
step; what is stored; /needs; and the admins' /retag."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.config import Settings
from bot.context import SERVICES_KEY
from bot.simulator import SimulatorClient, SimUser
from conversations.challenges import AT_LEAST_ONE
from storage.contributions import NewNeed
from tests.harness import ADMIN_ID, RunningBot, message_saying, rows, sign_up, voice_a_need


async def expect_note(user: SimUser, title: str, step: str, note: str) -> None:
    # A new message, or the pressed one edited; the stale copy is gone.
    again = await message_saying(user, f"{title} · Step {step}\n{note}", replies=True)
    assert again.text.startswith(f"{title} · Step {step}\n{note}"), again.text


async def test_voicing_a_need_with_wrong_input_on_every_step(
    member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await member.send("/menu")
    menu = await message_saying(member, "What would you like to do?")
    assert menu.labels()[:4] == [
        "Take the confidence survey (1 minute)",
        "Voice a local need",
        "Challenge 1",
        "Challenge 2",
    ]
    await member.press("Voice a local need")
    intro = await message_saying(member, "Tell us about something children")
    assert intro.text.startswith("Tell us about something children")
    where = await message_saying(member, "Voice a local need · Step 1 of 6")
    assert where.labels()[:7] == [
        "Huyton",
        "Kirkby",
        "Prescot",
        "Whiston",
        "Halewood",
        "Stockbridge",
        "Across Knowsley",
    ]
    title = "Voice a local need"
    await member.send_sticker()
    await expect_note(member, title, "1 of 6", "I can't use a sticker here: please tap one")
    await member.press("Huyton")

    await message_saying(member, "Voice a local need · Step 2 of 6")
    await member.send("short")
    await expect_note(member, title, "2 of 6", "That's a bit short: please write at least 10")
    await member.send("y" * 3000)
    # theirs, to copy and shorten
    assert (await message_saying(member, "y" * 3000)).text == "y" * 3000
    await expect_note(member, title, "2 of 6", "That's 3,000 characters, and this question takes")
    await member.send_voice()
    await expect_note(member, title, "2 of 6", "I can't use a voice note here: please type")
    await member.send(
        "We need more volunteers for the Saturday stay and play, we keep having to cancel"
    )

    await message_saying(member, "Voice a local need · Step 3 of 6")
    await member.press("Done")
    await expect_note(member, title, "3 of 6", "Please choose at least one first.")
    await member.press("Parents and carers")
    await message_saying(member, "Voice a local need · Step 3 of 6", replies=True)  # ticked
    await member.press("Babies and under-fives")
    await message_saying(member, "Voice a local need · Step 3 of 6", replies=True)  # ticked
    await member.press("Done")

    await message_saying(member, "Voice a local need · Step 4 of 6")
    await member.send_sticker()
    await expect_note(member, title, "4 of 6", "I can't use a sticker here: please send a photo")
    await member.send_photo(caption="Our sign-up sheet")

    await message_saying(member, "Voice a local need · Step 5 of 6")
    await member.send("urgent!!")
    await expect_note(member, title, "5 of 6", "Please tap one of the buttons")
    await member.press("High")
    await message_saying(member, "Voice a local need · Step 6 of 6")
    await member.press("Yes, with support")
    summary = await message_saying(member, "Voice a local need · Check your answers")
    assert summary.text.splitlines()[2:] == [
        "1. Where: Huyton",
        "2. The need: We need more volunteers for the Saturday stay and play, we keep having "
        "to cancel",
        "3. Who is affected: Parents and carers, Babies and under-fives",
        "4. How you know: Our sign-up sheet",
        "5. How urgent: High",
        "6. Could your group help: Yes, with support",
    ]
    await member.press("Confirm and send")
    thanks = await message_saying(member, "Your need is recorded")
    assert thanks.text.startswith("Thank you. Your need is recorded as N-0001.")
    menu = await message_saying(member, "What would you like to do?")
    assert menu.text == "What would you like to do?"

    [stored] = rows(
        settings,
        "SELECT user_id, area, neighbourhood, affected, evidence, urgency, can_help, themes,"
        " status FROM needs",
    )
    assert stored[:3] == (1001, "knowsley", "Huyton")
    assert json.loads(str(stored[3])) == ["parents_carers", "under_fives"]
    evidence = json.loads(str(stored[4]))
    assert evidence["kind"] == "photo"
    assert evidence["text"] == "Our sign-up sheet"
    assert stored[5:7] == ("high", "with_support")
    assert "community_engagement" in json.loads(str(stored[7]))
    assert stored[8] == "new"

    await member.send("/needs")
    listing = (await message_saying(member, "Your needs:")).text
    assert listing.startswith("Your needs:\n\nN-0001 · Huyton · ")
    assert "We need more volunteers for the Saturday stay and play" in listing
    assert listing.endswith("New: waiting for a commissioner to read it")


async def test_needs_lists_nothing_yet_with_a_way_to_start(member: SimUser) -> None:
    await sign_up(member)
    await member.send("/needs")
    empty = await message_saying(member, "You haven't voiced any needs yet.")
    assert empty.text == "You haven't voiced any needs yet."
    await member.press("Voice a local need")
    intro = await message_saying(member, "Tell us about something children")
    assert intro.text.startswith("Tell us about something children")


async def test_challenge_1_takes_lists_and_every_answer_is_kept(
    member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    for round_number in (1, 2):
        await member.send("/menu")
        await message_saying(member, "What would you like to do?")
        await member.press("Challenge 1")
        intro = await message_saying(member, "Challenge 1: ")
        assert intro.text.startswith(
            "Challenge 1: For a collaborative working model (social enterprise) what are the "
            "three essential things"
        )
        worked = await message_saying(member, "Challenge 1 · Step 1 of 2")
        assert "Step 1 of 2" in worked.text
        await member.send_sticker()
        await expect_note(member, "Challenge 1", "1 of 2", "I can't use a sticker here")
        items = ("Shared use of the centre", "A named contact", "Small grants")
        for count, item in enumerate(items, 1):
            await member.send(f"{item} ({round_number})")
            if item != "Small grants":
                await message_saying(member, f"Got it ({count} of up to 3).")
        # three items move on by themselves
        needed = await message_saying(member, "Challenge 1 · Step 2 of 2")
        assert "Step 2 of 2" in needed.text
        await member.send_photo()
        await expect_note(member, "Challenge 1", "2 of 2", "I can't use a photo here")
        await member.send("Help with tendering")
        await message_saying(member, "Got it (1 of up to 3).")
        await member.press("Done")
        summary = await message_saying(member, "Challenge 1 · Check your answers")
        assert "2. Needed for the future: Help with tendering" in summary.text
        await member.press("Confirm and send")
        thanks = await message_saying(member, "your answer to Challenge 1 is saved")
        assert thanks.text.startswith(
            f"Thank you: your answer to Challenge 1 is saved as C-000{round_number}."
        )
        await message_saying(member, "What would you like to do?")
    stored = rows(settings, "SELECT challenge, sector, answers FROM challenge_answers")
    assert len(stored) == 2
    assert stored[0][:2] == ("challenge_1", "vcs")
    assert json.loads(str(stored[1][2])) == {
        "worked": ["Shared use of the centre (2)", "A named contact (2)", "Small grants (2)"],
        "needed": ["Help with tendering"],
    }


async def test_challenge_2_needs_at_least_one_answer(member: SimUser, settings: Settings) -> None:
    await sign_up(member)
    await member.send("/menu")
    await message_saying(member, "What would you like to do?")
    await member.press("Challenge 2")
    await message_saying(member, "Challenge 2: ")  # intro
    await message_saying(member, "Challenge 2 · Step 1 of 3")
    await member.send_sticker()
    await expect_note(member, "Challenge 2", "1 of 3", "I can't use a sticker here")
    await member.send("z" * 3000)
    assert (await message_saying(member, "z" * 3000)).text == "z" * 3000
    await expect_note(member, "Challenge 2", "1 of 3", "That's 3,000 characters")
    await member.press("Skip")
    for step in (2, 3):
        question = await message_saying(member, f"Challenge 2 · Step {step} of 3")
        assert question.labels()[-3:] == ["Back", "Skip", "Cancel"]
        await member.press("Skip")
    # Every part skipped: asked for one at the last part, before any summary.
    refused = await message_saying(member, AT_LEAST_ONE, replies=True)
    assert refused.text.startswith(f"Challenge 2 · Step 3 of 3\n{AT_LEAST_ONE}"), refused.text
    assert "Check your answers" not in refused.text
    await member.press("Back")
    await message_saying(member, "Step 2 of 3")
    await member.send("Tell us early what you plan to commission, in plain English")
    await message_saying(member, "Step 3 of 3")
    await member.press("Skip")
    await message_saying(member, "Check your answers", replies=True)
    await member.press("Confirm and send")
    assert (await message_saying(member, "your answer to Challenge 2 is saved")).text.startswith(
        "Thank you: your answer to Challenge 2 is saved as C-0001."
    )
    [(answers,)] = rows(settings, "SELECT answers FROM challenge_answers")
    assert json.loads(str(answers)) == {
        "voice_need": None,
        "enable_commissioning": "Tell us early what you plan to commission, in plain English",
        "capacity": None,
    }


async def test_retag_is_for_admins_and_the_override_is_kept(
    member: SimUser, sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    await sign_up(member)
    assert (await voice_a_need(member, "Nowhere to park the buggies at the centre")).startswith(
        "Thank you. Your need is recorded as N-0001."
    )
    await member.send("/retag N-0001 partnership_working")
    refused = await message_saying(member, "This command is for programme admins.")
    assert refused.text == "This command is for programme admins."
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/retag N-0001 partnership_working,localised_commissioning")
    assert (await message_saying(admin, "N-0001 is now tagged")).text == (
        "N-0001 is now tagged: Partnership working, Localised commissioning. "
        "This stays as you set it."
    )
    assert rows(settings, "SELECT themes, themes_by_admin FROM needs") == [
        ('["partnership_working", "localised_commissioning"]', 1)
    ]
    await admin.send("/retag N-0001 parking")
    unknown = await message_saying(admin, "Unknown theme: parking.")
    assert unknown.text.startswith("Unknown theme: parking. Use: /retag")
    await admin.send("/retag N-0099 none")
    missing = await message_saying(admin, "There is no need or answer N-0099.")
    assert missing.text == "There is no need or answer N-0099."
    await admin.send("/retag")
    usage = await message_saying(admin, "Use: /retag REFERENCE")
    assert usage.text.startswith("Use: /retag REFERENCE")
    await admin.send("/retag n-0001 none")
    untagged = await message_saying(admin, "N-0001 is now tagged: no themes.")
    assert untagged.text.startswith("N-0001 is now tagged: no themes.")


async def test_many_needs_fit_one_message(member: SimUser, bot: RunningBot) -> None:
    await sign_up(member)
    assert bot.application is not None
    core = bot.application.bot_data[SERVICES_KEY].core
    for number in range(1, 41):
        await core.contributions.add_need(
            NewNeed(
                draft_id=10_000 + number,
                user_id=member.user_id,
                area="knowsley",
                neighbourhood="Prescot",
                description=f"Need number {number}: " + "a long description " * 60,
                affected=["families"],
                evidence=None,
                urgency="low",
                can_help="no",
                themes=[],
            ),
            datetime.now(UTC),
        )
    await member.send("/needs")
    listing = (await message_saying(member, " of your 40 needs:")).text
    shown = listing.split("\n\n")
    assert shown[0].startswith("The latest ")
    assert shown[0].endswith(" of your 40 needs:")
    latest = int(shown[0].split()[2])
    assert 15 <= latest < 40  # as many as fit, newest last
    assert shown[1].startswith(f"N-{41 - latest:04d} · Prescot")
    assert shown[-1].startswith("N-0040 · Prescot")
    assert len(listing) <= 4096
