"""The inbox: updates as they arrived, kept until handled, so a crash loses none.

Public surface: :class:`InboxStore` (``receive``, ``unhandled``, ``handled``, ``prune``)
and :class:`Received`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Database, Rider, Writes, fetch_one

__all__ = ["InboxStore", "Received"]


@dataclass(frozen=True)
class Received:
    """One update as stored: its id, whose it is, and Telegram's JSON."""

    update_id: int
    person: int | None
    payload: dict[str, Any]


class InboxStore:
    """Reads and writes the ``inbox`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def receive(self, updates: Sequence[Received], now: datetime) -> set[int]:
        """Store the updates in one transaction; the ids that were not stored before."""

        def store(connection: sqlite3.Connection) -> set[int]:
            fresh = set()
            for update in updates:
                cursor = connection.execute(
                    "INSERT INTO inbox (update_id, person, payload, received_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
                    (
                        update.update_id,
                        update.person,
                        # ASCII escapes: a lone surrogate (half an emoji) is not valid UTF-8
                        # and would stop every batch it is in from being stored.
                        json.dumps(update.payload, separators=(",", ":")),
                        now.isoformat(),
                    ),
                )
                if cursor.rowcount == 1:
                    fresh.add(update.update_id)
            return fresh

        async with self._database.transaction():
            return await self._database.run(store)

    async def unhandled(self) -> list[Received]:
        """Updates received but not handled (the process stopped first), oldest first."""
        rows = await self._database.connection.execute_fetchall(
            "SELECT update_id, person, payload FROM inbox WHERE handled_at IS NULL"
            " ORDER BY update_id"
        )
        return [Received(row[0], row[1], json.loads(row[2])) for row in rows]

    async def waiting(self, person: int) -> bool:
        """Whether the person has an update received and not yet handled (a press made while
        the bot was down, say): retention must not erase someone who has come back."""
        return (
            await fetch_one(
                self._database.connection,
                "SELECT 1 FROM inbox WHERE person = ? AND handled_at IS NULL LIMIT 1",
                (person,),
            )
            is not None
        )

    def handled(self, update_ids: Sequence[int], now: datetime) -> Rider:
        """A rider marking the updates handled, in the transaction that carries it.

        What it said and whose it was are dropped then: only the id stays, to recognise a
        re-delivery.
        """

        def mark(writes: Writes) -> None:
            writes.executemany(
                "UPDATE inbox SET handled_at = ?, payload = NULL, person = NULL"
                " WHERE update_id = ?",
                [(now.isoformat(), update_id) for update_id in update_ids],
            )

        return mark

    async def prune(self, handled_before: datetime) -> int:
        """Delete updates handled before the cutoff; how many went."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM inbox WHERE handled_at < ?", (handled_before.isoformat(),)
            )
            return cursor.rowcount
