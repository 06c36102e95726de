"""Figures for /stats: participants, needs, challenge answers and form progress, counted
within a :class:`Scope` (some areas, one event's attendees, or everything).

Read-only: the tables belong to their own stores; this one only counts across them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel

from storage.database import Database
from storage.scope import Scope, in_scope

__all__ = [
    "ChallengeCount",
    "FormProgress",
    "NeedCounts",
    "ProfileCount",
    "StatsStore",
    "SurveyWaves",
]


_PROFILES = (
    "SELECT sector, area, COUNT(*) AS people FROM participants"
    " WHERE onboarded_at IS NOT NULL AND "
    + in_scope(area="area", person="user_id")
    + " GROUP BY sector, area ORDER BY sector, area"
)
_NEEDS = (
    "SELECT status, urgency, COUNT(*) AS needs FROM needs WHERE "
    + in_scope(area="area", person="user_id")
    + " GROUP BY status, urgency"
)
# A need with no theme counts once, under the theme NULL.
_NEED_THEMES = (
    "SELECT t.value AS theme, COUNT(*) AS needs FROM needs n"
    " LEFT JOIN json_each(n.themes) t WHERE "
    + in_scope(area="n.area", person="n.user_id")
    + " GROUP BY t.value"
)
# A challenge answer has no area of its own: it counts in its author's area.
_CHALLENGES = (
    "SELECT c.challenge, COUNT(*) AS answers, COUNT(DISTINCT c.user_id) AS people"
    " FROM challenge_answers c LEFT JOIN participants p ON p.user_id = c.user_id WHERE "
    + in_scope(area="p.area", person="c.user_id")
    + " GROUP BY c.challenge"
)
# Each person's steps reached in each form (in key order, the primary key's), then how many
# people went exactly the same way: a few hundred rows however many people there are.
_PROGRESS = (
    "WITH people AS ("
    " SELECT f.form, f.user_id, group_concat(f.step_key, char(31)) AS steps"
    " FROM form_progress f JOIN participants p ON p.user_id = f.user_id WHERE "
    + in_scope(area="p.area", person="f.user_id")
    + " GROUP BY f.user_id, f.form"
    " UNION ALL"
    " SELECT s.form, s.user_id, '' FROM form_submissions s"
    " JOIN participants p ON p.user_id = s.user_id WHERE "
    + in_scope(area="p.area", person="s.user_id")
    + " AND NOT EXISTS (SELECT 1 FROM form_progress f"
    " WHERE f.user_id = s.user_id AND f.form = s.form))"
    " SELECT form, steps, EXISTS (SELECT 1 FROM form_submissions s"
    " WHERE s.user_id = people.user_id AND s.form = people.form) AS submitted,"
    " COUNT(*) AS people FROM people GROUP BY form, steps, submitted"
)
_STEP_SEPARATOR = "\x1f"  # char(31): never in a step key
# Anonymous answer sets (kept after /forget) count once each, and pair with nothing.
_SURVEY_WAVES = (
    "SELECT COALESCE(SUM(did_before), 0) AS before, COALESCE(SUM(did_after), 0) AS after,"
    " COALESCE(SUM(did_before AND did_after AND user_id IS NOT NULL), 0) AS both_waves FROM ("
    " SELECT user_id, MAX(wave = 'before') AS did_before, MAX(wave = 'after') AS did_after"
    " FROM survey_answers WHERE user_id IS NOT NULL AND "
    + in_scope(area="area", person="user_id")
    + " GROUP BY user_id"
    " UNION ALL"
    " SELECT NULL, wave = 'before', wave = 'after' FROM survey_answers"
    " WHERE user_id IS NULL AND " + in_scope(area="area", person="user_id") + ")"
)


class ProfileCount(BaseModel):
    """How many signed-up people have this sector and area."""

    sector: str
    area: str
    people: int


class NeedCounts(BaseModel):
    """How many needs, by status, by urgency and by theme (a need can have several)."""

    total: int
    by_status: dict[str, int]
    by_urgency: dict[str, int]
    by_theme: dict[str, int]
    without_theme: int


class ChallengeCount(BaseModel):
    challenge: str
    answers: int
    people: int  # not counting answers kept anonymously after /forget


class FormProgress(BaseModel):
    """How many ``people`` reached exactly these steps of ``form``, and sent it or not."""

    form: str
    reached: frozenset[str]
    submitted: bool
    people: int


class SurveyWaves(BaseModel):
    """How many answered the before survey, the after survey, and both."""

    before: int
    after: int
    both_waves: int


class StatsStore:
    """Counts across the participants, needs, challenge answers and form progress tables."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def _rows(self, sql: str, scope: Scope) -> list[dict[str, Any]]:
        return [
            dict(row)
            for row in await self._database.connection.execute_fetchall(sql, scope.parameters())
        ]

    async def profiles(self, scope: Scope) -> list[ProfileCount]:
        """Signed-up (onboarded) people by sector and area."""
        return [ProfileCount.model_validate(row) for row in await self._rows(_PROFILES, scope)]

    async def needs(self, scope: Scope) -> NeedCounts:
        """The needs raised in the scope's areas (by its attendees, for an event), counted."""
        by_status: Counter[str] = Counter()
        by_urgency: Counter[str] = Counter()
        for row in await self._rows(_NEEDS, scope):
            by_status[row["status"]] += row["needs"]
            by_urgency[row["urgency"]] += row["needs"]
        themes = {row["theme"]: row["needs"] for row in await self._rows(_NEED_THEMES, scope)}
        return NeedCounts(
            total=by_status.total(),
            by_status=by_status,
            by_urgency=by_urgency,
            by_theme={theme: needs for theme, needs in themes.items() if theme is not None},
            without_theme=themes.get(None, 0),
        )

    async def challenges(self, scope: Scope) -> list[ChallengeCount]:
        """Answers to each challenge, and how many people gave them."""
        return [ChallengeCount.model_validate(row) for row in await self._rows(_CHALLENGES, scope)]

    async def progress(self, scope: Scope) -> list[FormProgress]:
        """How many people reached each set of steps of each form, and sent it or not."""
        return [
            FormProgress(
                form=row["form"],
                reached=frozenset(row["steps"].split(_STEP_SEPARATOR)) - {""},
                submitted=row["submitted"],
                people=row["people"],
            )
            for row in await self._rows(_PROGRESS, scope)
        ]

    async def survey_waves(self, scope: Scope) -> SurveyWaves:
        """Answer sets of each wave in the scope (by the area given when answering), and
        people with both; anonymous sets count once each, in no event."""
        (row,) = await self._rows(_SURVEY_WAVES, scope)
        return SurveyWaves.model_validate(row)
