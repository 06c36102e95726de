"""Client of the emulator's control API, for end-to-end tests: act as users, read replies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp

TRANSCRIPT_LINES = 12


@dataclass(frozen=True)
class SimMessage:
    """One message as a user sees it (usually the bot's)."""

    message_id: int
    text: str  # text or caption, "" if none
    buttons: list[list[str]]  # inline keyboard labels by row
    button_data: list[list[str | None]]  # their callback_data
    reply_keyboard: list[list[str]]  # reply keyboard labels by row
    edited: bool  # an edit of an earlier message (or, from messages(), edited at some point)
    from_bot: bool
    has_photo: bool
    document_name: str | None
    raw: dict[str, Any]

    @classmethod
    def from_view(cls, view: dict[str, Any], *, edited: bool) -> SimMessage:
        """Builds one from a control-API message dict."""
        rows = (view.get("reply_markup") or {}).get("inline_keyboard", [])
        keyboard = (view.get("reply_keyboard") or {}).get("keyboard", [])
        document = view.get("document")
        return cls(
            message_id=view["message_id"],
            text=view.get("text") or view.get("caption") or "",
            buttons=[[b["text"] for b in row] for row in rows],
            button_data=[[b.get("callback_data") for b in row] for row in rows],
            reply_keyboard=[
                [b if isinstance(b, str) else b["text"] for b in row] for row in keyboard
            ],
            edited=edited,
            from_bot=view["from_bot"],
            has_photo="photo" in view,
            document_name=document.get("file_name") if document else None,
            raw=view,
        )

    def labels(self) -> list[str]:
        """Every inline button label, row by row."""
        return [label for row in self.buttons for label in row]

    def describe(self) -> str:
        """One transcript line: who, text, buttons."""
        who = "bot" if self.from_bot else "user"
        media = " [photo]" if self.has_photo else ""
        media += f" [document {self.document_name}]" if self.document_name else ""
        buttons = f" {self.buttons}" if self.buttons else ""
        return f"{who}: {self.text!r}{media}{buttons}"


class SimulatorClient:
    """Talks to a running BotApiEmulator's /sim API over HTTP."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._users: dict[int, SimUser] = {}

    async def __aenter__(self) -> SimulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        seconds: float = 10.0,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, Any]:
        """One control-API call; a status outside `expect` fails the test with the body."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(
            method,
            self._base_url + path,
            json=body,
            params=params,
            timeout=aiohttp.ClientTimeout(total=seconds),
        ) as response:
            text = await response.text()
            try:
                answer = json.loads(text)
            except ValueError:
                answer = text
            if response.status not in expect:
                raise AssertionError(f"{method} {path} -> {response.status}: {answer}")
            return response.status, answer

    async def file(self, file_id: str) -> bytes:
        """A file the bot sent (a photo, a document), byte for byte."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(f"{self._base_url}/sim/files/{file_id}") as response:
            if response.status != 200:
                raise AssertionError(f"file {file_id} -> {response.status}")
            return await response.read()

    def user(self, user_id: int, first_name: str | None = None) -> SimUser:
        """The simulated user with this id; the same object each time, so cursors persist."""
        if user_id not in self._users:
            self._users[user_id] = SimUser(self, user_id, first_name)
        return self._users[user_id]

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """The Bot API calls the bot made (optionally of one method), oldest first."""
        _, calls = await self.request("GET", "/sim/calls", params={"method": method or ""})
        result: list[dict[str, Any]] = calls
        return result

    async def pending_updates(self) -> int:
        """Updates sent that the bot has not confirmed receiving yet."""
        _, body = await self.request("GET", "/sim/updates")
        return int(body["pending"])

    async def raw_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Queues an update as given (an edited message, a channel post...); its update id."""
        _, body = await self.request(
            "POST", "/sim/updates", body={"kind": kind, "payload": payload}
        )
        return int(body["update_id"])

    async def inject_fault(
        self,
        method: str,
        kind: str,
        *,
        count: int = 1,
        retry_after: int = 1,
        delay: float = 6.0,
        chat_id: int | None = None,
    ) -> None:
        """Makes the next `count` calls of `method` fail (or, for "blocked", a chat refuse)."""
        body = {
            "method": method,
            "kind": kind,
            "count": count,
            "retry_after": retry_after,
            "delay": delay,
            "chat_id": chat_id,
        }
        await self.request("POST", "/sim/faults", body=body)

    async def clear_faults(self) -> None:
        """Removes every injected fault."""
        await self.request("DELETE", "/sim/faults")


class SimUser:
    """A simulated Telegram user: sends messages, presses buttons, waits for replies.

    Reading starts at the beginning of each chat, which for a user created before they or the
    bot wrote anything is exactly "everything after the SimUser was created".
    """

    def __init__(self, client: SimulatorClient, user_id: int, first_name: str | None) -> None:
        self.user_id = user_id
        self.chat_id = user_id  # a private chat's id is the user's id
        self._client = client
        self._first_name = first_name
        self._cursors: dict[int, int] = {}

    async def _send(self, kind: str, chat_id: int | None = None, **fields: Any) -> None:
        body: dict[str, Any] = {"kind": kind, "chat_id": chat_id, **fields}
        if self._first_name:
            body["first_name"] = self._first_name
        await self._client.request("POST", f"/sim/users/{self.user_id}/messages", body=body)

    async def send(self, text: str, *, chat_id: int | None = None) -> None:
        """Sends a text (a leading /command gets its bot_command entity)."""
        await self._send("text", chat_id, text=text)

    async def send_photo(self, caption: str | None = None) -> None:
        """Sends a small generated photo."""
        await self._send("photo", caption=caption)

    async def send_voice(self) -> None:
        """Sends a one-second voice note."""
        await self._send("voice")

    async def send_sticker(self) -> None:
        """Sends a sticker."""
        await self._send("sticker")

    async def send_document(self, file_name: str = "notes.txt") -> None:
        """Sends a small text document."""
        await self._send("document", file_name=file_name)

    async def press(
        self,
        label: str | None = None,
        *,
        data: str | None = None,
        message_id: int | None = None,
        force: bool = False,
        chat_id: int | None = None,
    ) -> str:
        """Taps an inline button by label or data (newest message first); force forges data.

        Returns the callback query's id, for :meth:`answer_to`.
        """
        body = {
            "label": label,
            "data": data,
            "message_id": message_id,
            "force": force,
            "chat_id": chat_id,
        }
        status, answer = await self._client.request(
            "POST", f"/sim/users/{self.user_id}/press", body=body, expect=(200, 404)
        )
        if status == 404:
            raise AssertionError(
                f"user {self.user_id} cannot press label={label!r} data={data!r}: "
                f"{answer['error']}; visible buttons: {answer.get('buttons', [])}"
            )
        return str(answer["callback_query_id"])

    async def _wait_for_event(
        self,
        chat: int,
        wanted: Callable[[dict[str, Any]], bool],
        timeout: float,  # noqa: ASYNC109
        after: int,
    ) -> tuple[dict[str, Any] | None, int]:
        """Long-polls the chat's events after ``after`` for the first one ``wanted`` accepts.

        Returns it (or None on timeout) with the seq read up to.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = max(deadline - loop.time(), 0.0)
            _, body = await self._client.request(
                "GET",
                f"/sim/chats/{chat}/events",
                params={"after": str(after), "timeout": str(remaining)},
                seconds=remaining + 10.0,
            )
            for event in body["events"]:
                after = event["seq"]
                if wanted(event):
                    return event, after
            after = max(after, body["last_seq"])
            if remaining <= 0:
                return None, after

    async def _transcript(self, chat: int) -> str:
        lines = [f"  {m.describe()}" for m in (await self.messages(chat))[-TRANSCRIPT_LINES:]]
        return "\n".join(lines) or "  (empty)"

    async def next_reply(
        # The wait happens in the server's long poll, so the timeout is a parameter of the call.
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        chat_id: int | None = None,
    ) -> SimMessage:
        """The next bot message or edit in the chat that this SimUser has not yet read."""
        return await self._next_from_bot(("message", "edit"), timeout, chat_id)

    async def next_message(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        chat_id: int | None = None,
    ) -> SimMessage:
        """The next new bot message in the chat, passing over edits of earlier ones."""
        return await self._next_from_bot(("message",), timeout, chat_id)

    async def next_edit(
        self,
        message_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        chat_id: int | None = None,
    ) -> SimMessage:
        """The next edit of one bot message, passing over everything else."""
        return await self._next_from_bot(("edit",), timeout, chat_id, message_id)

    async def _next_from_bot(
        self,
        kinds: tuple[str, ...],
        timeout: float,  # noqa: ASYNC109
        chat_id: int | None,
        message_id: int | None = None,
    ) -> SimMessage:
        chat = self.chat_id if chat_id is None else chat_id
        event, self._cursors[chat] = await self._wait_for_event(
            chat,
            lambda e: (
                e["type"] in kinds
                and e["message"]["from_bot"]
                and message_id in (None, e["message"]["message_id"])
            ),
            timeout,
            self._cursors.get(chat, 0),
        )
        if event is None:
            raise AssertionError(
                f"no {'reply' if 'edit' in kinds else 'new message'} from the bot in chat {chat} "
                f"within {timeout:g}s; "
                f"the chat now:\n{await self._transcript(chat)}"
            )
        return SimMessage.from_view(event["message"], edited=event["type"] == "edit")

    async def answer_to(
        self,
        callback_query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Waits for the bot's answer to one press (what :meth:`press` returned)."""
        chat = self.chat_id if chat_id is None else chat_id
        event, _ = await self._wait_for_event(
            chat,
            lambda e: (
                e["type"] == "callback_answer" and e["callback_query_id"] == callback_query_id
            ),
            timeout,
            0,
        )
        if event is None:
            raise AssertionError(
                f"the bot did not answer button press {callback_query_id} within {timeout:g}s "
                "(the phone would show a spinner)"
            )
        return event

    async def callback_answers(self, *, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every answer the bot gave to this chat's button presses, oldest first."""
        chat = self.chat_id if chat_id is None else chat_id
        _, body = await self._client.request("GET", f"/sim/chats/{chat}/events")
        return [e for e in body["events"] if e["type"] == "callback_answer"]

    async def messages(self, chat_id: int | None = None) -> list[SimMessage]:
        """The chat as it is now, user and bot messages alike."""
        chat = self.chat_id if chat_id is None else chat_id
        _, views = await self._client.request("GET", f"/sim/chats/{chat}/messages")
        return [SimMessage.from_view(v, edited=v["edited"]) for v in views]
