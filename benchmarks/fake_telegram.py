"""An in-process Bot API: a PTB ``BaseRequest`` that answers as Telegram would, without HTTP.

The flow benchmarks run the real bot (and the floors) against it, so what they time is the
bot's own work, not an emulator's or a network's. It hands out queued updates on
``getUpdates``, remembers each chat's messages with their buttons (so a simulated person can
press one by its label), and answers every other method with a plausible result.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

__all__ = ["BOT_ID", "FakeBotApi", "Shown"]

BOT_ID = 1
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
MAX_BATCH = 100  # getUpdates' limit
KEPT_PER_CHAT = 8  # the newest messages of a chat, enough to find the button to press next


@dataclass
class Shown:
    """A message the bot sent to a chat: its text and its buttons as (label, data)."""

    message_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)


def _buttons(markup: object) -> list[tuple[str, str]]:
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return []
    return [
        (button["text"], button.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


class FakeBotApi(BaseRequest):
    """Telegram as one PTB request object: updates in by :meth:`deliver`, messages kept by chat.

    One instance serves both the bot's sending and its ``getUpdates`` (PTB takes two request
    objects; the same one twice is fine as nothing here is per-connection).
    """

    def __init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.chats: dict[int, list[Shown]] = {}
        self.calls = 0
        self.delivered_at: dict[int, float] = {}  # update id -> when getUpdates handed it over

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def deliver(self, update: dict[str, Any]) -> int:
        """Queue an update (without its id) for the next ``getUpdates``; its id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._arrived.set()
        return update_id

    def latest(self, chat_id: int) -> Shown | None:
        shown = self.chats.get(chat_id)
        return shown[-1] if shown else None

    def button(self, chat_id: int, label: str) -> tuple[int, str]:
        """The newest message in the chat with a button labelled ``label``: (its id, data)."""
        for shown in reversed(self.chats.get(chat_id, [])):
            for text, data in shown.buttons:
                if text == label:
                    return shown.message_id, data
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    def first_button(self, chat_id: int) -> tuple[int, str, str]:
        """The first button of the newest message with buttons: (message id, label, data)."""
        for shown in reversed(self.chats.get(chat_id, [])):
            if shown.buttons:
                label, data = shown.buttons[0]
                return shown.message_id, label, data
        raise LookupError(f"no buttons in chat {chat_id}")

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        self.calls += 1
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.parameters if request_data is not None else {}
        if endpoint == "getUpdates":
            result: object = await self._get_updates(parameters)
        else:
            result = self._answer(endpoint, parameters)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _get_updates(self, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(parameters.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._arrived.clear()
            timeout = float(parameters.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
            except TimeoutError:
                return []
        batch = self._updates[:MAX_BATCH]
        now = time.perf_counter()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _answer(self, endpoint: str, parameters: dict[str, Any]) -> object:
        if endpoint == "getMe":
            return BOT_USER
        if endpoint in ("sendMessage", "sendPhoto", "sendDocument"):
            chat_id = int(parameters["chat_id"])
            text = str(parameters.get("text") or parameters.get("caption") or "")
            shown = Shown(next(self._message_ids), text, _buttons(parameters.get("reply_markup")))
            kept = self.chats.setdefault(chat_id, [])
            kept.append(shown)
            del kept[:-KEPT_PER_CHAT]
            return self._message(chat_id, shown)
        if endpoint in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            chat_id = int(parameters["chat_id"])
            message_id = int(parameters["message_id"])
            for shown in self.chats.get(chat_id, []):
                if shown.message_id == message_id:
                    shown.text = str(parameters.get("text", shown.text))
                    shown.buttons = _buttons(parameters.get("reply_markup"))
                    return self._message(chat_id, shown)
            return True
        return True  # answerCallbackQuery, deleteMessage, setMyCommands, deleteWebhook, ...

    @staticmethod
    def _message(chat_id: int, shown: Shown) -> dict[str, Any]:
        return {
            "message_id": shown.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": shown.text,
        }
