"""The /sim control API: act as users, read chats and the call log, inject faults."""

from __future__ import annotations

import json
import mimetypes
import time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.simulator.html_text import command_entities
from bot.simulator.media import VOICE_SECONDS, sample_ogg, sample_png, sample_webp
from bot.simulator.state import JSON, Chat, Fault, SimState, StoredMessage, User

EVENTS_MAX_TIMEOUT = 30.0
FAULT_KINDS = frozenset({"retry_after", "server_error", "timeout", "slow", "blocked"})
MESSAGE_KINDS = frozenset({"text", "photo", "voice", "sticker", "document"})


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


def _bad(message: str) -> web.HTTPBadRequest:
    """A 400 to raise from helpers, with the same JSON body as _error."""
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request) -> JSON:
    """The JSON object body, or an empty one."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise _bad("body must be JSON") from exc
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object")
    return body


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise _bad(f"{name} must be an integer") from exc


def _buttons(stored: StoredMessage) -> list[list[JSON]]:
    keyboard = stored.message.get("reply_markup") or {}
    rows: list[list[JSON]] = keyboard.get("inline_keyboard", [])
    return rows


class ControlApi:
    """aiohttp handlers for /sim/..., sharing SimState with the Bot API."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        """The control API's routes."""
        return [
            web.get("/sim/personas", self.personas),
            web.post("/sim/users/{user_id}/messages", self.send),
            web.post("/sim/users/{user_id}/press", self.press),
            web.get("/sim/chats/{chat_id}/messages", self.messages),
            web.get("/sim/chats/{chat_id}/events", self.events),
            web.get("/sim/calls", self.calls),
            web.get("/sim/updates", self.pending_updates),
            web.post("/sim/updates", self.raw_update),
            web.post("/sim/faults", self.add_fault),
            web.delete("/sim/faults", self.clear_faults),
            web.get("/sim/files/{file_id}", self.file),
        ]

    async def personas(self, request: web.Request) -> web.Response:
        """The personas the web page offers."""
        return web.json_response([p.to_json() for p in self.state.personas])

    async def send(self, request: web.Request) -> web.Response:
        """A user sends a text or a sample photo, voice note, sticker or document."""
        body = await _body(request)
        kind = body.get("kind", "text")
        if kind not in MESSAGE_KINDS:
            return _error(400, f"kind must be one of {sorted(MESSAGE_KINDS)}")
        user = self.state.user(_int(request.match_info["user_id"], "user_id"))
        if body.get("first_name") and user.first_name == f"User {user.id}":
            user.first_name = str(body["first_name"])
        try:
            chat = self.state.open_chat(user, body.get("chat_id"), body.get("chat_title"))
        except ValueError as exc:
            return _error(400, str(exc))
        if kind == "text":
            text = str(body.get("text") or "")
            if not text.strip():
                return _error(400, "text is empty")
            content: JSON = {"text": text}
            entities = command_entities(text)
            if entities:
                content["entities"] = entities
        else:
            content = self._media(user, kind, body)
            if body.get("caption"):
                content["caption"] = str(body["caption"])
        message: JSON = {
            "message_id": chat.take_message_id(),
            "from": user.to_json(),
            "chat": chat.to_json(),
            "date": int(time.time()),
            **content,
        }
        stored = StoredMessage(message, from_bot=False)
        chat.messages[message["message_id"]] = stored
        seq = self.state.add_event(chat, "message", message=stored.view())
        update_id = self.state.add_update("message", message)
        return web.json_response(
            {"message_id": message["message_id"], "update_id": update_id, "seq": seq}
        )

    def _media(self, user: User, kind: str, body: JSON) -> JSON:
        """Generated content for a non-text message, stored so getFile can serve it."""
        state = self.state
        if kind == "photo":
            stored = state.store_file(
                sample_png(), "photos", ".png", mime_type="image/png", name=None
            )
            size = {"width": 96, "height": 64, "file_size": len(stored.data)}
            return {
                "photo": [
                    {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, **size}
                ]
            }
        if kind == "voice":
            stored = state.store_file(
                sample_ogg(), "voice", ".oga", mime_type="audio/ogg", name=None
            )
            return {
                "voice": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "duration": VOICE_SECONDS,
                    "mime_type": "audio/ogg",
                    "file_size": len(stored.data),
                }
            }
        if kind == "sticker":
            stored = state.store_file(
                sample_webp(), "stickers", ".webp", mime_type="image/webp", name=None
            )
            return {
                "sticker": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "\N{THUMBS UP SIGN}",
                    "file_size": len(stored.data),
                }
            }
        name = str(body.get("file_name") or "notes.txt")
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        data = f"Notes from {user.first_name}\nA sample document from the simulator.\n".encode()
        stored = state.store_file(data, "documents", "", mime_type=mime, name=name)
        return {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": name,
                "mime_type": mime,
                "file_size": len(data),
            }
        }

    async def press(self, request: web.Request) -> web.Response:
        """A user taps an inline button (or, with force, sends any callback_data)."""
        body = await _body(request)
        user = self.state.user(_int(request.match_info["user_id"], "user_id"))
        chat = self.state.chats.get(body.get("chat_id") or user.id)
        if chat is None:
            return _error(404, "chat not found: the user has not written to the bot")
        label, data, message_id = body.get("label"), body.get("data"), body.get("message_id")
        candidates = [
            m
            for m in reversed(chat.messages.values())
            if m.from_bot and (message_id is None or m.message["message_id"] == message_id)
        ]
        if body.get("force"):
            if data is None:
                return _error(400, "force needs data")
            target = candidates[0].message if candidates else None
            if target is None and message_id is None:
                return _error(404, "no bot message in this chat")
            return self._callback(user, chat, message_id, target, str(data))
        if label is None and data is None:
            return _error(400, "give a label or data")
        for stored in candidates:
            for row in _buttons(stored):
                for button in row:
                    if (
                        "callback_data" in button
                        and (label is None or button["text"] == label)
                        and (data is None or button["callback_data"] == data)
                    ):
                        return self._callback(
                            user, chat, None, stored.message, button["callback_data"]
                        )
        visible = next((_buttons(m) for m in candidates if _buttons(m)), [])
        return _error(
            404,
            f"no button with label={label!r} data={data!r}",
            buttons=[[b["text"] for b in row] for row in visible],
        )

    def _callback(
        self, user: User, chat: Chat, message_id: int | None, message: JSON | None, data: str
    ) -> web.Response:
        """Queues a callback_query update; a missing message is sent as inaccessible."""
        query = self.state.new_callback_query(chat.id)
        payload: JSON = {
            "id": query.id,
            "from": user.to_json(),
            # A copy: the query shows the message as it was when pressed, whatever edits follow.
            "message": dict(message)
            if message
            else {"chat": chat.to_json(), "message_id": message_id or 0, "date": 0},
            "chat_instance": str(chat.id * 1_000_003),
            "data": data,
        }
        update_id = self.state.add_update("callback_query", payload)
        return web.json_response({"callback_query_id": query.id, "update_id": update_id})

    async def messages(self, request: web.Request) -> web.Response:
        """The chat as it is now: edits applied, deletions gone."""
        chat = self.state.chats.get(_int(request.match_info["chat_id"], "chat_id"))
        views = [] if chat is None else [m.view() for m in chat.messages.values()]
        return web.json_response(views)

    async def events(self, request: web.Request) -> web.Response:
        """Long poll for a chat's events after a seq."""
        chat_id = _int(request.match_info["chat_id"], "chat_id")
        after = _int(request.query.get("after", "0"), "after")
        try:
            timeout = min(float(request.query.get("timeout", "0")), EVENTS_MAX_TIMEOUT)
        except ValueError as exc:
            raise _bad("timeout must be a number") from exc
        await self.state.wait_for(lambda: bool(self.state.events_after(chat_id, after)), timeout)
        events = self.state.events_after(chat_id, after)
        return web.json_response({"events": events, "last_seq": self.state.seq})

    async def calls(self, request: web.Request) -> web.Response:
        """The Bot API calls the bot made, optionally of one method."""
        method = request.query.get("method", "").lower()
        calls = [c for c in self.state.calls if not method or c["method"].lower() == method]
        return web.json_response(calls)

    async def pending_updates(self, request: web.Request) -> web.Response:
        """How many updates the bot has not yet confirmed (by getUpdates offset or a 2xx)."""
        return web.json_response({"pending": len(self.state.deliverable_updates())})

    async def raw_update(self, request: web.Request) -> web.Response:
        """Queues an update exactly as given, for kinds the other routes do not make (an edited
        message, a channel post, a location): ``{"kind": "channel_post", "payload": {...}}``.
        Not for presses: those need a query the bot can answer (use ``press``)."""
        body = await _body(request)
        kind, payload = body.get("kind"), body.get("payload")
        if not isinstance(kind, str) or not isinstance(payload, dict):
            return _error(400, "give a kind and a payload object")
        if kind == "callback_query":
            return _error(400, "press a button with /sim/users/{user_id}/press instead")
        return web.json_response({"update_id": self.state.add_update(kind, payload)})

    async def add_fault(self, request: web.Request) -> web.Response:
        """Makes the next calls of a method fail, or a chat blocked."""
        body = await _body(request)
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            return _error(400, f"kind must be one of {sorted(FAULT_KINDS)}")
        method = body.get("method")
        if kind != "blocked" and not method:
            return _error(400, "method is required")
        if kind == "blocked" and body.get("chat_id") is None:
            return _error(400, "blocked needs chat_id")
        try:
            fault = Fault(
                kind=kind,
                method=str(method).lower() if method else None,
                count=int(body.get("count", 1)),
                retry_after=int(body.get("retry_after", 1)),
                delay=float(body.get("delay", 6.0)),
                chat_id=None if body.get("chat_id") is None else int(body["chat_id"]),
            )
        except (TypeError, ValueError):
            return _error(400, "count, retry_after, delay and chat_id must be numbers")
        if fault.count < 1:
            return _error(400, "count must be at least 1")
        self.state.faults.append(fault)
        return web.json_response({"ok": True})

    async def clear_faults(self, request: web.Request) -> web.Response:
        """Removes every injected fault."""
        self.state.faults.clear()
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        """A stored file's bytes, for download links and inline images."""
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            return _error(404, "file not found")
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )
