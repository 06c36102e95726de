"""How updates are handled: people in parallel, each person's in order, floods cut off, and
each update's "handled" mark committed with what it changed.

PTB takes updates from the queue and hands each to :class:`PerPersonProcessor`. An update
waits only for the earlier updates of the same chat (a person's private chat, or a group), so
a slow or failing reply to one person delays nobody else. Every update runs in a unit of work
whose riders (the inbox mark, the person's activity stamp) join its first transaction: one
transaction per update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.logs import log_event
from bot.messaging.flood import FloodGate, Verdict
from bot.messaging.inbox import person_of
from storage.database import Database
from storage.inbox import InboxStore
from storage.outbox import OutboxStore
from storage.participants import ParticipantStore

__all__ = ["PerPersonProcessor"]

logger = logging.getLogger(__name__)

# Updates in progress at once: a counter, not threads, so it can be generous. Each waits for
# its own person's turn, and a flood is refused before it takes a place.
CONCURRENT_UPDATES = 4096
# Activity is written at most this often per person (retention counts from the last of it).
ACTIVITY_EVERY = timedelta(hours=1)

SlowDown = Callable[[int], Coroutine[Any, Any, None]]


class PerPersonProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        database: Database,
        inbox: InboxStore,
        participants: ParticipantStore,
        outbox: OutboxStore,
        *,
        messages_per_minute: int,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(max_concurrent_updates=CONCURRENT_UPDATES)
        self._database = database
        self._inbox = inbox
        self._participants = participants
        self._outbox = outbox
        self._clock = clock
        self._gate = FloodGate(messages_per_minute)
        self._turns: dict[int, asyncio.Event] = {}
        self._notices: set[asyncio.Task[None]] = set()
        self._flushing: asyncio.Task[None] | None = None
        self.slow_down: SlowDown | None = None  # tells a flooding person, once a minute

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Let the slow-down notices and the last batch of refusals finish."""
        pending = [*self._notices, *([self._flushing] if self._flushing else [])]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        person = person_of(update)
        now = self._clock()
        if person is not None and not self._admitted(person, update):
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never to run: the person is over their limit
            # Marked handled in batches: a flood of refusals costs a few commits, not one each.
            self._database.later(self._inbox.handled([update.update_id], now))
            self._flush_soon()
            return
        # In order per person in each chat: a group's slow replies (Telegram allows 20 a minute
        # there) never hold up the same person's private chat.
        chat = update.effective_chat
        async with self._turn(chat.id if chat is not None else person):
            riders = [self._inbox.handled([update.update_id], now)]
            # What someone does in a group or a channel is not activity with the programme.
            if update.effective_user is not None and chat is not None and chat.type == "private":
                user_id = update.effective_user.id
                riders.append(self._participants.active(user_id, now, every=ACTIVITY_EVERY))
                riders.append(self._outbox.reachable(user_id))  # they wrote: not blocked
            with self._database.unit_of_work(riders) as unit:
                await coroutine
                # A handler that wrote nothing (or failed first) is still handled: once.
                await self._database.finish(unit)

    def _admitted(self, person: int, update: Update) -> bool:
        verdict = self._gate.check(person, asyncio.get_running_loop().time())
        if verdict is Verdict.ADMIT:
            return True
        if verdict is Verdict.REFUSE_AND_WARN:
            log_event(logger, "flood_refused", update=update.update_id)
            if self.slow_down is not None and update.effective_chat is not None:
                notice: asyncio.Task[None] = asyncio.create_task(
                    self.slow_down(update.effective_chat.id)
                )
                self._notices.add(notice)
                notice.add_done_callback(self._notices.discard)
        return False

    def _flush_soon(self) -> None:
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._database.flush_later())

    @asynccontextmanager
    async def _turn(self, key: int | None) -> AsyncIterator[None]:
        """Wait for the chat's earlier updates to finish; updates of no chat run at once."""
        if key is None:
            yield
            return
        previous = self._turns.get(key)
        mine = asyncio.Event()
        self._turns[key] = mine
        try:
            if previous is not None:
                await previous.wait()
            yield
        finally:
            mine.set()
            if self._turns.get(key) is mine:
                del self._turns[key]
