"""The bot framework's own state (user/chat/bot data, conversations) as JSON documents.

The framework's persistence layer in ``bot/`` calls this; it knows nothing of Telegram.
"""

from __future__ import annotations

import json
from typing import Any

from storage.database import Database


def conversation_key(key: tuple[int | str, ...]) -> str:
    """How a conversation's key (chat id, user id) is stored: the one place that says so."""
    return json.dumps(list(key))


class BotStateStore:
    """Reads and writes ``(kind, key) -> JSON`` documents in the ``bot_state`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def load_kind(self, kind: str) -> dict[str, Any]:
        """Every document of one kind, by key."""
        async with self._database.connection.execute(
            "SELECT key, value FROM bot_state WHERE kind = ?", (kind,)
        ) as cursor:
            rows = await cursor.fetchall()
        return {row["key"]: json.loads(row["value"]) for row in rows}

    async def save_many(self, documents: list[tuple[str, str, Any | None]]) -> None:
        """Write ``(kind, key, value)`` documents in one transaction; ``None`` deletes."""
        if not documents:
            return
        async with self._database.transaction() as connection:
            for kind, key, value in documents:
                if value is None:
                    await connection.execute(
                        "DELETE FROM bot_state WHERE kind = ? AND key = ?", (kind, key)
                    )
                else:
                    await connection.execute(
                        "INSERT INTO bot_state (kind, key, value) VALUES (?, ?, ?)"
                        " ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value,"
                        " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                        (kind, key, json.dumps(value, separators=(",", ":"))),
                    )
