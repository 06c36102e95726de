"""/broadcast: the text typed next, the audience by buttons, a preview with the number of
recipients, Confirm or Cancel; one outbox row per recipient, never to people who sent /stop;
the admin hears how it went once every message is settled."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.features.broadcast.handlers import GONE
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    RunningBot,
    answers_to,
    message_saying,
    rows,
    sign_up,
)

TYPE_IT = "Type the message to send"
WHO = "Who should get it?"
TEXT = "Workshop moved to Thursday <10am> & tea provided"


pytestmark = pytest.mark.two_areas


async def people(sim: SimulatorClient) -> dict[str, SimUser]:
    """Three members in Knowsley (one of whom sent /stop) and one in St Helens."""
    found = {
        "maya": sim.user(2101, "Maya"),
        "nia": sim.user(2102, "Nia"),
        "omar": sim.user(2103, "Omar"),
        "sam": sim.user(2104, "Sam"),
    }
    for name, person in found.items():
        await sign_up(person, area="St Helens" if name == "sam" else "Knowsley")
    await found["omar"].send("/stop")
    await message_saying(found["omar"], "no more reminders")
    return found


async def type_broadcast(admin: SimUser, text: str = TEXT) -> None:
    await admin.send("/broadcast")
    await message_saying(admin, TYPE_IT)
    await admin.send(text)
    await message_saying(admin, WHO)


async def test_a_broadcast_to_an_area_counts_delivered_and_blocked(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    found = await people(sim)
    await type_broadcast(admin)
    await admin.press("An area")
    await message_saying(admin, "Which one?", replies=True)
    await admin.press("Knowsley")
    preview = await message_saying(admin, "Broadcast 1", replies=True)
    assert "to people in Knowsley: 2 people" in preview.text
    assert TEXT in preview.text
    assert preview.labels() == ["Send to 2 people", "Cancel"]
    await sim.inject_fault("sendMessage", "blocked", chat_id=2102)
    await admin.press("Send to 2 people")
    queued = await message_saying(admin, "is on its way", replies=True)
    assert queued.text == "Broadcast 1 is on its way to 2 people. I'll tell you how it went."
    await bot.services.sender.drain()
    assert sorted(rows(settings, "SELECT key, status FROM outbox")) == [
        ("broadcast:1:2101", "sent"),
        ("broadcast:1:2102", "blocked"),
    ]
    assert (await message_saying(found["maya"], "Workshop moved")).text == TEXT
    await bot.tick()
    report = await message_saying(admin, "Broadcast 1:")
    assert report.text == "Broadcast 1: delivered 1, blocked 1, failed 0"
    await bot.tick()  # reported once
    assert rows(settings, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'broadcast-report:%'") == [
        (1,)
    ]
    [(details,)] = rows(settings, "SELECT details FROM audit_log WHERE action = 'broadcast'")
    assert '"audience": "area:knowsley"' in details
    assert '"count": 2' in details


async def test_everyone_means_every_member_except_those_who_sent_stop(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    found = await people(sim)
    stranger = sim.user(2109, "Stranger")  # wrote, never consented
    await stranger.send("/start")
    await message_saying(stranger, "Are you happy to go ahead?")
    await type_broadcast(admin)
    await admin.press("Everyone")
    await message_saying(admin, "to everyone: 3 people", replies=True)
    await admin.press("Send to 3 people")
    await message_saying(admin, "is on its way", replies=True)
    await bot.services.sender.drain()
    assert sorted(rows(settings, "SELECT chat_id FROM outbox")) == [(2101,), (2102,), (2104,)]
    assert "Workshop moved" not in " ".join(m.text for m in await found["omar"].messages())


async def test_cancel_mid_broadcast_sends_nothing(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    await people(sim)
    await type_broadcast(admin)
    await admin.press("A sector")
    await message_saying(admin, "Which one?", replies=True)
    await admin.press("Voluntary or community group")
    await message_saying(admin, "Broadcast 1", replies=True)
    await admin.press("Cancel")
    assert (await message_saying(admin, "cancelled", replies=True)).text == (
        "Broadcast cancelled: nothing was sent."
    )
    stale = await admin.press("Cancel")  # the prompt's Cancel, pressed after the cancel
    assert (await admin.answer_to(stale))["text"] == GONE
    await bot.tick()
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM broadcasts") == [(0,)]
    # Cancelled while typing: the next message is not taken as a broadcast.
    await admin.send("/broadcast")
    await message_saying(admin, TYPE_IT)
    await admin.press("Cancel")
    await message_saying(admin, "cancelled", replies=True)
    said = await answers_to(admin, "hello")
    assert said, "the bot answers"
    assert all(WHO not in message.text for message in said), [m.text for m in said]


async def test_an_events_attendees_can_be_the_audience(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    found = await people(sim)
    await admin.send("/event new Autumn workshop")
    opened = await message_saying(admin, "is open, code")
    code = opened.text.split("code ")[1].split(".")[0]
    await found["sam"].send(f"/start ev_{code}")
    await message_saying(found["sam"], "recorded as attending")
    await type_broadcast(admin)
    await admin.press("An event's attendees")
    await message_saying(admin, "Which one?", replies=True)
    await admin.press("Autumn workshop")
    await message_saying(admin, "to the attendees of Autumn workshop: 1 person", replies=True)
    await admin.press("Send to 1 person")
    await message_saying(admin, "is on its way", replies=True)
    await bot.services.sender.drain()
    assert rows(settings, "SELECT chat_id FROM outbox") == [(2104,)]


async def test_a_broadcast_too_short_or_to_nobody_is_answered_clearly(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    await admin.send("/broadcast")
    await message_saying(admin, TYPE_IT)
    await admin.send("x")
    short = await message_saying(admin, "Nothing has been sent.")
    assert "at least 2 characters" in short.text
    await admin.send("Hello all")
    await message_saying(admin, WHO)
    await admin.press("Everyone")
    nobody = await message_saying(admin, "Nobody to send it to", replies=True)
    assert "Everyone" in nobody.labels()
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]


async def test_members_are_refused_broadcast_and_event(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    maya = sim.user(2101, "Maya")
    await sign_up(maya)
    for command in ("/broadcast", "/event new Party", "/events"):
        said = [m.text for m in await answers_to(maya, command)]
        assert said == ["This command is for programme admins."], command
