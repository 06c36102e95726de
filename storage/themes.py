"""Labelled examples the theme tagger learns from: every ``/retag`` correction.

The ``theme_examples`` table holds **personal data**: each row's ``text`` is contribution
text written by a participant (a need's words, a challenge answer), copied when an admin
corrected its themes. ``source_reference`` (``N-0042``, ``C-0007``) names the contribution
and ``user_id`` its author, so erasing a person (``/forget``) finds their rows.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from storage.database import Database


class ThemeExample(BaseModel):
    id: int
    text: str
    themes: list[str]  # [] means: about no theme
    source_reference: str
    created_at: datetime

    def as_pair(self) -> tuple[str, list[str]]:
        """``(text, themes)``, as the tagger takes learned examples."""
        return self.text, self.themes


class ThemeExampleStore:
    """Reads and writes ``theme_examples``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(
        self,
        text: str,
        themes: list[str],
        source_reference: str,
        now: datetime,
        *,
        user_id: int | None = None,
    ) -> ThemeExample:
        """Keep ``text`` (written by ``user_id``) as an example of ``themes`` (empty: of none)."""
        async with self._database.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO theme_examples (user_id, text, themes, source_reference, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_id, text, json.dumps(themes), source_reference, now.isoformat()),
            )
            example_id = cursor.lastrowid
        assert example_id is not None
        return ThemeExample(
            id=example_id,
            text=text,
            themes=list(themes),
            source_reference=source_reference,
            created_at=now,
        )

    async def all(self) -> list[ThemeExample]:
        """Every example, oldest first (a later correction of the same text wins)."""
        rows = await self._database.connection.execute_fetchall(
            "SELECT id, text, themes, source_reference, created_at FROM theme_examples ORDER BY id"
        )
        return [
            ThemeExample(
                id=row[0],
                text=row[1],
                themes=json.loads(row[2]),
                source_reference=row[3],
                created_at=row[4],
            )
            for row in rows
        ]
