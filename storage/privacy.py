"""Everything stored about one person: to show it to them, and to erase it.

Which tables hold personal data is declared by the feature that owns each table (a
:class:`PersonalData` in its declaration); the functions here take that list, so a new
feature's table is found by ``/mydata``, ``/forget`` and retention without editing this file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.database import Database

__all__ = ["PersonalData", "erase_person", "everything_about"]

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class PersonalData:
    """A table with rows about people, and how to find and erase them.

    ``contribution``: what the person contributed (a need, an answer); on erasure it is deleted,
    or kept as an anonymous record with ``person_column`` and the ``identifying`` columns (a
    voice note, a photo) set to NULL if the programme keeps anonymous contributions.
    ``shown``: included in the person's copy of their data (``/mydata``).
    """

    table: str
    person_column: str = "user_id"
    contribution: bool = False
    identifying: tuple[str, ...] = ()
    shown: bool = True

    def __post_init__(self) -> None:
        for name in (self.table, self.person_column, *self.identifying):
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"not a table or column name: {name!r}")


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """Columns stored as JSON text become the lists and objects they hold."""
    return {
        key: json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
        for key, value in row.items()
    }


async def everything_about(
    database: Database, user_id: int, tables: Sequence[PersonalData]
) -> dict[str, Any]:
    """Every stored row about the person in the shown tables, as JSON-ready values."""
    found: dict[str, Any] = {}
    for data in tables:
        if not data.shown:
            continue
        found[data.table] = [
            _json_ready(dict(row))
            for row in await database.connection.execute_fetchall(
                f"SELECT * FROM {data.table} WHERE {data.person_column} = ?", (user_id,)
            )
        ]
    return found


async def erase_person(
    database: Database,
    user_id: int,
    tables: Sequence[PersonalData],
    *,
    keep_anonymous_contributions: bool,
) -> None:
    """Delete the person's rows; contributions too, unless kept anonymously. One transaction.

    Contributions go first, so tables whose rows point at the person are cleared before the
    person's own row is deleted.
    """
    ordered = sorted(tables, key=lambda data: not data.contribution)
    async with database.transaction() as connection:
        for data in ordered:
            if data.contribution and keep_anonymous_contributions:
                cleared = ", ".join(
                    f"{name} = NULL" for name in (data.person_column, *data.identifying)
                )
                await connection.execute(
                    f"UPDATE {data.table} SET {cleared} WHERE {data.person_column} = ?",
                    (user_id,),
                )
            else:
                await connection.execute(
                    f"DELETE FROM {data.table} WHERE {data.person_column} = ?", (user_id,)
                )
