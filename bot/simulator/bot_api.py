"""The Bot API methods the bot uses, answered the way api.telegram.org answers them."""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from bot.simulator.html_text import EntityParseError, parse_html, strip_text
from bot.simulator.media import image_size
from bot.simulator.state import (
    DEFAULT_UPDATE_TYPES,
    JSON,
    Chat,
    SimState,
    StoredFile,
    StoredMessage,
)
from bot.simulator.webhook import webhook_url_problem

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

# How form values (always strings) become typed parameters; JSON bodies may already be typed.
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "duration",
        "max_connections",
        "message_thread_id",
        "reply_to_message_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "disable_web_page_preview",
        "drop_pending_updates",
        "protect_content",
        "show_alert",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
SECRET_TOKEN_LIMIT = 256
_GLOBAL_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_INLINE_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "web_app",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


class ApiError(Exception):
    """A Bot API error reply: HTTP status, description and optional response parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JSON:
        """The error as the Bot API's JSON envelope."""
        data: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters is not None:
            data["parameters"] = self.parameters
        return data


def bad_request(reason: str) -> ApiError:
    """A 400 worded as Telegram words it."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


def decode_params(raw: Mapping[str, Any]) -> JSON:
    """Types request parameters: ints, booleans and JSON-encoded structures arrive as strings."""
    params: JSON = {}
    for name, value in raw.items():
        if isinstance(value, str) and name in _JSON_PARAMS:
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise bad_request(f"can't parse {name} JSON object") from exc
        elif isinstance(value, str) and name in _INT_PARAMS:
            try:
                value = int(value)
            except ValueError:
                if name != "chat_id":  # "@channelname" is a valid chat_id
                    raise bad_request(f"invalid {name} specified") from None
        elif isinstance(value, str) and name == "timeout":
            try:
                value = float(value)
            except ValueError:
                raise bad_request("invalid timeout specified") from None
        elif isinstance(value, str) and name in _BOOL_PARAMS:
            value = value.lower() in ("true", "1")
        params[name] = value
    return params


@dataclass
class Call:
    """One decoded Bot API request."""

    params: JSON
    uploads: dict[str, Upload] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A string parameter, or None when absent."""
        value = self.params.get(name)
        return None if value is None else str(value)

    def loggable(self) -> JSON:
        """The parameters for the call log, with uploads summarised rather than copied."""
        files = {
            name: {"file_name": upload.filename, "size": len(upload.data)}
            for name, upload in self.uploads.items()
        }
        return {**self.params, **files}

    def integer(self, name: str) -> int:
        """A required integer parameter."""
        value = self.params.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        return value


Handler = Callable[[Call], Awaitable[Any]]


def _now() -> int:
    return int(time.time())


def _validate_markup(markup: Any) -> tuple[JSON | None, JSON | None]:
    """Splits reply_markup into (inline keyboard, other keyboard) after Telegram's checks."""
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text is empty")
                if not _INLINE_ACTIONS & button.keys():
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode())
                    if not 1 <= size <= CALLBACK_DATA_LIMIT:
                        raise bad_request("BUTTON_DATA_INVALID")
        return {"inline_keyboard": rows}, None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse keyboard markup JSON object")
        return None, markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


class BotApi:
    """Implements each supported method over the shared SimState."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "setMyDescription": self._bot_text_setter("description"),
            "getMyDescription": self._bot_text_getter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "getMyShortDescription": self._bot_text_getter("short_description"),
            "setMyName": self._bot_text_setter("name"),
            "getMyName": self._bot_text_getter("name"),
            "getChat": self.get_chat,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendVoice": self.send_voice,
            "getFile": self.get_file,
        }
        # Telegram matches method names case-insensitively.
        self.methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in handlers.items()
        }

    # Helpers

    def _chat(self, call: Call) -> Chat:
        return self._known_chat(call.params.get("chat_id"))

    def _known_chat(self, chat_id: object) -> Chat:
        """A chat the bot has seen; Telegram answers "chat not found" for any other."""
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)  # a numeric id inside a JSON object may come as a string
        chat = self.state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _bot_message(self, call: Call, chat: Chat, content: JSON) -> JSON:
        """Stores a message from the bot, announces it and returns it as the Bot API does."""
        inline, other = _validate_markup(call.params.get("reply_markup"))
        reply_to = self._replied_message(call, chat)
        message: JSON = {
            "message_id": chat.take_message_id(),
            "from": self.state.bot_user.to_json(),
            "chat": chat.to_json(),
            "date": _now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if inline is not None:
            message["reply_markup"] = inline
        stored = StoredMessage(message, from_bot=True, reply_keyboard=other)
        chat.messages[message["message_id"]] = stored
        self.state.add_event(chat, "message", message=stored.view())
        return message

    def _replied_message(self, call: Call, chat: Chat) -> JSON | None:
        reply = call.params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or call.params.get("reply_to_message_id")
        if target is None:
            return None
        stored = chat.messages.get(target)
        if stored is None:
            allow = call.params.get("allow_sending_without_reply") or (
                isinstance(reply, dict) and reply.get("allow_sending_without_reply")
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in stored.message.items() if k != "reply_to_message"}

    def _formatted(
        self, call: Call, field_name: str, entities_name: str, limit: int
    ) -> tuple[str, list[JSON]]:
        """Text and entities after parse_mode, trimmed, checked against `limit`."""
        raw = call.text(field_name) or ""
        entities = call.params.get(entities_name)
        mode = (call.text("parse_mode") or "").lower()
        if isinstance(entities, list):
            text = raw
        elif mode == "html":
            try:
                text, entities = parse_html(raw)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif mode:
            raise bad_request(f"unsupported parse_mode {call.text('parse_mode')!r} (emulator)")
        else:
            text, entities = raw, []
        text, entities = strip_text(text, entities)
        for entity in entities:
            if entity["type"] == "text_mention":
                # The Bot API sends the whole User (a stranger gets a placeholder name).
                entity["user"] = self.state.user(entity["user"]["id"]).to_json()
        if len(text) > limit:
            kind = "message caption" if field_name == "caption" else "message"
            raise bad_request(f"{kind} is too long")
        return text, entities

    def _caption(self, call: Call) -> JSON:
        text, entities = self._formatted(call, "caption", "caption_entities", CAPTION_LIMIT)
        content: JSON = {}
        if text:
            content["caption"] = text
            if entities:
                content["caption_entities"] = entities
        return content

    def _editable(self, call: Call) -> tuple[Chat, StoredMessage]:
        if call.params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        chat = self._chat(call)
        stored = chat.messages.get(call.integer("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, chat: Chat, stored: StoredMessage, changes: JSON) -> JSON:
        """Replaces content fields (None removes one), or refuses an edit that changes nothing."""
        message = stored.message
        if all(message.get(key) == value for key, value in changes.items()):
            raise bad_request(NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = _now()
        stored.edited = True
        self.state.add_event(chat, "edit", message=stored.view())
        return message

    def _input_file(self, call: Call, name: str) -> StoredFile:
        """The file sent as `name`: a fresh upload or an existing file_id."""
        value = call.params.get(name)
        upload = call.uploads.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.uploads.get(value.removeprefix("attach://"))
        if upload is not None:
            folder, extension, mime = {
                "photo": ("photos", ".jpg", "image/jpeg"),
                "voice": ("voice", ".oga", "audio/ogg"),
            }.get(name, ("documents", "", "application/octet-stream"))
            if name == "photo" and upload.data.startswith(b"\x89PNG"):
                extension, mime = ".png", "image/png"
            if name == "document":
                extension = PurePosixPath(upload.filename or "").suffix
                sent_type = upload.content_type
                if sent_type in (None, "", "application/octet-stream"):
                    sent_type = mimetypes.guess_type(upload.filename or "")[0]
                mime = sent_type or mime
            stored = self.state.store_file(
                upload.data, folder, extension, mime_type=mime, name=upload.filename
            )
            return stored
        if value in (None, ""):
            raise bad_request(f"there is no {name} in the request")
        existing = self.state.files.get(str(value))
        if existing is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return existing

    # Updates and webhooks

    async def get_me(self, call: Call) -> JSON:
        """The bot's own User with the capability flags getMe adds."""
        return {
            **self.state.bot_user.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, call: Call) -> list[JSON]:
        """Long polling: confirms by offset, waits up to `timeout` for something to return."""
        state = self.state
        if state.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = call.params.get("offset") or 0
        limit = min(max(call.params.get("limit") or 100, 1), 100)
        timeout = max(call.params.get("timeout") or 0, 0)
        allowed = call.params.get("allowed_updates")
        if isinstance(allowed, list):
            state.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES
        if offset > 0:
            state.updates = [u for u in state.updates if u["update_id"] >= offset]
        elif offset < 0:
            state.updates = state.updates[offset:]

        await state.wait_for(
            lambda: bool(state.webhook.url or state.deliverable_updates()), timeout
        )
        if state.webhook.url:
            # The webhook now owns the updates: handing them out here too would duplicate them.
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        return state.deliverable_updates()[:limit]

    async def set_webhook(self, call: Call) -> bool:
        """Pushes pending and new updates to a loopback URL (an empty URL removes the webhook)."""
        url = call.text("url") or ""
        if url:
            problem = webhook_url_problem(url)
            if problem is not None:
                raise bad_request(f"bad webhook: {problem}")
        secret = call.text("secret_token") or None
        if secret is not None:
            if len(secret) > SECRET_TOKEN_LIMIT:
                raise bad_request("secret token is too long")
            if not _SECRET_TOKEN.fullmatch(secret):
                raise bad_request("secret token contains unallowed characters")
        max_connections = 40
        if call.params.get("max_connections") is not None:
            max_connections = call.integer("max_connections")
        if not 1 <= max_connections <= 100:
            raise bad_request("invalid max_connections specified")
        allowed = call.params.get("allowed_updates")
        if isinstance(allowed, list):
            self.state.allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_TYPES
        if call.params.get("drop_pending_updates"):
            self.state.updates.clear()
        self.state.set_webhook(url, secret, max_connections)
        return True

    async def delete_webhook(self, call: Call) -> bool:
        """Stops webhook delivery so getUpdates works, optionally dropping pending updates."""
        if call.params.get("drop_pending_updates"):
            self.state.updates.clear()
        self.state.set_webhook("", None, 40)
        return True

    async def get_webhook_info(self, call: Call) -> JSON:
        """WebhookInfo: the URL, what is pending and how the last delivery went."""
        state = self.state
        return state.webhook.to_json(len(state.deliverable_updates()), state.allowed_updates)

    # Bot settings

    def _commands_key(self, call: Call) -> tuple[str, str]:
        """The stored list's key: the scope (its chat checked and its ids typed) and language."""
        scope = call.params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in _GLOBAL_SCOPES:
            key: JSON = {"type": kind}
        elif kind in _CHAT_SCOPES:
            key = {"type": kind, "chat_id": self._known_chat(scope.get("chat_id")).id}
            if kind == "chat_member":
                user_id = scope.get("user_id")
                if not isinstance(user_id, int) or isinstance(user_id, bool):
                    raise bad_request("invalid user_id specified")
                if user_id not in self.state.users:
                    raise bad_request("user not found")
                key["user_id"] = user_id
        else:
            raise bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(key, sort_keys=True), call.text("language_code") or ""

    async def set_my_commands(self, call: Call) -> bool:
        """Stores the command list for a scope and language after Telegram's checks."""
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty or too long")
        self.state.commands[self._commands_key(call)] = commands
        return True

    async def get_my_commands(self, call: Call) -> list[JSON]:
        """The command list stored for a scope and language."""
        return self.state.commands.get(self._commands_key(call), [])

    async def delete_my_commands(self, call: Call) -> bool:
        """Forgets the command list for a scope and language."""
        self.state.commands.pop(self._commands_key(call), None)
        return True

    async def set_chat_menu_button(self, call: Call) -> bool:
        """Stores the menu button for a chat, or the default one."""
        button = call.params.get("menu_button") or {"type": "default"}
        self.state.menu_buttons[self._menu_chat_id(call)] = button
        return True

    async def get_chat_menu_button(self, call: Call) -> JSON:
        """The menu button stored for a chat, else the default commands button."""
        return self.state.menu_buttons.get(self._menu_chat_id(call), {"type": "commands"})

    def _menu_chat_id(self, call: Call) -> int | None:
        """The known chat a menu button call is about, or None for the bot's default button."""
        if call.params.get("chat_id") in (None, ""):
            return None
        return self._chat(call).id

    def _bot_text_setter(self, kind: str) -> Handler:
        async def handler(call: Call) -> bool:
            key = (kind, call.text("language_code") or "")
            self.state.bot_texts[key] = call.text(kind) or ""
            return True

        return handler

    def _bot_text_getter(self, kind: str) -> Handler:
        async def handler(call: Call) -> JSON:
            return {kind: self.state.bot_texts.get((kind, call.text("language_code") or ""), "")}

        return handler

    async def get_chat(self, call: Call) -> JSON:
        """ChatFullInfo for a chat the bot knows."""
        chat = self._chat(call)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # Messages

    async def send_message(self, call: Call) -> JSON:
        """A text message, with HTML parsed into entities and keyboards checked."""
        chat = self._chat(call)
        text, entities = self._formatted(call, "text", "entities", TEXT_LIMIT)
        if not text:
            raise bad_request("message text is empty")
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._bot_message(call, chat, content)

    async def edit_message_text(self, call: Call) -> JSON:
        """New text (and keyboard: none given removes it) for a bot text message."""
        chat, stored = self._editable(call)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(call, "text", "entities", TEXT_LIMIT)
        if not text:
            raise bad_request("message text is empty")
        inline, _ = _validate_markup(call.params.get("reply_markup"))
        changes = {"text": text, "entities": entities or None, "reply_markup": inline}
        return self._apply_edit(chat, stored, changes)

    async def edit_message_caption(self, call: Call) -> JSON:
        """New caption (and keyboard) for a bot media message."""
        chat, stored = self._editable(call)
        if "text" in stored.message:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(call)
        inline, _ = _validate_markup(call.params.get("reply_markup"))
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": inline,
        }
        return self._apply_edit(chat, stored, changes)

    async def edit_message_reply_markup(self, call: Call) -> JSON:
        """A new inline keyboard for a bot message; none given removes it."""
        chat, stored = self._editable(call)
        inline, _ = _validate_markup(call.params.get("reply_markup"))
        return self._apply_edit(chat, stored, {"reply_markup": inline})

    async def delete_message(self, call: Call) -> bool:
        """Removes a message from the chat."""
        chat = self._chat(call)
        message_id = call.integer("message_id")
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self.state.add_event(chat, "delete", message_id=message_id)
        return True

    async def answer_callback_query(self, call: Call) -> bool:
        """Records the answer to a press; each query can be answered once."""
        query = self.state.callback_queries.get(call.text("callback_query_id") or "")
        if query is None or query.answered:
            raise bad_request(QUERY_INVALID)
        query.answered = True
        chat = self.state.chats[query.chat_id]
        self.state.add_event(
            chat,
            "callback_answer",
            callback_query_id=query.id,
            text=call.text("text"),
            show_alert=bool(call.params.get("show_alert")),
            url=call.text("url"),
        )
        return True

    async def send_chat_action(self, call: Call) -> bool:
        """Records a "typing..." style action."""
        chat = self._chat(call)
        action = call.text("action")
        if not action:
            raise bad_request("action is empty")
        self.state.add_event(chat, "chat_action", action=action)
        return True

    # Files

    async def send_photo(self, call: Call) -> JSON:
        """A photo (upload or file_id) with an optional caption."""
        chat = self._chat(call)
        stored = self._input_file(call, "photo")
        size = image_size(stored.data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = size
        photo = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.data),
        }
        return self._bot_message(call, chat, {"photo": [photo], **self._caption(call)})

    async def send_document(self, call: Call) -> JSON:
        """A document (upload or file_id) with an optional caption."""
        chat = self._chat(call)
        stored = self._input_file(call, "document")
        document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = len(stored.data)
        return self._bot_message(call, chat, {"document": document, **self._caption(call)})

    async def send_voice(self, call: Call) -> JSON:
        """A voice note (upload or file_id) with an optional caption."""
        chat = self._chat(call)
        stored = self._input_file(call, "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": call.params.get("duration") or 1,
            "mime_type": stored.mime_type or "audio/ogg",
            "file_size": len(stored.data),
        }
        return self._bot_message(call, chat, {"voice": voice, **self._caption(call)})

    async def get_file(self, call: Call) -> JSON:
        """The File for a file_id, whose file_path the download route serves."""
        stored = self.state.files.get(call.text("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_json()
