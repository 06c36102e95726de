"""The outbox: messages the bot sends on its own, one row per logical message.

Public surface: :class:`Outgoing` (what to send), :class:`OutboxRow`, :class:`OutboxStore`
(``enqueue``, ``due``, ``claim``, ``sent``, ``retry``, ``failed``, ``blocked``,
``reachable``, ``stopped``, ``interrupted``, ``counts``, ``tally``, ``latest_problems``),
:data:`STOPPED`.

A row's key is unique, so enqueueing the same logical message twice (a tick run again, a
restart) stores it once; a row is claimed (``sending``) in its own commit before it is handed
to Telegram, so a crash leaves it ``uncertain`` rather than sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from storage.database import Database, Rider, Writes, fetch_one

__all__ = ["STOPPED", "OutboxRow", "OutboxStore", "Outgoing", "Status", "Tallied"]

Status = Literal["pending", "sending", "sent", "failed", "blocked", "uncertain"]
# How a tally counts messages: as their status, or stopped (failed because of /stop).
Tallied = Status | Literal["stopped"]
# The error of a follow-up not sent because the person sent /stop while it waited.
STOPPED = "stopped"


class Outgoing(BaseModel):
    """One message: text (HTML), buttons as (label, callback data) rows, a photo or a file
    (raw bytes here, base64 in the stored JSON)."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    text: str = ""
    buttons: list[list[tuple[str, str]]] = []
    photo: bytes | None = None
    document: bytes | None = None
    document_name: str = ""


class OutboxRow(BaseModel):
    id: int
    key: str
    chat_id: int
    body: Outgoing
    status: Status
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _row(row: Any) -> OutboxRow:
    values = dict(row)
    values["body"] = Outgoing.model_validate_json(values["body"])
    return OutboxRow.model_validate(values)


class OutboxStore:
    """Reads and writes ``outbox`` and ``unreachable``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def enqueue(
        self,
        key: str,
        chat_id: int,
        body: Outgoing,
        now: datetime,
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """Queue a message under ``key``; False if that key was queued before (any status)."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO outbox (key, chat_id, body, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (
                    key,
                    chat_id,
                    body.model_dump_json(),
                    (not_before or now).isoformat(),
                    now.isoformat(),
                ),
            )
            return cursor.rowcount == 1

    async def due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Pending messages whose time has come, oldest first, for people still reachable."""
        return [
            _row(row)
            for row in await self._database.connection.execute_fetchall(
                "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                " AND chat_id NOT IN (SELECT chat_id FROM unreachable) ORDER BY id LIMIT ?",
                (now.isoformat(), limit),
            )
        ]

    async def next_due(self) -> datetime | None:
        """When the earliest pending message falls due, if any."""
        row = await fetch_one(
            self._database.connection,
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
            " AND chat_id NOT IN (SELECT chat_id FROM unreachable)",
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def claim(self, row_id: int) -> None:
        """Mark the message as being handed to Telegram (committed before it is)."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                (row_id,),
            )

    async def sent(self, row_id: int, now: datetime) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
                (now.isoformat(), row_id),
            )

    async def retry(self, row_id: int, at: datetime, error: str) -> None:
        """Back to pending, to be tried again at ``at``."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?"
                " WHERE id = ?",
                (at.isoformat(), error, row_id),
            )

    async def failed(self, row_id: int, error: str) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
                (error, row_id),
            )

    async def blocked(self, row_id: int, chat_id: int, now: datetime) -> None:
        """The person blocked the bot: this message is not sent, and nothing more until they
        write again."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE outbox SET status = 'blocked', last_error = 'blocked by the person'"
                " WHERE id = ?",
                (row_id,),
            )
            await connection.execute(
                "INSERT INTO unreachable (chat_id, since) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, now.isoformat()),
            )

    def reachable(self, chat_id: int) -> Rider:
        """A rider: the person wrote to the bot, so they can be sent messages again."""

        def clear(writes: Writes) -> None:
            writes.execute("DELETE FROM unreachable WHERE chat_id = ?", (chat_id,))

        return clear

    async def stopped(self, chat_id: int, key_prefixes: Sequence[str]) -> int:
        """The person sent /stop: their messages still waiting under any of ``key_prefixes``
        (the follow-ups) fail as :data:`STOPPED` and are never sent; how many."""
        withdrawn = 0
        async with self._database.transaction() as connection:
            for prefix in key_prefixes:
                cursor = await connection.execute(
                    "UPDATE outbox SET status = 'failed', last_error = :stopped"
                    " WHERE chat_id = :chat AND status = 'pending'"
                    " AND substr(key, 1, length(:prefix)) = :prefix",
                    {"stopped": STOPPED, "chat": chat_id, "prefix": prefix},
                )
                withdrawn += cursor.rowcount
        return withdrawn

    async def interrupted(self) -> int:
        """At start-up: messages left ``sending`` by a crash become ``uncertain``; how many."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE outbox SET status = 'uncertain',"
                " last_error = 'the bot stopped while sending: it may or may not have arrived'"
                " WHERE status = 'sending'"
            )
            return cursor.rowcount

    async def counts(self) -> dict[str, int]:
        return {
            row[0]: row[1]
            for row in await self._database.connection.execute_fetchall(
                "SELECT status, COUNT(*) FROM outbox GROUP BY status"
            )
        }

    async def tally(self, key_prefix: str) -> dict[Tallied, int]:
        """How many messages whose key starts with ``key_prefix`` are in each status; one
        waiting for someone who has blocked the bot counts as blocked (it waits until they
        write again), and one that failed because of /stop as stopped."""
        return {
            row[0]: row[1]
            for row in await self._database.connection.execute_fetchall(
                "SELECT CASE WHEN status = 'pending'"
                " AND chat_id IN (SELECT chat_id FROM unreachable) THEN 'blocked'"
                " WHEN status = 'failed' AND last_error = :stopped THEN 'stopped'"
                " ELSE status END, COUNT(*) FROM outbox"
                " WHERE substr(key, 1, length(:prefix)) = :prefix GROUP BY 1",
                {"prefix": key_prefix, "stopped": STOPPED},
            )
        }

    async def latest_problems(self, limit: int) -> list[OutboxRow]:
        """The latest failed, blocked and uncertain messages, newest first."""
        return [
            _row(row)
            for row in await self._database.connection.execute_fetchall(
                "SELECT * FROM outbox WHERE status IN ('failed', 'blocked', 'uncertain')"
                " ORDER BY id DESC LIMIT ?",
                (limit,),
            )
        ]
