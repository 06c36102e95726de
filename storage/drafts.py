"""Drafts: the form each person is filling in, saved answer by answer.

A draft row is the source of truth for resuming a form after a restart or hours later: the
answers and the step they lead to are written in one transaction. Steps are addressed by key
(``step_key``, NULL at the summary), with the form's step keys as they were (``form_steps``),
so a form edited in the config never moves a draft onto a different question. The step a draft
is put on, and its submission, are noted in the same transaction for the completion funnel
(:mod:`storage.progress`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from storage.database import Database, Writes, fetch_one
from storage.progress import note_reached, note_submitted

__all__ = ["Draft", "DraftStore", "IdleDraft"]

T = TypeVar("T")


class Draft(BaseModel):
    id: int
    user_id: int
    form: str
    step_key: str | None  # None: at the summary
    form_steps: list[str]
    answers: dict[str, Any]
    return_to_summary: bool
    question_message_id: int | None
    started_at: datetime
    updated_at: datetime


_COLUMNS = (
    "id, user_id, form, step_key, form_steps, answers, return_to_summary,"
    " question_message_id, started_at, updated_at"
)


def _draft(row: Any) -> Draft:
    values = dict(row)
    values["answers"] = json.loads(values["answers"])
    values["form_steps"] = json.loads(values["form_steps"] or "[]")
    return Draft.model_validate(values)


class IdleDraft(BaseModel):
    """A form someone began and has not touched since ``updated_at``."""

    id: int
    user_id: int
    updated_at: datetime
    follow_ups: bool  # False after /stop: no reminders


class DraftStore:
    """Reads and writes the ``drafts`` table: at most one draft per person."""

    def __init__(self, database: Database) -> None:
        self._database = database
        # Question message ids not yet written (they wait for the next transaction).
        self._questions: dict[int, int | None] = {}

    async def get_for(self, user_id: int) -> Draft | None:
        row = await fetch_one(
            self._database.connection,
            f"SELECT {_COLUMNS} FROM drafts WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        draft = _draft(row)
        if draft.id in self._questions:
            draft.question_message_id = self._questions[draft.id]
        return draft

    async def start(
        self,
        user_id: int,
        form: str,
        form_steps: Sequence[str],
        now: datetime,
        *,
        step_key: str | None,
        answers: Mapping[str, Any] | None = None,
    ) -> Draft:
        """Begin ``form`` for the person at ``step_key``, replacing any draft they had."""

        def replace(connection: sqlite3.Connection) -> sqlite3.Row:
            connection.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
            [row] = connection.execute(
                "INSERT INTO drafts (user_id, form, step_key, form_steps, answers, started_at,"
                f" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
                (
                    user_id,
                    form,
                    step_key,
                    json.dumps(list(form_steps)),
                    json.dumps(dict(answers or {})),
                    now.isoformat(),
                    now.isoformat(),
                ),
            ).fetchall()
            note_reached(connection, user_id, form, step_key, now)
            return cast(sqlite3.Row, row)

        async with self._database.transaction():
            return _draft(await self._database.run(replace))

    async def save(self, draft: Draft, now: datetime) -> None:
        """Store the draft's answers and the step they lead to, together."""

        def save(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE drafts SET answers = ?, step_key = ?, form_steps = ?,"
                " return_to_summary = ?, updated_at = ? WHERE id = ?",
                (
                    json.dumps(draft.answers),
                    draft.step_key,
                    json.dumps(draft.form_steps),
                    draft.return_to_summary,
                    now.isoformat(),
                    draft.id,
                ),
            )
            note_reached(connection, draft.user_id, draft.form, draft.step_key, now)

        async with self._database.transaction():
            await self._database.run(save)

    def note_question(self, draft_id: int, message_id: int | None) -> None:
        """Remember which message shows the draft's question; written with the next commit.

        Only cosmetic (which buttons to tidy away), so it costs no transaction of its own.
        """
        self._questions[draft_id] = message_id

        def write(writes: Writes) -> None:
            writes.execute(
                "UPDATE drafts SET question_message_id = ? WHERE id = ?", (message_id, draft_id)
            )
            if self._questions.get(draft_id) == message_id:
                del self._questions[draft_id]

        self._database.later(write)

    async def discard(self, draft_id: int) -> None:
        async with self._database.transaction() as connection:
            await connection.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
        self._questions.pop(draft_id, None)

    async def complete(
        self, draft_id: int, submit: Callable[[], Awaitable[T]], now: datetime
    ) -> T:
        """Run the form's on-submit hook, note the submission and discard the draft, in one
        transaction."""

        def submitted(connection: sqlite3.Connection) -> None:
            for user_id, form in connection.execute(
                "DELETE FROM drafts WHERE id = ? RETURNING user_id, form", (draft_id,)
            ).fetchall():
                note_submitted(connection, user_id, form, now)

        async with self._database.transaction():
            result = await submit()
            await self._database.run(submitted)
        self._questions.pop(draft_id, None)
        return result

    async def idle_since(self, cutoff: datetime) -> list[IdleDraft]:
        """Drafts not touched since ``cutoff``, oldest first."""
        return [
            IdleDraft.model_validate(dict(row))
            for row in await self._database.connection.execute_fetchall(
                "SELECT drafts.id, drafts.user_id, drafts.updated_at, participants.follow_ups"
                " FROM drafts JOIN participants USING (user_id)"
                " WHERE drafts.updated_at < ? ORDER BY drafts.updated_at",
                (cutoff.isoformat(),),
            )
        ]

    async def adopt_step_keys(self, forms: Mapping[str, Sequence[str]]) -> int:
        """Give drafts opened before steps had keys the key of the step they were on.

        ``forms`` maps form names to their step keys. Returns how many drafts changed.
        """
        async with self._database.transaction() as connection:
            legacy = list(
                await connection.execute_fetchall(
                    "SELECT id, form, step FROM drafts WHERE form_steps IS NULL"
                )
            )
            for draft_id, form, index in legacy:
                keys = list(forms.get(form, ()))
                await connection.execute(
                    "UPDATE drafts SET step_key = ?, form_steps = ? WHERE id = ?",
                    (keys[index] if index < len(keys) else None, json.dumps(keys), draft_id),
                )
        return len(legacy)
