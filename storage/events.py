"""Workshop and listening events, and who attended each.

Public surface: :class:`Event`, :class:`EventSummary`, :class:`EventStore` (``create``, ``get``,
``attend``, ``close``, ``attendees``, ``after_open_for``, ``summaries``). ``event_attendance``
holds personal data (who was there); the events feature declares it.

Codes are lower case: each method takes one in any case (people type /stats event=K3X9P2QA).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from storage.database import Database, fetch_one

__all__ = ["Event", "EventStore", "EventSummary"]


class Event(BaseModel):
    code: str
    name: str
    created_by: int
    created_at: datetime
    closed_at: datetime | None


class EventSummary(BaseModel):
    event: Event
    attended: int
    answered_before: int
    answered_after: int


_COLUMNS = "code, name, created_by, created_at, closed_at"


def _event(row: tuple[object, ...]) -> Event:
    return Event.model_validate(dict(zip(_COLUMNS.split(", "), row, strict=True)))


class EventStore:
    """Reads and writes ``events`` and ``event_attendance``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def create(self, code: str, name: str, created_by: int, now: datetime) -> Event:
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO events (code, name, created_by, created_at) VALUES (?, ?, ?, ?)",
                (code.lower(), name, created_by, now.isoformat()),
            )
        return Event(
            code=code.lower(), name=name, created_by=created_by, created_at=now, closed_at=None
        )

    async def get(self, code: str) -> Event | None:
        row = await fetch_one(
            self._database.connection,
            f"SELECT {_COLUMNS} FROM events WHERE code = ?",
            (code.lower(),),
        )
        return _event(tuple(row)) if row is not None else None

    async def attend(self, code: str, user_id: int, now: datetime) -> bool:
        """Record ``user_id`` at event ``code``; False if they were recorded already."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO event_attendance (event_code, user_id, joined_at)"
                " VALUES (?, ?, ?)",
                (code.lower(), user_id, now.isoformat()),
            )
            return cursor.rowcount == 1

    async def close(self, code: str, now: datetime) -> bool:
        """Close an open event; False if it was closed already (or is unknown)."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE events SET closed_at = ? WHERE code = ? AND closed_at IS NULL",
                (now.isoformat(), code.lower()),
            )
            return cursor.rowcount == 1

    async def attendees(self, code: str) -> list[int]:
        return [
            row[0]
            for row in await self._database.connection.execute_fetchall(
                "SELECT user_id FROM event_attendance WHERE event_code = ? ORDER BY joined_at",
                (code.lower(),),
            )
        ]

    async def after_open_for(self, user_id: int) -> bool:
        """Whether the person attended an event that has closed: its after wave is open to
        them, whatever the programme-wide rule says."""
        return (
            await fetch_one(
                self._database.connection,
                "SELECT 1 FROM event_attendance a JOIN events e ON e.code = a.event_code"
                " WHERE a.user_id = ? AND e.closed_at IS NOT NULL LIMIT 1",
                (user_id,),
            )
            is not None
        )

    async def summaries(self) -> list[EventSummary]:
        """Every event, newest first, with attendance and how many attendees answered each
        survey wave."""
        rows = await self._database.connection.execute_fetchall(
            f"SELECT {', '.join('e.' + c for c in _COLUMNS.split(', '))},"
            " COUNT(DISTINCT a.user_id),"
            " COUNT(DISTINCT CASE WHEN s.wave = 'before' THEN s.user_id END),"
            " COUNT(DISTINCT CASE WHEN s.wave = 'after' THEN s.user_id END)"
            " FROM events e"
            " LEFT JOIN event_attendance a ON a.event_code = e.code"
            " LEFT JOIN survey_answers s ON s.user_id = a.user_id"
            " GROUP BY e.code ORDER BY e.created_at DESC"
        )
        return [
            EventSummary(
                event=_event(tuple(row[:5])),
                attended=row[5],
                answered_before=row[6],
                answered_after=row[7],
            )
            for row in rows
        ]
