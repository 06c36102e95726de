"""What the commissioners' weekly digest reads: needs and challenge answers of a period, by
area; whether a digest was queued already; and since when digests are due at all.

Times are stored as ISO text in UTC (as every store writes them), so periods are compared as
text after converting their bounds to UTC.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from storage.contributions import need_reference
from storage.database import Database, fetch_one

__all__ = ["DigestAnswer", "DigestNeed", "DigestStore"]

# The row of ``digest_state`` that says when the bot first looked for due digests: a digest
# scheduled before then (before the programme ran this version) is never sent.
_SINCE = "since"


class DigestNeed(BaseModel):
    id: int
    area: str
    neighbourhood: str | None
    description: str
    urgency: str
    can_help: str
    themes: list[str]
    created_at: datetime

    @property
    def reference(self) -> str:
        return need_reference(self.id)


class DigestAnswer(BaseModel):
    id: int
    challenge: str
    answers: dict[str, Any]
    created_at: datetime


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _area_filter(column: str, areas: Collection[str] | None) -> tuple[str, list[str]]:
    if areas is None:
        return "", []
    keys = sorted(areas)
    return f" AND {column} IN ({', '.join('?' for _ in keys)})", keys


class DigestStore:
    """Reads ``needs`` and ``challenge_answers`` (with the answerer's area from
    ``participants``) for a period; reads ``outbox`` keys; keeps ``digest_state``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def needs_between(
        self, start: datetime, end: datetime, areas: Collection[str] | None
    ) -> list[DigestNeed]:
        """Needs voiced in ``start < created_at <= end`` in ``areas`` (None: all), oldest first."""
        where, keys = _area_filter("area", areas)
        rows = await self._database.connection.execute_fetchall(
            "SELECT id, area, neighbourhood, description, urgency, can_help, themes, created_at"
            " FROM needs WHERE created_at > ? AND created_at <= ?" + where + " ORDER BY id",
            (_utc(start), _utc(end), *keys),
        )
        return [
            DigestNeed.model_validate({**dict(row), "themes": json.loads(row["themes"])})
            for row in rows
        ]

    async def answers_between(
        self, start: datetime, end: datetime, areas: Collection[str] | None
    ) -> list[DigestAnswer]:
        """Challenge answers given in ``start < created_at <= end`` by people in ``areas``
        (None: all, including those kept anonymously), newest first."""
        where, keys = _area_filter("p.area", areas)
        rows = await self._database.connection.execute_fetchall(
            "SELECT c.id, c.challenge, c.answers, c.created_at FROM challenge_answers AS c"
            " LEFT JOIN participants AS p ON p.user_id = c.user_id"
            " WHERE c.created_at > ? AND c.created_at <= ?" + where + " ORDER BY c.id DESC",
            (_utc(start), _utc(end), *keys),
        )
        return [
            DigestAnswer.model_validate({**dict(row), "answers": json.loads(row["answers"])})
            for row in rows
        ]

    async def queued(self, keys: Sequence[str]) -> bool:
        """Whether any of these outbox keys was queued before (whatever became of it)."""
        if not keys:
            return False
        return (
            await fetch_one(
                self._database.connection,
                f"SELECT 1 FROM outbox WHERE key IN ({', '.join('?' for _ in keys)}) LIMIT 1",
                tuple(keys),
            )
            is not None
        )

    async def statuses(self, keys: Sequence[str]) -> dict[str, str]:
        """The outbox status of each of these keys that was queued."""
        if not keys:
            return {}
        return {
            row[0]: row[1]
            for row in await self._database.connection.execute_fetchall(
                f"SELECT key, status FROM outbox WHERE key IN ({', '.join('?' for _ in keys)})",
                tuple(keys),
            )
        }

    async def since(self, now: datetime) -> datetime:
        """When digests started being due: the first time this was asked (``now`` then)."""
        query = "SELECT value FROM digest_state WHERE key = ?"
        row = await fetch_one(self._database.connection, query, (_SINCE,))
        if row is None:
            async with self._database.transaction() as connection:
                await connection.execute(
                    "INSERT INTO digest_state (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (_SINCE, _utc(now)),
                )
            row = await fetch_one(self._database.connection, query, (_SINCE,))
        assert row is not None  # just written, or written before
        return datetime.fromisoformat(row[0])
