"""Figures for /stats: participants, needs, challenge answers and form progress, counted
within a :class:`Scope` (some areas, one event's attendees, or everything).

Read-only: the tables belong to their own stores; this one only counts across them.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from storage.database import Database
from storage.scope import Scope, in_scope

__all__ = [
    "ChallengeCount",
    "NeedFacts",
    "ProfileCount",
    "StatsStore",
    "StepReached",
    "Submitted",
]


_PROFILES = (
    "SELECT sector, area, COUNT(*) AS people FROM participants"
    " WHERE onboarded_at IS NOT NULL AND "
    + in_scope(area="area", person="user_id")
    + " GROUP BY sector, area ORDER BY sector, area"
)
_NEEDS = "SELECT themes, status, urgency FROM needs WHERE " + in_scope(
    area="area", person="user_id"
)
# A challenge answer has no area of its own: it counts in its author's area.
_CHALLENGES = (
    "SELECT c.challenge, COUNT(*) AS answers, COUNT(DISTINCT c.user_id) AS people"
    " FROM challenge_answers c LEFT JOIN participants p ON p.user_id = c.user_id WHERE "
    + in_scope(area="p.area", person="c.user_id")
    + " GROUP BY c.challenge"
)
_REACHED = (
    "SELECT f.user_id, f.form, f.step_key FROM form_progress f"
    " JOIN participants p ON p.user_id = f.user_id WHERE "
    + in_scope(area="p.area", person="f.user_id")
)
_SUBMITTED = (
    "SELECT s.user_id, s.form FROM form_submissions s"
    " JOIN participants p ON p.user_id = s.user_id WHERE "
    + in_scope(area="p.area", person="s.user_id")
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
