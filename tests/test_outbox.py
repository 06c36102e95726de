"""The outbox through the real bot: sent once per key, across restarts too; flood waits,
server errors, time-outs and blocked chats each end delivered once or marked; /outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.simulator import SimMessage, SimulatorClient, SimUser
from storage.outbox import Outgoing
from tests.harness import ADMIN_ID, RunningBot, all_handled, message_saying, rows


async def opened_chat(sim: SimulatorClient, user_id: int) -> SimUser:
    """A person who has talked to the bot (Telegram delivers nothing to anyone else)."""
    user = sim.user(user_id, "Maya")
    await user.send("/help")
    await message_saying(user, "Here is what you can do")
    return user


def texts_from_bot(messages: list[SimMessage]) -> list[str]:
    return [m.text for m in messages if m.from_bot and not m.text.startswith("Here is what")]


async def queue(bot: RunningBot, key: str, chat_id: int, text: str) -> bool:
    return await bot.services.core.outbox.enqueue(
        key, chat_id, Outgoing(text=text), datetime.now(UTC)
    )


async def test_one_key_is_sent_once_even_if_queued_again_and_after_a_restart(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    maya = await opened_chat(sim, 1001)
    assert await queue(bot, "hello:1001", 1001, "Hello from the programme")
    assert not await queue(bot, "hello:1001", 1001, "Hello again?")
    await bot.services.sender.drain()
    hello = await message_saying(maya, "Hello from the programme")
    assert hello.text == "Hello from the programme"
    await bot.restart()
    assert not await queue(bot, "hello:1001", 1001, "Hello from the programme")
    await bot.services.sender.drain()
    assert texts_from_bot(await maya.messages()) == ["Hello from the programme"]


@pytest.mark.parametrize(
    ("kind", "retry_after"), [("retry_after", 1), ("server_error", 1), ("timeout", 1)]
)
async def test_a_failed_send_is_tried_again_and_arrives_once(
    sim: SimulatorClient, bot: RunningBot, kind: str, retry_after: int
) -> None:
    maya = await opened_chat(sim, 1001)
    await sim.inject_fault("sendMessage", kind, retry_after=retry_after, delay=6, chat_id=1001)
    await queue(bot, "digest:1001:1", 1001, "Your digest")
    await bot.services.sender.drain()
    [(status, attempts)] = rows(bot.settings, "SELECT status, attempts FROM outbox")
    assert (status, attempts) == ("pending", 1)  # put back for later, not lost
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1), tick=True):
        await bot.services.sender.drain()  # the retry's time has come
    assert texts_from_bot(await maya.messages()) == ["Your digest"]
    assert rows(bot.settings, "SELECT status FROM outbox") == [("sent",)]


async def test_a_person_who_blocked_the_bot_is_marked_and_sent_nothing_until_they_write(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    maya = await opened_chat(sim, 1001)
    await sim.inject_fault("sendMessage", "blocked", chat_id=1001)
    await queue(bot, "a", 1001, "First")
    await bot.services.sender.drain()
    await queue(bot, "b", 1001, "Second")
    await bot.services.sender.drain()
    assert rows(bot.settings, "SELECT key, status FROM outbox ORDER BY id") == [
        ("a", "blocked"),
        ("b", "pending"),  # waits: they blocked the bot
    ]
    await sim.clear_faults()
    await maya.send("/help")  # they are back
    await message_saying(maya, "Here is what you can do")
    await all_handled(bot.settings)
    await bot.services.sender.drain()
    assert rows(bot.settings, "SELECT key, status FROM outbox ORDER BY id") == [
        ("a", "blocked"),
        ("b", "sent"),
    ]


async def test_a_message_being_sent_when_the_bot_died_is_uncertain_and_not_resent(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    await opened_chat(sim, 1001)
    await queue(bot, "x", 1001, "Maybe")
    row_id = rows(bot.settings, "SELECT id FROM outbox")[0][0]
    await bot.services.core.outbox.claim(row_id)  # handed to Telegram, then the crash
    await bot.restart()
    await bot.services.sender.drain()
    assert rows(bot.settings, "SELECT status FROM outbox") == [("uncertain",)]
    assert texts_from_bot(await sim.user(1001, "Maya").messages()) == []
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/outbox")
    report = (await message_saying(admin, "uncertain: the bot stopped while sending")).text
    assert "uncertain: the bot stopped while sending (not sent again): 1" in report
    assert "x · the bot stopped while sending" in report
