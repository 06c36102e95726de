"""python-telegram-bot persistence kept in the project's SQLite database.

PTB hands over its state every ``update_interval`` seconds and on shutdown; each hand-over is
written at once, so a restarted bot picks every conversation up where it was. (Form answers
do not wait for this: the form engine writes its drafts in the same transaction as each answer.)
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from storage.bot_state import BotStateStore

JSONDict = dict[str, Any]
# PTB's own aliases live in a private module; these are the same types, spelled out.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
BOT_DATA = "bot_data"
CALLBACK_DATA = "callback_data"
SINGLETON_KEY = ""


def _conversation_kind(name: str) -> str:
    return f"conversation:{name}"


class SQLitePersistence(BasePersistence[JSONDict, JSONDict, JSONDict]):
    """Stores user, chat and bot data, callback data and conversations as JSON in SQLite."""

    def __init__(
        self,
        store: BotStateStore,
        update_interval: float = 5.0,
        store_data: PersistenceInput | None = None,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._store = store

    async def _load_by_id(self, kind: str) -> dict[int, JSONDict]:
        return {int(key): value for key, value in (await self._store.load_kind(kind)).items()}

    async def get_user_data(self) -> dict[int, JSONDict]:
        return await self._load_by_id(USER_DATA)

    async def get_chat_data(self) -> dict[int, JSONDict]:
        return await self._load_by_id(CHAT_DATA)

    async def get_bot_data(self) -> JSONDict:
        stored = await self._store.load_kind(BOT_DATA)
        return dict(stored.get(SINGLETON_KEY, {}))

    async def get_callback_data(self) -> CDCData | None:
        stored = await self._store.load_kind(CALLBACK_DATA)
        if SINGLETON_KEY not in stored:
            return None
        buttons, mapping = stored[SINGLETON_KEY]
        return [tuple(entry) for entry in buttons], mapping

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._store.load_kind(_conversation_kind(name))
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._store.save_many([(_conversation_kind(name), json.dumps(list(key)), new_state)])

    async def update_user_data(self, user_id: int, data: JSONDict) -> None:
        await self._store.save_many([(USER_DATA, str(user_id), data)])

    async def update_chat_data(self, chat_id: int, data: JSONDict) -> None:
        await self._store.save_many([(CHAT_DATA, str(chat_id), data)])

    async def update_bot_data(self, data: JSONDict) -> None:
        await self._store.save_many([(BOT_DATA, SINGLETON_KEY, data)])

    async def update_callback_data(self, data: CDCData) -> None:
        await self._store.save_many([(CALLBACK_DATA, SINGLETON_KEY, data)])

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.save_many([(USER_DATA, str(user_id), None)])

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._store.save_many([(CHAT_DATA, str(chat_id), None)])

    async def refresh_user_data(self, user_id: int, user_data: JSONDict) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: JSONDict) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: JSONDict) -> None:
        """Nothing to do: this process is the only writer."""

    async def flush(self) -> None:
        """Nothing is buffered: every update above is already written."""
