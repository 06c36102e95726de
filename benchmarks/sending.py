"""Sending: outbox messages through the real :class:`OutboxSender` to the emulator enforcing
Telegram's limits (30 messages a second overall, one a second per chat, 429 beyond)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import ExtBot

from bot.messaging.outbox import OutboxSender
from bot.messaging.ratelimit import PerChatRateLimiter
from bot.simulator import BotApiEmulator, SimulatorClient
from bot.simulator.limits import SendingLimits
from storage.database import Database
from storage.outbox import OutboxStore, Outgoing

__all__ = ["SENDING_RATE", "SendingResult", "outbox_sending"]

TOKEN = "1:benchmark"
FIRST_CHAT = 700_000
# The outbox's pace when it has Telegram's 30 a second to itself, with a little room for
# the loopback's jitter.
SENDING_RATE = 28.5


@dataclass(frozen=True)
class SendingResult:
    messages: int
    sent: int
    seconds: float
    refused: int  # 429s the emulator answered

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds


async def outbox_sending(directory: Path, messages: int) -> SendingResult:
    """Queue ``messages`` messages, one a chat, and time the outbox sending them all."""
    limits = SendingLimits()
    emulator = BotApiEmulator(TOKEN, limits=limits)
    await emulator.start()
    database = await Database.open(directory / "sending.sqlite3")
    try:
        async with SimulatorClient(emulator.url) as client:
            for n in range(messages):  # Telegram only sends to chats that wrote first
                await client.user(FIRST_CHAT + n, f"Commissioner {n}").send("/start")
        store = OutboxStore(database)
        now = datetime.now(UTC)
        async with database.transaction():
            for n in range(messages):
                body = Outgoing(text=f"<b>Your weekly digest</b>\nNeed N-{n:04d} and more.")
                await store.enqueue(f"bench:{n}", FIRST_CHAT + n, body, now)
        bot: ExtBot[Any] = ExtBot(
            TOKEN, base_url=emulator.api_base_url, rate_limiter=PerChatRateLimiter()
        )
        async with bot:
            sender = OutboxSender(store, bot, lambda: datetime.now(UTC), per_second=SENDING_RATE)
            started = time.perf_counter()
            await sender.drain()
            seconds = time.perf_counter() - started
        sent = (await store.counts()).get("sent", 0)
    finally:
        await database.close()
        await emulator.stop()
    return SendingResult(messages=messages, sent=sent, seconds=seconds, refused=limits.refused)
