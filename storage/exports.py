"""What exports read: participants, needs, challenge answers and survey answers, filtered and
streamed in chunks from one consistent snapshot; and the installation's pseudonym key.

Public surface: :class:`ExportedAnswer`, :class:`ExportedNeed`, :class:`ExportStore`
(``secret``, ``snapshot``), :class:`ExportReader` (``count``, ``participants``, ``needs``,
``challenge_answers``, ``survey_answers``), :data:`CHUNK_ROWS`.

A snapshot is a read transaction on a read-only connection of its own: an export sees the
data as it was when it began, across every sheet, and never holds up the bot's writes.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import aiosqlite

from storage.contributions import ChallengeAnswer, need_reference
from storage.database import Database, fetch_one
from storage.participants import Participant
from storage.scope import Scope, in_scope
from storage.surveys import SurveyRow, survey_from_row

__all__ = ["CHUNK_ROWS", "ExportReader", "ExportStore", "ExportedAnswer", "ExportedNeed"]

# Rows fetched at a time: memory stays flat however big the programme grows.
CHUNK_ROWS = 500

Row = TypeVar("Row")


class ExportedAnswer(ChallengeAnswer):
    """A challenge answer with its author's area now (answers do not store one)."""

    area: str | None


class ExportedNeed(NamedTuple):
    """A need as an export reads it: a plain tuple of its decoded columns, not a validated
    model (it was validated when stored; an export reads every need, and a model each cost
    more than the rest of its row's work)."""

    id: int
    user_id: int | None
    area: str
    neighbourhood: str | None
    description: str
    affected: tuple[str, ...]
    evidence: dict[str, Any] | None
    urgency: str
    can_help: str
    themes: tuple[str, ...]
    themes_by_admin: bool
    status: str
    created_at: datetime

    @property
    def reference(self) -> str:
        return need_reference(self.id)


_PARTICIPANTS = (
    "SELECT * FROM participants WHERE "
    + in_scope(area="area", person="user_id", when="consented_at")
    + " ORDER BY consented_at, user_id"
)
_NEEDS = (
    "SELECT id, user_id, area, neighbourhood, description, affected, evidence, urgency,"
    " can_help, themes, themes_by_admin, status, created_at FROM needs WHERE "
    + in_scope(area="area", person="user_id", when="created_at")
    + " ORDER BY id"
)
_CHALLENGE_ANSWERS = (
    "SELECT challenge_answers.*, participants.area AS area FROM challenge_answers"
    " LEFT JOIN participants USING (user_id) WHERE "
    + in_scope(
        area="participants.area",
        person="challenge_answers.user_id",
        when="challenge_answers.created_at",
    )
    + " ORDER BY challenge_answers.id"
)
# Each person's waves together, before first, so a reader can pair them as it goes.
_SURVEY_ANSWERS = (
    "SELECT * FROM survey_answers WHERE "
    + in_scope(area="area", person="user_id", when="answered_at")
    + " ORDER BY user_id IS NULL, user_id, wave = 'after', id"
)

# How many rows each query reads, for an export's progress when it reads the rows only once.
_COUNTS = {
    name: f"SELECT COUNT(*) FROM ({sql})"
    for name, sql in (
        ("participants", _PARTICIPANTS),
        ("needs", _NEEDS),
        ("challenge_answers", _CHALLENGE_ANSWERS),
        ("survey_answers", _SURVEY_ANSWERS),
    )
}


class ExportReader:
    """Streams the filtered rows of one snapshot, ``CHUNK_ROWS`` at a time."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def _chunks(
        self, sql: str, rows_of: Scope, model: Callable[[Any], Row], *, by_name: bool = True
    ) -> AsyncIterator[list[Row]]:
        """Each chunk's rows made into ``model``s, from a dict of the columns by name, or
        (``by_name`` False: the needs, the most rows) from the plain tuple."""
        async with self._connection.execute(sql, rows_of.parameters()) as cursor:
            names = [column[0] for column in cursor.description]
            while chunk := await cursor.fetchmany(CHUNK_ROWS):
                if by_name:
                    yield [model(dict(zip(names, row, strict=True))) for row in chunk]
                else:
                    yield [model(row) for row in chunk]

    async def count(self, table: str, rows_of: Scope) -> int:
        """How many rows ``table`` (participants, needs, challenge_answers or survey_answers)
        has for ``rows_of``."""
        row = await fetch_one(self._connection, _COUNTS[table], rows_of.parameters())
        assert row is not None  # COUNT(*) always answers
        return int(row[0])

    def participants(self, rows_of: Scope) -> AsyncIterator[list[Participant]]:
        """People who consented (``since``: on or after it), in the order they joined."""
        return self._chunks(_PARTICIPANTS, rows_of, Participant.model_validate)

    def needs(self, rows_of: Scope) -> AsyncIterator[list[ExportedNeed]]:
        return self._chunks(_NEEDS, rows_of, _exported_need, by_name=False)

    def challenge_answers(self, rows_of: Scope) -> AsyncIterator[list[ExportedAnswer]]:
        """Answers by their author's area now; an anonymous answer is in no area."""
        return self._chunks(_CHALLENGE_ANSWERS, rows_of, _exported_answer)

    def survey_answers(self, rows_of: Scope) -> AsyncIterator[list[SurveyRow]]:
        """Answer sets by person (anonymous ones last), each person's before first."""
        return self._chunks(_SURVEY_ANSWERS, rows_of, survey_from_row)


@functools.lru_cache(maxsize=4096)
def _choices(stored: str) -> tuple[str, ...]:
    """A stored JSON list of choices (who is affected, themes): few distinct ones among many
    needs, so each is decoded once."""
    return tuple(json.loads(stored))


def _exported_need(row: Any) -> ExportedNeed:
    evidence = row[6]
    return ExportedNeed(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        _choices(row[5]),
        json.loads(evidence) if evidence is not None else None,
        row[7],
        row[8],
        _choices(row[9]),
        bool(row[10]),
        row[11],
        datetime.fromisoformat(row[12]),
    )


def _exported_answer(row: Any) -> ExportedAnswer:
    values = dict(row)
    for column in ("answers", "themes"):
        values[column] = json.loads(values[column])
    return ExportedAnswer.model_validate(values)


class ExportStore:
    """The pseudonym key (``export_secret``) and read snapshots for exports."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def secret(self, now: datetime) -> bytes:
        """The installation's pseudonym key, made on first use and the same ever after."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT OR IGNORE INTO export_secret (id, secret, created_at) VALUES (1, ?, ?)",
                (secrets.token_hex(32), now.isoformat()),
            )
            row = await fetch_one(connection, "SELECT secret FROM export_secret WHERE id = 1")
        assert row is not None  # just inserted, or there before
        return bytes.fromhex(row[0])

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[ExportReader]:
        """A reader over the database as it is now, on a read-only connection of its own."""
        uri = self._database.path.resolve().as_uri() + "?mode=ro"
        connection = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        try:
            await connection.execute("BEGIN")
            yield ExportReader(connection)
        finally:
            await connection.close()
