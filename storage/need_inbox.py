"""The commissioners' side of needs: listing them by area and filter, what happened to each
(acknowledged, replied to, done: by whom and when), and replies being typed.

Public surface: :class:`NeedFilter`, :class:`NeedEvent`, :class:`NeedInboxStore`
(``page``, ``get``, ``events_of``, ``record``, ``start_reply``, ``pending_reply``,
``end_reply``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from storage.contributions import Need, NeedStatus, need_from_row
from storage.database import Database, fetch_one

__all__ = ["EventKind", "NeedEvent", "NeedFilter", "NeedInboxStore"]

EventKind = Literal["acknowledged", "replied", "done"]
# What an event moves a need on to; a need never goes back (a reply after "done" keeps it done).
_STATUS_AFTER: dict[EventKind, NeedStatus] = {
    "acknowledged": "acknowledged",
    "replied": "responded",
    "done": "done",
}
_ORDER: tuple[NeedStatus, ...] = ("new", "acknowledged", "responded", "done")


@dataclass(frozen=True)
class NeedFilter:
    """Which needs to list: ``areas`` None means every area; the rest None means any."""

    areas: Collection[str] | None
    area: str | None = None
    theme: str | None = None
    status: NeedStatus | None = None
    urgency: str | None = None


class NeedEvent(BaseModel):
    id: int
    need_id: int
    kind: EventKind
    actor_id: int
    actor_name: str
    text: str | None
    created_at: datetime


class NeedInboxStore:
    """Reads needs for staff, and writes ``need_events`` and ``pending_replies``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def page(self, wanted: NeedFilter, *, offset: int, limit: int) -> tuple[list[Need], int]:
        """One page of the needs ``wanted`` selects, newest first, and how many there are."""
        clauses, values = [], []
        if wanted.areas is not None:
            areas = list(wanted.areas)
            clauses.append(f"area IN ({', '.join('?' for _ in areas)})" if areas else "0")
            values += areas
        for column, value in (
            ("area", wanted.area),
            ("status", wanted.status),
            ("urgency", wanted.urgency),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        if wanted.theme is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(needs.themes) WHERE value = ?)")
            values.append(wanted.theme)
        where = " AND ".join(clauses) or "1"
        row = await fetch_one(
            self._database.connection, f"SELECT COUNT(*) FROM needs WHERE {where}", values
        )
        total = int(row[0]) if row else 0
        return [
            need_from_row(row)
            for row in await self._database.connection.execute_fetchall(
                f"SELECT * FROM needs WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                [*values, limit, offset],
            )
        ], total

    async def get(self, need_id: int) -> Need | None:
        row = await fetch_one(
            self._database.connection, "SELECT * FROM needs WHERE id = ?", (need_id,)
        )
        return need_from_row(row) if row else None

    async def events_of(self, need_ids: Sequence[int]) -> dict[int, list[NeedEvent]]:
        """What happened to each need, oldest first."""
        if not need_ids:
            return {}
        marks = ", ".join("?" for _ in need_ids)
        rows = [
            NeedEvent.model_validate(dict(row))
            for row in await self._database.connection.execute_fetchall(
                f"SELECT * FROM need_events WHERE need_id IN ({marks}) ORDER BY id", list(need_ids)
            )
        ]
        found: dict[int, list[NeedEvent]] = {need_id: [] for need_id in need_ids}
        for event in rows:
            found[event.need_id].append(event)
        return found

    async def record(
        self,
        need: Need,
        kind: EventKind,
        *,
        actor_id: int,
        actor_name: str,
        text: str | None,
        now: datetime,
    ) -> NeedEvent:
        """Record the event and move the need's status on (never back)."""
        status = max(need.status, _STATUS_AFTER[kind], key=_ORDER.index)
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE needs SET status = ?, updated_at = ? WHERE id = ?",
                (status, now.isoformat(), need.id),
            )
            row = await fetch_one(
                connection,
                "INSERT INTO need_events (need_id, kind, actor_id, actor_name, text, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (need.id, kind, actor_id, actor_name, text, now.isoformat()),
            )
        assert row is not None  # RETURNING the row just inserted
        return NeedEvent.model_validate(dict(row))

    async def start_reply(self, user_id: int, need_id: int, now: datetime) -> None:
        """The next message ``user_id`` types is their reply to the need."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO pending_replies (user_id, need_id, started_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET need_id = excluded.need_id,"
                " started_at = excluded.started_at",
                (user_id, need_id, now.isoformat()),
            )

    async def pending_reply(self, user_id: int) -> int | None:
        """The need ``user_id`` is typing a reply to, if any."""
        row = await fetch_one(
            self._database.connection,
            "SELECT need_id FROM pending_replies WHERE user_id = ?",
            (user_id,),
        )
        return int(row[0]) if row else None

    async def end_reply(self, user_id: int) -> None:
        async with self._database.transaction() as connection:
            await connection.execute("DELETE FROM pending_replies WHERE user_id = ?", (user_id,))
