"""Admins' broadcasts: the draft being typed and aimed, who it goes to, whether it was reported.

Public surface: :class:`Audience`, :class:`Broadcast`, :class:`BroadcastStore` (``start``,
``draft_of``, ``get``, ``set_text``, ``set_audience``, ``discard``, ``recipients``,
``queued``, ``unreported``, ``reported``).

An audience is ``everyone``, ``area:<key>``, ``sector:<key>`` or ``event:<code>``. Recipients
are participants (so everyone has consented) who have not sent /stop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from storage.database import Database, fetch_one

__all__ = ["Audience", "Broadcast", "BroadcastStore"]

AudienceKind = Literal["everyone", "area", "sector", "event"]


class Audience(BaseModel):
    """Who a broadcast is for: everyone, or the people of one area, sector or event."""

    kind: AudienceKind
    key: str = ""

    def encode(self) -> str:
        return self.kind if self.kind == "everyone" else f"{self.kind}:{self.key}"

    @classmethod
    def decode(cls, text: str) -> Audience:
        kind, _, key = text.partition(":")
        return cls.model_validate({"kind": kind, "key": key})


class Broadcast(BaseModel):
    id: int
    text: str | None
    audience: str | None
    created_by: int
    created_at: datetime
    queued_at: datetime | None
    recipients: int | None
    reported_at: datetime | None


# Participants who have not sent /stop, by audience (``:key`` is the audience's key).
_RECIPIENTS: dict[AudienceKind, str] = {
    "everyone": "SELECT user_id FROM participants WHERE follow_ups = 1",
    "area": "SELECT user_id FROM participants WHERE follow_ups = 1 AND area = :key",
    "sector": "SELECT user_id FROM participants WHERE follow_ups = 1 AND sector = :key",
    "event": (
        "SELECT p.user_id FROM participants p JOIN event_attendance a"
        " ON a.user_id = p.user_id WHERE p.follow_ups = 1 AND a.event_code = :key"
    ),
}


class BroadcastStore:
    """Reads and writes ``broadcasts``; finds recipients in ``participants``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def start(self, created_by: int, now: datetime) -> Broadcast:
        """A new draft for the admin, replacing any draft of theirs not yet sent."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "DELETE FROM broadcasts WHERE created_by = ? AND queued_at IS NULL",
                (created_by,),
            )
            row = await fetch_one(
                connection,
                "INSERT INTO broadcasts (created_by, created_at) VALUES (?, ?) RETURNING *",
                (created_by, now.isoformat()),
            )
        assert row is not None  # RETURNING the row just inserted
        return Broadcast.model_validate(dict(row))

    async def draft_of(self, created_by: int) -> Broadcast | None:
        """The admin's broadcast not yet sent, if any."""
        row = await fetch_one(
            self._database.connection,
            "SELECT * FROM broadcasts WHERE created_by = ? AND queued_at IS NULL",
            (created_by,),
        )
        return Broadcast.model_validate(dict(row)) if row else None

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await fetch_one(
            self._database.connection, "SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        return Broadcast.model_validate(dict(row)) if row else None

    async def set_text(self, broadcast_id: int, text: str) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET text = ? WHERE id = ? AND queued_at IS NULL",
                (text, broadcast_id),
            )

    async def set_audience(self, broadcast_id: int, audience: Audience) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET audience = ? WHERE id = ? AND queued_at IS NULL",
                (audience.encode(), broadcast_id),
            )

    async def discard(self, broadcast_id: int) -> bool:
        """Drop a draft; False if it was sent already (or is gone)."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM broadcasts WHERE id = ? AND queued_at IS NULL", (broadcast_id,)
            )
            return cursor.rowcount == 1

    async def recipients(self, audience: Audience) -> list[int]:
        """Who ``audience`` reaches: participants who have not sent /stop."""
        return [
            row[0]
            for row in await self._database.connection.execute_fetchall(
                _RECIPIENTS[audience.kind] + " ORDER BY 1", {"key": audience.key}
            )
        ]

    async def queued(self, broadcast_id: int, recipients: int, now: datetime) -> bool:
        """Mark the draft sent (its outbox rows are in); False if it was already."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE broadcasts SET queued_at = ?, recipients = ?"
                " WHERE id = ? AND queued_at IS NULL",
                (now.isoformat(), recipients, broadcast_id),
            )
            return cursor.rowcount == 1

    async def unreported(self) -> list[Broadcast]:
        """Sent broadcasts whose admin has not been told how they went."""
        return [
            Broadcast.model_validate(dict(row))
            for row in await self._database.connection.execute_fetchall(
                "SELECT * FROM broadcasts WHERE queued_at IS NOT NULL AND reported_at IS NULL"
                " ORDER BY id"
            )
        ]

    async def reported(self, broadcast_id: int, now: datetime) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE broadcasts SET reported_at = ? WHERE id = ?",
                (now.isoformat(), broadcast_id),
            )
