"""PTB persistence in SQLite: what one bot process writes, the next one reads back."""

from __future__ import annotations

from pathlib import Path

from bot.persistence import SQLitePersistence
from storage.bot_state import BotStateStore
from storage.database import Database


async def test_state_survives_a_new_process(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    persistence = SQLitePersistence(BotStateStore(database))
    await persistence.update_user_data(7, {"name": "Maya", "steps": [1, 2]})
    await persistence.update_user_data(8, {"name": "Chris"})
    await persistence.update_chat_data(-100, {"topic": "needs"})
    await persistence.update_bot_data({"digest_sent": "2026-11-23"})
    await persistence.update_callback_data(([("abc", 1700000000.0, {"k": "v"})], {"m": "abc"}))
    await persistence.update_conversation("onboarding", (7, 7), 3)
    await persistence.update_conversation("onboarding", (8, 8), 1)
    await persistence.update_conversation("onboarding", (8, 8), None)
    await persistence.drop_user_data(8)
    await persistence.flush()
    await database.close()

    database = await Database.open(path)
    try:
        restarted = SQLitePersistence(BotStateStore(database))
        assert await restarted.get_user_data() == {7: {"name": "Maya", "steps": [1, 2]}}
        assert await restarted.get_chat_data() == {-100: {"topic": "needs"}}
        assert await restarted.get_bot_data() == {"digest_sent": "2026-11-23"}
        assert await restarted.get_callback_data() == (
            [("abc", 1700000000.0, {"k": "v"})],
            {"m": "abc"},
        )
        assert await restarted.get_conversations("onboarding") == {(7, 7): 3}
        assert await restarted.get_conversations("other") == {}
    finally:
        await database.close()


async def test_a_new_database_has_empty_state(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite3")
    try:
        persistence = SQLitePersistence(BotStateStore(database))
        assert await persistence.get_user_data() == {}
        assert await persistence.get_bot_data() == {}
        assert await persistence.get_callback_data() is None
    finally:
        await database.close()
