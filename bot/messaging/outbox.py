"""Messages out: one sender drains the outbox under Telegram's limits, leaving room for replies.

Each message is claimed (committed as ``sending``) before it is handed to Telegram, then
recorded as sent; a flood wait or a network fault puts it back with a later time; a person
who blocked the bot is marked so and sent nothing more until they write again. A crash while
sending leaves the message ``uncertain`` (see :meth:`OutboxSender.start`), never resent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.logs import log_event
from bot.messaging.ratelimit import Retries
from storage.outbox import OutboxRow, OutboxStore, Outgoing

__all__ = ["OUTBOX_SHARE", "OutboxSender", "deliver"]

logger = logging.getLogger(__name__)

# Of the bot's sending rate (Telegram's 30 a second), what the outbox may use: the rest stays
# free for replies to people talking to the bot.
OUTBOX_SHARE = 2 / 3
# After a network fault or a server error: wait this long, then longer; then give up.
BACKOFF = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
)
# A flood wait puts the message back with a later time instead of holding a sending slot.
NO_RETRIES = Retries(after_flood_wait=0)
BATCH = 50
CONCURRENT = 8
IDLE_WAIT_SECONDS = 30.0


class OutboxSender:
    """Sends what is due from the outbox; :meth:`drain` once, or :meth:`start` to keep at it."""

    def __init__(
        self,
        store: OutboxStore,
        bot: ExtBot[object],
        clock: Callable[[], datetime],
        *,
        per_second: float,
    ) -> None:
        self._store = store
        self._bot = bot
        self._clock = clock
        # One message every 1/per_second seconds, never a burst: a burst of a second's worth
        # on top of the steady pace is what Telegram answers with 429s.
        self._limiter = AsyncLimiter(1, 1 / per_second)
        self._slots = asyncio.Semaphore(CONCURRENT)
        self._draining = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Report what a crash left uncertain, then send in the background."""
        uncertain = await self._store.interrupted()
        if uncertain:
            log_event(logger, "outbox_uncertain", logging.WARNING, messages=uncertain)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Something was queued: look now rather than at the next due time."""
        self._wake.set()

    async def drain(self) -> int:
        """Send everything due now; how many messages were dealt with."""
        async with self._draining:
            handled = 0
            while batch := await self._store.due(self._clock(), BATCH):
                await asyncio.gather(*(self._send(row) for row in batch))
                handled += len(batch)
            return handled

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
                due = await self._store.next_due()
            except Exception:  # a database hiccup must not stop sending for good
                logger.exception("event=outbox_drain_failed")
                due = None
            wait = IDLE_WAIT_SECONDS
            if due is not None:
                wait = min(max((due - self._clock()).total_seconds(), 0.05), wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()

    async def _send(self, row: OutboxRow) -> None:
        async with self._slots:
            await self._store.claim(row.id)
            try:
                async with self._limiter:
                    await self._deliver(row)
            except Forbidden:
                await self._store.blocked(row.id, row.chat_id, self._clock())
                log_event(logger, "outbox_blocked", key=row.key)
            except RetryAfter as wait:
                delay = wait.retry_after
                seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
                await self._store.retry(
                    row.id, self._clock() + timedelta(seconds=seconds), "flood wait"
                )
            except BadRequest as error:  # the message itself is wrong: trying again won't help
                await self._store.failed(row.id, error.message)
                log_event(logger, "outbox_failed", logging.WARNING, key=row.key)
            except TelegramError as error:  # network faults, server errors: later
                attempt = row.attempts  # before this one
                if attempt >= len(BACKOFF):
                    await self._store.failed(row.id, f"{type(error).__name__}: {error.message}")
                    log_event(logger, "outbox_failed", logging.WARNING, key=row.key)
                else:
                    at = self._clock() + BACKOFF[attempt]
                    await self._store.retry(row.id, at, f"{type(error).__name__}: {error.message}")
            else:
                await self._store.sent(row.id, self._clock())

    async def _deliver(self, row: OutboxRow) -> None:
        # No retries inside the rate limiter: a flood wait reschedules the row instead.
        await deliver(self._bot, row.chat_id, row.body, retries=NO_RETRIES)


async def deliver(
    bot: ExtBot[Any], chat_id: int, body: Outgoing, *, retries: Retries | None = None
) -> None:
    """Send one outbox message's body now: text, a photo or a file, with its buttons."""
    markup = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in line]
                for line in body.buttons
            ]
        )
        if body.buttons
        else None
    )
    if body.photo is not None:
        await bot.send_photo(
            chat_id,
            body.photo,
            caption=body.text or None,
            reply_markup=markup,
            rate_limit_args=retries,
        )
    elif body.document is not None:
        await bot.send_document(
            chat_id,
            InputFile(body.document, filename=body.document_name or "file"),
            caption=body.text or None,
            reply_markup=markup,
            rate_limit_args=retries,
        )
    else:
        await bot.send_message(chat_id, body.text, reply_markup=markup, rate_limit_args=retries)
