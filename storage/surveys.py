"""Confidence-survey answers and the state of the two waves."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel

from storage.database import Database, fetch_one

Wave = Literal["before", "after"]
WaveState = Literal["open", "closed"]


class SurveyRow(BaseModel):
    user_id: int | None
    wave: Wave
    sector: str
    area: str
    scores: dict[str, int]
    answered_at: datetime


class AnswerSet(NamedTuple):
    """One answer set as the survey report reads it (its scores may be shared: read only)."""

    user_id: int | None
    wave: Wave
    sector: str
    scores: Mapping[str, int]


class AwaitingAfter(NamedTuple):
    """Someone who took the before survey and not the after one, and wants follow-ups."""

    user_id: int
    before_at: datetime  # when they answered the before survey
    event_invited_at: datetime | None  # when an event they attended invited them, if one did


def survey_from_row(row: Any) -> SurveyRow:
    values = dict(row)
    values["scores"] = json.loads(values["scores"])
    return SurveyRow.model_validate(values)


class SurveyStore:
    """Reads and writes ``survey_answers`` and ``survey_waves``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def save(
        self,
        *,
        user_id: int,
        wave: Wave,
        sector: str,
        area: str,
        scores: dict[str, int],
        now: datetime,
    ) -> None:
        """Store the person's answers for ``wave``, replacing any they gave before."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO survey_answers (user_id, wave, sector, area, scores, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, wave) DO UPDATE SET"
                " sector = excluded.sector, area = excluded.area, scores = excluded.scores,"
                " answered_at = excluded.answered_at",
                (user_id, wave, sector, area, json.dumps(scores), now.isoformat()),
            )

    async def of(self, user_id: int) -> dict[Wave, SurveyRow]:
        """The person's answer sets, by wave."""
        return {
            row.wave: row
            for row in map(
                survey_from_row,
                await self._database.connection.execute_fetchall(
                    "SELECT * FROM survey_answers WHERE user_id = ?", (user_id,)
                ),
            )
        }

    async def all(self, areas: Collection[str] | None = None) -> list[AnswerSet]:
        """Every answer set, or those from ``areas`` only, as plain tuples: the reports read
        tens of thousands at a time."""
        where, keys = "", sorted(areas or ())
        if areas is not None:
            where = f" WHERE area IN ({', '.join('?' for _ in keys)})"
        rows = await self._database.connection.execute_fetchall(
            "SELECT user_id, wave, sector, scores FROM survey_answers" + where + " ORDER BY id",
            keys,
        )
        # Answer sets repeat (a few thousand ways to answer five questions): each way is parsed
        # once and its scores shared, read only.
        parsed: dict[str, dict[str, int]] = {}
        return [
            AnswerSet(
                user_id,
                wave,
                sector,
                parsed[scores]
                if scores in parsed
                else parsed.setdefault(scores, json.loads(scores)),
            )
            for user_id, wave, sector, scores in rows
        ]

    async def awaiting_after(self, event_invitations: str) -> list[AwaitingAfter]:
        """People who took the before survey and not the after one, and still want follow-ups;
        an event's invitation is found in the outbox under ``event_invitations`` + its code +
        ``:`` + the person's id, and counts unless it failed (after /stop, say)."""
        return [
            AwaitingAfter(
                row[0],
                datetime.fromisoformat(row[1]),
                datetime.fromisoformat(row[2]) if row[2] else None,
            )
            for row in await self._database.connection.execute_fetchall(
                "SELECT participants.user_id, before.answered_at,"
                " (SELECT MIN(outbox.created_at) FROM event_attendance JOIN outbox"
                " ON outbox.key = :invitations || event_attendance.event_code || ':'"
                " || participants.user_id AND outbox.status IN ('pending', 'sent', 'uncertain')"
                " WHERE event_attendance.user_id = participants.user_id)"
                " FROM participants"
                " JOIN survey_answers AS before ON before.user_id = participants.user_id"
                " AND before.wave = 'before'"
                " WHERE participants.follow_ups = 1 AND NOT EXISTS (SELECT 1 FROM survey_answers"
                " WHERE survey_answers.user_id = participants.user_id AND wave = 'after')"
                " ORDER BY participants.user_id",
                {"invitations": event_invitations},
            )
        ]

    async def opened_for_everyone(self, wave: Wave) -> datetime | None:
        """When an admin opened ``wave`` for everyone, if it is open that way now."""
        row = await fetch_one(
            self._database.connection,
            "SELECT changed_at FROM survey_waves WHERE wave = ? AND state = 'open'",
            (wave,),
        )
        return datetime.fromisoformat(row[0]) if row else None

    async def wave_states(self) -> dict[Wave, WaveState]:
        """Waves an admin has opened for everyone or closed."""
        return {
            row["wave"]: row["state"]
            for row in await self._database.connection.execute_fetchall(
                "SELECT wave, state FROM survey_waves"
            )
        }

    async def set_wave(self, wave: Wave, state: WaveState, now: datetime) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO survey_waves (wave, state, changed_at) VALUES (?, ?, ?)"
                " ON CONFLICT (wave) DO UPDATE SET state = excluded.state,"
                " changed_at = excluded.changed_at",
                (wave, state, now.isoformat()),
            )
