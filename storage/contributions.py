"""What participants contribute: local needs and challenge answers, each with its themes.

References are derived from row ids (``N-0042``, ``C-0007``), so there is nothing to keep
in step; a submission carries its draft id, so submitting the same form twice stores once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from storage.database import Database, fetch_one

NeedStatus = Literal["new", "acknowledged", "responded", "done"]
_REFERENCE = re.compile(r"^(?P<kind>[NC])-(?P<id>\d{1,9})$", re.IGNORECASE)


def need_reference(need_id: int) -> str:
    return f"N-{need_id:04d}"


def challenge_reference(answer_id: int) -> str:
    return f"C-{answer_id:04d}"


class NeedContent(BaseModel):
    """What the person said about a need."""

    area: str
    neighbourhood: str | None
    description: str
    affected: list[str]
    evidence: dict[str, Any] | None
    urgency: str
    can_help: str
    themes: list[str]

    @property
    def tagged_text(self) -> str:
        """The words its themes are found in: the need, and any words given as evidence."""
        evidence_text = (self.evidence or {}).get("text") or ""
        return f"{self.description}\n{evidence_text}".strip()


class NewNeed(NeedContent):
    draft_id: int
    user_id: int


class Need(NeedContent):
    id: int
    user_id: int | None  # None once the person is forgotten and the need kept anonymously
    themes_by_admin: bool
    status: NeedStatus
    created_at: datetime

    @property
    def reference(self) -> str:
        return need_reference(self.id)


class ChallengeAnswer(BaseModel):
    id: int
    user_id: int | None
    challenge: str
    sector: str | None
    answers: dict[str, Any]
    themes: list[str]
    themes_by_admin: bool
    created_at: datetime

    @property
    def reference(self) -> str:
        return challenge_reference(self.id)

    @property
    def tagged_text(self) -> str:
        """The words its themes are found in: every part's answer."""
        return answers_text(self.answers)


def answers_text(answers: Mapping[str, Any]) -> str:
    """A challenge's answers as one text, for finding themes: lists and texts alike."""
    words: list[str] = []
    for answer in answers.values():
        if isinstance(answer, list):
            words.extend(answer)
        elif answer:
            words.append(str(answer))
    return "\n".join(words)


def _decoded(row: Any, *json_columns: str) -> dict[str, Any]:
    values = dict(row)
    for column in json_columns:
        if values[column] is not None:
            values[column] = json.loads(values[column])
    return values


def need_from_row(row: Any) -> Need:
    return Need.model_validate(_decoded(row, "affected", "evidence", "themes"))


def _challenge_answer(row: Any) -> ChallengeAnswer:
    return ChallengeAnswer.model_validate(_decoded(row, "answers", "themes"))


class ContributionStore:
    """Reads and writes ``needs`` and ``challenge_answers``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add_need(self, need: NewNeed, now: datetime) -> Need:
        """Store the need (once per draft) and return it with its reference."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO needs (draft_id, user_id, area, neighbourhood, description,"
                " affected, evidence, urgency, can_help, themes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id) DO NOTHING",
                (
                    need.draft_id,
                    need.user_id,
                    need.area,
                    need.neighbourhood,
                    need.description,
                    json.dumps(need.affected),
                    json.dumps(need.evidence) if need.evidence else None,
                    need.urgency,
                    need.can_help,
                    json.dumps(need.themes),
                    now.isoformat(),
                    now.isoformat(),
                ),
            )
        row = await fetch_one(
            self._database.connection, "SELECT * FROM needs WHERE draft_id = ?", (need.draft_id,)
        )
        return need_from_row(row)  # just written, or written by the earlier identical submit

    async def needs_of(self, user_id: int) -> list[Need]:
        rows = await self._database.connection.execute_fetchall(
            "SELECT * FROM needs WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [need_from_row(row) for row in rows]

    async def by_reference(self, reference: str) -> Need | ChallengeAnswer | None:
        """The need (``N-0042``) or challenge answer (``C-0007``) a reference names."""
        match = _REFERENCE.match(reference.strip())
        if not match:
            return None
        is_need = match["kind"].upper() == "N"
        table = "needs" if is_need else "challenge_answers"
        row = await fetch_one(
            self._database.connection, f"SELECT * FROM {table} WHERE id = ?", (int(match["id"]),)
        )
        if row is None:
            return None
        return need_from_row(row) if is_need else _challenge_answer(row)

    async def add_challenge_answer(
        self,
        *,
        draft_id: int,
        user_id: int,
        challenge: str,
        sector: str | None,
        answers: dict[str, Any],
        themes: list[str],
        now: datetime,
    ) -> ChallengeAnswer:
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO challenge_answers (draft_id, user_id, challenge, sector, answers,"
                " themes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (draft_id) DO NOTHING",
                (
                    draft_id,
                    user_id,
                    challenge,
                    sector,
                    json.dumps(answers),
                    json.dumps(themes),
                    now.isoformat(),
                ),
            )
        row = await fetch_one(
            self._database.connection,
            "SELECT * FROM challenge_answers WHERE draft_id = ?",
            (draft_id,),
        )
        return _challenge_answer(row)

    async def retag(self, contribution: Need | ChallengeAnswer, themes: list[str]) -> None:
        """Set a contribution's themes by hand: kept from then on."""
        table = "needs" if isinstance(contribution, Need) else "challenge_answers"
        async with self._database.transaction() as connection:
            await connection.execute(
                f"UPDATE {table} SET themes = ?, themes_by_admin = 1 WHERE id = ?",
                (json.dumps(themes), contribution.id),
            )
