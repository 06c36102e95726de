"""The commissioners' needs inbox: each sees the needs of their own areas, opens one, replies,
and the member who raised it hears back ("you said, we did")."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.context import SERVICES_KEY, Services
from bot.simulator import BotApiEmulator, SimulatorClient
from tests.harness import (
    ADMIN_ID,
    COMMISSIONER_ID,
    RunningBot,
    all_handled,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
    with_two_areas,
)

KNOWSLEY_COMMISSIONER = COMMISSIONER_ID


@pytest.fixture
def two_areas(settings: Settings) -> Settings:
    return with_two_areas(settings)


@pytest.fixture
async def two_area_bot(two_areas: Settings, emulator: BotApiEmulator) -> AsyncIterator[RunningBot]:
    running = RunningBot(two_areas)
    await running.start()
    yield running
    await running.stop()


def sender_of(bot: RunningBot) -> Services:
    assert bot.application is not None
    found: Services = bot.application.bot_data[SERVICES_KEY]
    return found


async def test_a_commissioner_sees_their_areas_needs_replies_and_the_member_hears_back(
    sim: SimulatorClient, two_areas: Settings, two_area_bot: RunningBot
) -> None:
    maya = sim.user(1001, "Maya")
    sam = sim.user(2001, "Sam")
    await sign_up(maya)
    await sign_up(sam, area="St Helens")
    await voice_a_need(
        maya, "No baby weighing clinic in Kirkby since the summer", place="Knowsley: Kirkby"
    )
    await voice_a_need(
        sam, "The Parr youth club closed and teenagers have nowhere to go", place="St Helens: Parr"
    )

    chris = sim.user(KNOWSLEY_COMMISSIONER, "Chris")
    await chris.send("/needs")
    inbox = await message_saying(chris, "Needs raised in your areas")
    assert "N-0001" in inbox.text
    assert "baby weighing" in inbox.text
    assert "N-0002" not in inbox.text
    assert "Parr" not in inbox.text
    assert inbox.labels()[0] == "Open N-0001"

    await chris.press("Open N-0001")
    need = await message_saying(chris, "N-0001")
    assert "No baby weighing clinic in Kirkby since the summer" in need.text
    assert "Voluntary or community group" in need.text  # the organisation's sector
    assert need.labels() == ["Acknowledge", "Reply", "Mark done"]

    await chris.press("Acknowledge")
    await message_saying(chris, "Chris, commissioner for Knowsley read it")  # shown again
    await sender_of(two_area_bot).sender.drain()
    read = await message_saying(maya, "Your need N-0001")
    assert read.text == (
        "Your need N-0001 (No baby weighing clinic in Kirkby since the summer): "
        "Chris, commissioner for Knowsley, has read it."
    )

    await chris.press("Reply")
    await message_saying(chris, "Type your reply to N-0001")
    await chris.send("We are reopening the clinic at Kirkby Centre on Tuesdays from March.")
    await message_saying(chris, "Your reply to N-0001 is on its way")
    await sender_of(two_area_bot).sender.drain()
    replied = await message_saying(maya, "replied")
    assert replied.text.endswith(
        "Chris, commissioner for Knowsley, replied:\n\n"
        "We are reopening the clinic at Kirkby Centre on Tuesdays from March."
    )
    await maya.send("/needs")
    mine = await message_saying(maya, "Your needs")
    assert "A commissioner has replied" in mine.text
    assert "reopening the clinic" in mine.text

    # St Helens' need never reaches Knowsley's commissioner, even by a forged button.
    await chris.press(data="inbox:2", message_id=inbox.message_id, force=True)
    assert (await message_saying(chris, "not in your areas")).text.startswith("That need")
    await all_handled(two_areas)
    assert rows(two_areas, "SELECT chat_id FROM outbox ORDER BY id") == [(1001,), (1001,)]
    assert rows(two_areas, "SELECT status FROM needs ORDER BY id") == [("responded",), ("new",)]


async def test_filters_and_pages_and_mark_done(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    maya = sim.user(1001, "Maya")
    await sign_up(maya)
    for n in range(12):
        await voice_a_need(maya, f"Need number {n}: more sessions for dads on Saturdays")
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/needs")
    first = await message_saying(admin, "Needs raised in every area")
    assert "Page 1 of 2" in first.text
    assert "N-0012" in first.text
    assert "N-0002" not in first.text
    await admin.press("Older")
    second = await admin.next_reply()
    assert second.edited
    assert "N-0002" in second.text
    assert "N-0001" in second.text

    await admin.press("Open N-0001")
    await message_saying(admin, "N-0001")
    await admin.press("Mark done")
    await message_saying(admin, "done")
    await admin.send("/needs")
    await message_saying(admin, "Needs raised in every area")
    await admin.press("Status")
    await admin.next_reply()
    await admin.press("done")
    only_done = await admin.next_reply()
    assert "Showing only: status done" in only_done.text
    assert "N-0001" in only_done.text
    assert "N-0002" not in only_done.text


async def test_a_member_cannot_open_the_inbox(sim: SimulatorClient, bot: RunningBot) -> None:
    maya = sim.user(1001, "Maya")
    await sign_up(maya)
    await voice_a_need(maya, "Our hall roof leaks when it rains hard")
    await maya.send("/needs")
    mine = await message_saying(maya, "Your needs")
    assert "N-0001" in mine.text
    answer = await maya.press(data="inbox:l:0.0.0.0.0", message_id=mine.message_id, force=True)
    assert (await maya.answer_to(answer))[
        "text"
    ] == "This command is for commissioners and programme admins."
    await maya.press(data="inbox:1", message_id=mine.message_id, force=True)
    await message_saying(maya, "not in your areas")


async def test_the_evidence_is_sent_again_and_a_forgotten_member_is_told_nothing(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    maya = sim.user(1001, "Maya")
    await sign_up(maya)
    await maya.send("/menu")
    await message_saying(maya, "What would you like to do?")
    await maya.press("Voice a local need")
    await message_saying(maya, "Step 1 of 6")
    await maya.press("Kirkby")
    await message_saying(maya, "Step 2 of 6")
    await maya.send("The toddler group's hall has damp on every wall")
    await message_saying(maya, "Step 3 of 6")
    await maya.press("Families")
    await maya.next_reply()
    await maya.press("Done")
    await message_saying(maya, "Step 4 of 6")
    await maya.send_photo(caption="the back wall in October")
    await message_saying(maya, "Step 5 of 6")
    await maya.press("High")
    await message_saying(maya, "Step 6 of 6")
    await maya.press("No")
    await message_saying(maya, "Check your answers")
    await maya.press("Confirm and send")
    await message_saying(maya, "Your need is recorded as N-0001")

    chris = sim.user(1002, "Chris")
    await chris.send("/needs")
    await message_saying(chris, "Needs raised in your areas")
    await chris.press("Open N-0001")
    whole = await message_saying(chris, "N-0001")
    assert "How they know: the back wall in October" in whole.text
    evidence = await message_saying(chris, "Their evidence")
    assert evidence.has_photo

    await maya.send("/forget")
    await message_saying(maya, "Are you sure?")
    await maya.press("Yes, erase my data")
    await maya.next_reply()
    await all_handled(settings, sim)
    await chris.press("Reply")
    await message_saying(chris, "Type your reply to N-0001")
    await chris.send("We have asked the landlord to fix it.")
    on_its_way = await message_saying(chris, "Your reply to N-0001")
    assert on_its_way.text.endswith("nobody: they have left.")
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]
