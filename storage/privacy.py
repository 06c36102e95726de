"""Everything stored about one person: to show it to them, and to erase it.

This is the one place that knows every table holding personal data; a migration that adds
such a table adds it here too: to ``_PERSONAL_TABLES`` if its rows are wholly about the
person, to ``_CONTRIBUTION_TABLES`` if they are what the person contributed (needs, challenge
answers, surveys), which ``programme.keep_anonymous_contributions`` may keep without them.
"""

from __future__ import annotations

import json
from typing import Any

from storage.bot_state import conversation_key
from storage.database import Database

# (table, column naming the person) for rows that are wholly personal data.
_PERSONAL_TABLES = (("drafts", "user_id"), ("participants", "user_id"))
# (table, nullable column naming the person, columns that could still identify them) for
# contributions: on erasure they are deleted, or kept as anonymous records with the person's
# column and the identifying ones (a voice note, a photo) set to NULL.
_CONTRIBUTION_TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("needs", "user_id", ("evidence",)),
    ("challenge_answers", "user_id", ()),
    ("survey_answers", "user_id", ()),
)


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """Columns stored as JSON text become the lists and objects they hold."""
    return {
        key: json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
        for key, value in row.items()
    }


async def everything_about(database: Database, user_id: int) -> dict[str, Any]:
    """Every stored row about the person, by table, as plain JSON-ready values."""
    found: dict[str, Any] = {}
    tables = [(table, column) for table, column, _ in _CONTRIBUTION_TABLES]
    for table, column in (*tables, *_PERSONAL_TABLES):
        async with database.connection.execute(
            f"SELECT * FROM {table} WHERE {column} = ?", (user_id,)
        ) as cursor:
            found[table] = [_json_ready(dict(row)) for row in await cursor.fetchall()]
    return found


async def erase_person(
    database: Database, user_id: int, *, keep_anonymous_contributions: bool
) -> None:
    """Delete the person's personal data, including the bot's own state about them.

    Their contributions are deleted too, unless ``keep_anonymous_contributions``: then they
    stay, no longer linked to anyone. All in one transaction.
    """
    async with database.transaction() as connection:
        for table, column, identifying in _CONTRIBUTION_TABLES:
            if keep_anonymous_contributions:
                cleared = ", ".join(f"{name} = NULL" for name in (column, *identifying))
                await connection.execute(
                    f"UPDATE {table} SET {cleared} WHERE {column} = ?", (user_id,)
                )
            else:
                await connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
        for table, column in _PERSONAL_TABLES:
            await connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
        await connection.execute(
            "DELETE FROM bot_state WHERE (kind IN ('user_data', 'chat_data') AND key = ?)"
            " OR (kind LIKE 'conversation:%' AND key = ?)",
            # A private chat's id is the person's id.
            (str(user_id), conversation_key((user_id, user_id))),
        )
