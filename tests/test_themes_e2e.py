"""The theme tagger in the bot: an admin's correction teaches it, at once and after a restart,
/themes says why, and a forgotten person's corrected text goes with them."""

from __future__ import annotations

import json

from bot.config import Settings
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    ADMIN_ID,
    RunningBot,
    all_handled,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
)

NEED = "The lads from the youth club keep kicking footballs at our window on a Tuesday night"
SAME_AGAIN = "The lads from the youth club keep kicking footballs at our windows on Tuesday nights"


def themes_of(settings: Settings, need_id: int) -> list[str]:
    [(themes,)] = rows(settings, "SELECT themes FROM needs WHERE id = ?", need_id)
    loaded: list[str] = json.loads(str(themes))
    return loaded


async def test_a_retag_teaches_the_tagger_now_and_after_a_restart(
    member: SimUser, sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    await sign_up(member)
    await voice_a_need(member, NEED)
    assert "localised_commissioning" not in themes_of(settings, 1)
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/retag N-0001 localised_commissioning")
    retagged = await message_saying(admin, "N-0001 is now tagged")
    assert retagged.text.startswith("N-0001 is now tagged: Localised")

    await voice_a_need(member, SAME_AGAIN)  # near-identical: tagged as corrected
    assert themes_of(settings, 2) == ["localised_commissioning"]

    await bot.restart()  # the correction was stored: it still counts
    await voice_a_need(member, SAME_AGAIN + "!")
    assert themes_of(settings, 3) == ["localised_commissioning"]


async def test_themes_says_why_a_need_has_its_themes(
    member: SimUser, sim: SimulatorClient, bot: RunningBot
) -> None:
    await sign_up(member)
    await voice_a_need(member, "We need more volunteers to help run the Saturday stay and play")
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/themes N-0001")
    why = (await message_saying(admin, "N-0001: ")).text
    assert why.startswith("N-0001: Community engagement (found by the tagger)"), why
    assert "Nearest example" in why
    await admin.send("/retag N-0001 none")
    await message_saying(admin, "N-0001 is now tagged: no themes.")
    await admin.send("/themes N-0001")
    no_theme = await message_saying(admin, "N-0001: no theme")
    assert no_theme.text.startswith("N-0001: no theme (set by an admin")
    await admin.send("/themes N-0404")
    missing = await message_saying(admin, "There is no need or answer N-0404.")
    assert missing.text == "There is no need or answer N-0404."
    await admin.send("/themes")
    usage = await message_saying(admin, "Use: /themes REFERENCE")
    assert usage.text.startswith("Use: /themes REFERENCE")
    await member.send("/themes N-0001")
    refused = await message_saying(member, "This command is for programme admins.")
    assert refused.text == "This command is for programme admins."


async def test_a_forgotten_persons_corrected_text_goes_with_them(
    member: SimUser, sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    await sign_up(member)
    await voice_a_need(member, NEED)
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/retag N-0001 partnership_working")
    await message_saying(admin, "N-0001 is now tagged: Partnership working")
    assert rows(settings, "SELECT user_id FROM theme_examples") == [(member.user_id,)]
    await member.send("/forget")
    await message_saying(member, "It can't be undone. Are you sure?")
    await member.press("Yes, erase my data")
    await message_saying(member, "have been erased.", replies=True)
    await all_handled(settings)
    kept_anonymously = settings.programme.keep_anonymous_contributions
    expected = [(None,)] if kept_anonymously else []
    assert rows(settings, "SELECT user_id FROM theme_examples") == expected
