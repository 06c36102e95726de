"""Everything stored about one person: to show it to them, and to erase it.

This is the one place that knows every table holding personal data; a migration that adds
such a table adds it here too.
"""

from __future__ import annotations

import json
from typing import Any

from storage.database import Database

# (table, column naming the person) for rows that are wholly personal data.
_PERSONAL_TABLES = (("drafts", "user_id"), ("participants", "user_id"))


async def everything_about(database: Database, user_id: int) -> dict[str, Any]:
    """Every stored row about the person, by table, as plain JSON-ready values."""
    found: dict[str, Any] = {}
    for table, column in _PERSONAL_TABLES:
        async with database.connection.execute(
            f"SELECT * FROM {table} WHERE {column} = ?", (user_id,)
        ) as cursor:
            rows = [dict(row) for row in await cursor.fetchall()]
        for row in rows:
            if isinstance(row.get("answers"), str):
                row["answers"] = json.loads(row["answers"])
        found[table] = rows
    return found


async def erase_person(database: Database, user_id: int) -> None:
    """Delete the person's personal data, including the bot's own state about them."""
    async with database.transaction() as connection:
        for table, column in _PERSONAL_TABLES:
            await connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))
        await connection.execute(
            "DELETE FROM bot_state WHERE (kind IN ('user_data', 'chat_data') AND key = ?)"
            " OR (kind LIKE 'conversation:%' AND key = ?)",
            (str(user_id), json.dumps([user_id, user_id])),
        )
