"""Drafts: the form each person is filling in, saved answer by answer.

A draft row is the source of truth for resuming a form after a restart or hours later:
the answer and the step it moves to are written in one transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.database import Database


class Draft(BaseModel):
    id: int
    user_id: int
    form: str
    step: int
    answers: dict[str, Any]
    return_to_summary: bool
    question_message_id: int | None
    started_at: datetime
    updated_at: datetime


def _draft(row: Any) -> Draft:
    values = dict(row)
    values["answers"] = json.loads(values["answers"])
    return Draft.model_validate(values)


class DraftStore:
    """Reads and writes the ``drafts`` table: at most one draft per person."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get_for(self, user_id: int) -> Draft | None:
        async with self._database.connection.execute(
            "SELECT * FROM drafts WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _draft(row) if row else None

    async def start(
        self,
        user_id: int,
        form: str,
        now: datetime,
        answers: dict[str, Any] | None = None,
        *,
        step: int = 0,
    ) -> Draft:
        """Begin ``form`` for the person at ``step``, replacing any draft they had."""
        async with self._database.transaction() as connection:
            await connection.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
            async with connection.execute(
                "INSERT INTO drafts (user_id, form, step, answers, started_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
                (user_id, form, step, json.dumps(answers or {}), now.isoformat(), now.isoformat()),
            ) as cursor:
                row = await cursor.fetchone()
        return _draft(row)

    async def save(
        self,
        draft_id: int,
        *,
        answers: dict[str, Any],
        step: int,
        return_to_summary: bool,
        now: datetime,
    ) -> None:
        """Store the answers and the step they lead to, together."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE drafts SET answers = ?, step = ?, return_to_summary = ?, updated_at = ?"
                " WHERE id = ?",
                (json.dumps(answers), step, return_to_summary, now.isoformat(), draft_id),
            )

    async def set_question_message(self, draft_id: int, message_id: int | None) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE drafts SET question_message_id = ? WHERE id = ?", (message_id, draft_id)
            )

    async def discard(self, draft_id: int) -> None:
        async with self._database.transaction() as connection:
            await connection.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
