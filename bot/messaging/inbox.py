"""Updates in: every update is in the inbox table before Telegram is told it arrived.

Polling: :class:`InboxBot` stores each batch ``getUpdates`` returns, in one transaction,
before PTB's updater queues it; the next ``getUpdates`` (which confirms the batch to Telegram)
comes after. Webhook: :class:`InboxQueue` stores the update before PTB answers 200. After a
crash, :meth:`InboxQueue.replay` queues what was received but not handled, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from telegram import Bot, Update
from telegram.error import BadRequest
from telegram.ext import ExtBot

from storage.inbox import InboxStore, Received

__all__ = ["InboxBot", "InboxQueue", "person_of"]


def person_of(update: Update) -> int | None:
    """Whose update this is: its user, else its chat; updates of one person run in order."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


def _received(update: Update, payload: dict[str, Any] | None = None) -> Received:
    """The update as stored: Telegram's JSON as it came if given, else the update's own."""
    return Received(update.update_id, person_of(update), payload or update.to_dict())


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue, made durable by the inbox."""

    def __init__(self, inbox: InboxStore, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._inbox = inbox
        self._clock = clock
        # Stored by the poll that fetched them and not queued yet.
        self._stored: set[int] = set()
        # Set once what Telegram held while the bot was down is in the inbox (the first poll
        # has returned; at once for a webhook): work at start-up that must see it waits.
        self.caught_up = asyncio.Event()

    async def store(
        self, updates: Sequence[Update], payloads: Mapping[int, dict[str, Any]]
    ) -> None:
        """Store a fetched batch in one transaction (the polling path), each update as
        Telegram sent it (``payloads`` by update id) where known."""
        received = [_received(update, payloads.get(update.update_id)) for update in updates]
        self._stored |= await self._inbox.receive(received, self._clock())

    async def put(self, item: object) -> None:
        """Queue an update once it is stored; one already in the inbox is not queued again."""
        if isinstance(item, Update):
            if item.update_id in self._stored:
                self._stored.discard(item.update_id)
            elif not await self._inbox.receive([_received(item)], self._clock()):
                return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates received but never handled, oldest first; how many."""
        waiting = await self._inbox.unhandled()
        for row in waiting:
            self.put_nowait(Update.de_json(row.payload, bot))
        return len(waiting)


class InboxBot(ExtBot[Any]):
    """PTB's bot, storing each batch of updates it fetches before handing it on."""

    def __init__(self, inbox: InboxQueue, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._inbox_queue = inbox
        self._fetched: dict[int, dict[str, Any]] = {}  # the last getUpdates' JSON, by id

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a press; a press replayed after a crash may have had its answer already,
        and Telegram then refuses a second one: that is done, not a failure of the press."""
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if "query" not in error.message.lower():
                raise
            return False

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            # Kept to store as it came: turning each parsed update back into JSON (to_dict)
            # cost a tenth of the bot's time per update.
            self._fetched = {update["update_id"]: update for update in result}
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        fetched, self._fetched = self._fetched, {}
        if updates:
            await self._inbox_queue.store(updates, fetched)
        self._inbox_queue.caught_up.set()
        return updates
