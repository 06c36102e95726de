"""Figures for /stats: participants, needs, challenge answers and form progress, counted
within a :class:`Scope` (some areas, one event's attendees, or everything).

Read-only: the tables belong to their own stores; this one only counts across them.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from storage.database import Database

__all__ = [
    "ChallengeCount",
    "NeedFacts",
    "ProfileCount",
    "Scope",
    "StatsStore",
    "StepReached",
    "Submitted",
]


@dataclass(frozen=True)
class Scope:
    """Whose figures: people (and needs) in ``areas`` (None: every area), and of those only
    the attendees of ``event`` (an event code; None: everyone)."""

    areas: Collection[str] | None = None
    event: str | None = None

    def parameters(self) -> dict[str, Any]:
        areas = None if self.areas is None else json.dumps(sorted(self.areas))
        return {"areas": areas, "event": self.event}


# Rows in scope: {area} is the row's area column, {person} its user id column.
_IN_SCOPE = (
    "(:areas IS NULL OR {area} IN (SELECT value FROM json_each(:areas)))"
    " AND (:event IS NULL OR {person} IN"
    " (SELECT user_id FROM event_attendance WHERE event_code = :event))"
)
_PROFILES = (
    "SELECT sector, area, COUNT(*) AS people FROM participants"
    " WHERE onboarded_at IS NOT NULL AND "
    + _IN_SCOPE.format(area="area", person="user_id")
    + " GROUP BY sector, area ORDER BY sector, area"
)
_NEEDS = "SELECT themes, status, urgency FROM needs WHERE " + _IN_SCOPE.format(
    area="area", person="user_id"
)
# A challenge answer has no area of its own: it counts in its author's area.
_CHALLENGES = (
    "SELECT c.challenge, COUNT(*) AS answers, COUNT(DISTINCT c.user_id) AS people"
    " FROM challenge_answers c LEFT JOIN participants p ON p.user_id = c.user_id WHERE "
    + _IN_SCOPE.format(area="p.area", person="c.user_id")
    + " GROUP BY c.challenge"
)
_REACHED = (
    "SELECT f.user_id, f.form, f.step_key FROM form_progress f"
    " JOIN participants p ON p.user_id = f.user_id WHERE "
    + _IN_SCOPE.format(area="p.area", person="f.user_id")
)
_SUBMITTED = (
    "SELECT s.user_id, s.form FROM form_submissions s"
    " JOIN participants p ON p.user_id = s.user_id WHERE "
    + _IN_SCOPE.format(area="p.area", person="s.user_id")
)


class ProfileCount(BaseModel):
    """How many signed-up people have this sector and area."""

    sector: str
    area: str
    people: int


class NeedFacts(BaseModel):
    themes: list[str]
    status: str
    urgency: str


class ChallengeCount(BaseModel):
    challenge: str
    answers: int
    people: int  # not counting answers kept anonymously after /forget


class StepReached(BaseModel):
    user_id: int
    form: str
    step_key: str


class Submitted(BaseModel):
    user_id: int
    form: str


class StatsStore:
    """Counts across the participants, needs, challenge answers and form progress tables."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def _rows(self, sql: str, scope: Scope) -> list[dict[str, Any]]:
        async with self._database.connection.execute(sql, scope.parameters()) as cursor:
            return [dict(row) for row in await cursor.fetchall()]

    async def profiles(self, scope: Scope) -> list[ProfileCount]:
        """Signed-up (onboarded) people by sector and area."""
        return [ProfileCount.model_validate(row) for row in await self._rows(_PROFILES, scope)]

    async def needs(self, scope: Scope) -> list[NeedFacts]:
        """Every need raised in the scope's areas (by its attendees, for an event)."""
        return [
            NeedFacts.model_validate({**row, "themes": json.loads(row["themes"])})
            for row in await self._rows(_NEEDS, scope)
        ]

    async def challenges(self, scope: Scope) -> list[ChallengeCount]:
        """Answers to each challenge, and how many people gave them."""
        return [ChallengeCount.model_validate(row) for row in await self._rows(_CHALLENGES, scope)]

    async def progress(self, scope: Scope) -> tuple[list[StepReached], list[Submitted]]:
        """The steps each person has been asked in each form, and the forms they submitted."""
        reached = [StepReached.model_validate(row) for row in await self._rows(_REACHED, scope)]
        submitted = [Submitted.model_validate(row) for row in await self._rows(_SUBMITTED, scope)]
        return reached, submitted
