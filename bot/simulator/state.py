"""The emulator's in-memory world: users, chats, messages, updates, events, files and faults.

Everything lives on one event loop, so mutations are plain synchronous code; one
asyncio.Event per change wakes every long poll (getUpdates and the control API's events).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# The call log is for assertions and the demo; a week of idle polling must not grow it forever.
CALL_LOG_LIMIT = 10_000
DEFAULT_UPDATE_TYPES = frozenset({"message", "edited_message", "callback_query"})


@dataclass(frozen=True)
class Persona:
    """A simulated Telegram user the web page and tests can act as."""

    user_id: int
    label: str
    first_name: str
    username: str | None = None
    description: str = ""

    def to_json(self) -> JSON:
        """The persona as the control API lists it."""
        return {
            "user_id": self.user_id,
            "label": self.label,
            "first_name": self.first_name,
            "username": self.username,
            "description": self.description,
        }


@dataclass
class User:
    """A Telegram user, human or the bot itself."""

    id: int
    first_name: str
    username: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        """The Bot API User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if not self.is_bot:
            data["language_code"] = "en"
        return data


@dataclass
class StoredMessage:
    """A message as it stands now, plus what only the simulator knows about it."""

    message: JSON
    from_bot: bool
    edited: bool = False
    # A reply keyboard, its removal or a force-reply: Telegram keeps these out of Message.
    reply_keyboard: JSON | None = None

    def view(self) -> JSON:
        """The message as the control API shows it."""
        data = {**self.message, "from_bot": self.from_bot, "edited": self.edited}
        if self.reply_keyboard is not None:
            data["reply_keyboard"] = self.reply_keyboard
        return data


@dataclass
class Chat:
    """A private chat (id = the user's id) or a group (negative id)."""

    id: int
    type: str
    user: User | None = None
    title: str | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    events: list[JSON] = field(default_factory=list)
    next_message_id: int = 1

    def to_json(self) -> JSON:
        """The Bot API Chat object, as embedded in a Message."""
        if self.user is not None:
            data: JSON = {"id": self.id, "type": self.type, "first_name": self.user.first_name}
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title}

    def take_message_id(self) -> int:
        """Allocates the next message id in this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    """A file the bot uploaded or a simulated user sent."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None = None
    file_name: str | None = None

    def to_json(self) -> JSON:
        """The Bot API File object (file_path relative, as Telegram returns it)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class CallbackQuery:
    """A button press the bot has been told about, and whether it answered it."""

    id: str
    chat_id: int
    answered: bool = False


@dataclass
class Webhook:
    """Where updates are pushed while a webhook is set, and how the last delivery went."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    # Bumped by every setWebhook and deleteWebhook, so a delivery waiting to retry notices.
    generation: int = 0
    last_error_date: int | None = None
    last_error_message: str | None = None

    def to_json(self, pending_update_count: int, allowed_updates: frozenset[str]) -> JSON:
        """The Bot API WebhookInfo object."""
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending_update_count,
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["allowed_updates"] = sorted(allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


@dataclass
class Fault:
    """An injected failure, matched against the bot's calls."""

    kind: str  # retry_after | server_error | timeout | slow | blocked
    method: str | None  # lower-case Bot API method; None matches any (blocked)
    count: int
    retry_after: int
    delay: float
    chat_id: int | None

    def matches(self, method: str, chat_id: object) -> bool:
        """Whether a call of `method` aimed at `chat_id` is hit by this fault."""
        if self.kind == "blocked":
            return chat_id == self.chat_id
        if self.method != method:
            return False
        return self.chat_id is None or chat_id == self.chat_id


class SimState:
    """All mutable emulator state, and the event that announces each change to it."""

    def __init__(self, bot_user: User, personas: tuple[Persona, ...]) -> None:
        self.bot_user = bot_user
        self.personas = personas
        self.users: dict[int, User] = {
            p.user_id: User(p.user_id, p.first_name, p.username) for p in personas
        }
        self.chats: dict[int, Chat] = {}
        self.updates: list[JSON] = []
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.webhook = Webhook()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.faults: list[Fault] = []
        self.calls: deque[JSON] = deque(maxlen=CALL_LOG_LIMIT)
        self.seq = 0
        self.closing = False
        self._update_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._changed = asyncio.Event()

    # Users and chats

    def user(self, user_id: int, first_name: str | None = None) -> User:
        """The user with this id, created on first use."""
        if user_id not in self.users:
            self.users[user_id] = User(user_id, first_name or f"User {user_id}")
        return self.users[user_id]

    def open_chat(self, user: User, chat_id: int | None, title: str | None) -> Chat:
        """The chat a user writes in: their private chat, or a group created on first use."""
        if chat_id is None or chat_id == user.id:
            return self.chats.setdefault(user.id, Chat(user.id, "private", user=user))
        if chat_id > 0:
            raise ValueError("a group chat id must be negative")
        return self.chats.setdefault(
            chat_id, Chat(chat_id, "group", title=title or f"Group {-chat_id}")
        )

    # Updates and events

    def add_update(self, kind: str, payload: JSON) -> int:
        """Queues an update for getUpdates and wakes the poller."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def deliverable_updates(self) -> list[JSON]:
        """The pending updates, oldest first, once those of unwanted types are dropped.

        Telegram never sends an update of a type outside allowed_updates, so they go for good.
        """
        self.updates = [u for u in self.updates if self.allowed_updates & u.keys()]
        return self.updates

    def confirm_update(self, update_id: int) -> None:
        """Forgets an update the bot has received (a webhook answered 2xx)."""
        self.updates = [u for u in self.updates if u["update_id"] != update_id]

    def set_webhook(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Starts pushing updates to `url` (an empty url removes the webhook)."""
        changed = url != self.webhook.url
        self.webhook.url = url
        self.webhook.secret_token = secret_token if url else None
        self.webhook.max_connections = max_connections
        self.webhook.generation += 1
        if changed or not url:
            self.webhook.last_error_date = self.webhook.last_error_message = None
        self._notify()

    def webhook_failed(self, message: str) -> None:
        """Records a failed delivery for getWebhookInfo."""
        self.webhook.last_error_date = int(time.time())
        self.webhook.last_error_message = message

    def add_event(self, chat: Chat, kind: str, **fields: Any) -> int:
        """Records something visible in a chat for the control API's event stream."""
        self.seq += 1
        chat.events.append(
            {"seq": self.seq, "type": kind, "chat_id": chat.id, "at": time.time(), **fields}
        )
        self._notify()
        return self.seq

    def events_after(self, chat_id: int, after: int) -> list[JSON]:
        """The chat's events with seq greater than `after`, oldest first."""
        chat = self.chats.get(chat_id)
        return [] if chat is None else [e for e in chat.events if e["seq"] > after]

    def _notify(self) -> None:
        # Each change sets the current event and starts a fresh one for the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> None:
        """Waits until `predicate()` holds, the emulator closes, or `seconds` pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not (self.closing or predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return

    def close(self) -> None:
        """Releases every long poll so the server can stop at once."""
        self.closing = True
        self._notify()

    # Files

    def store_file(
        self, data: bytes, folder: str, extension: str, *, mime_type: str | None, name: str | None
    ) -> StoredFile:
        """Keeps bytes under a fresh file_id so getFile and downloads can serve them."""
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"SIM{folder[:3].upper()}{number}-{secrets.token_urlsafe(12)}",
            file_unique_id=f"U{number}{secrets.token_hex(4)}",
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            mime_type=mime_type,
            file_name=name,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """The file served at a getFile path."""
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # Callback queries

    def new_callback_query(self, chat_id: int) -> CallbackQuery:
        """Registers a press the bot must answer."""
        query = CallbackQuery(str(next(self._query_ids)), chat_id)
        self.callback_queries[query.id] = query
        return query
