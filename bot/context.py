"""What a handler reaches from its update and context: the running bot's services, and who
sent the update (one narrowing helper instead of ``None`` checks in every callback)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram import Message, Update, User
from telegram.constants import MessageLimit
from telegram.ext import Application, ContextTypes

from bot.core import Core
from bot.deeplinks import DeepLinks
from bot.messaging.outbox import OutboxSender
from conversations.engine import FormEngine

if TYPE_CHECKING:
    from bot.features import Feature

__all__ = [
    "SERVICES_KEY",
    "BotApplication",
    "Context",
    "Sender",
    "Services",
    "pack_lines",
    "sender",
    "services",
]

BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE

SERVICES_KEY = "services"
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Services:
    """What the running bot shares: the core (stores, settings, clock), the form engine, the
    deep-link router, the outbox's sender, and the features it was built with."""

    core: Core
    forms: FormEngine
    links: DeepLinks
    sender: OutboxSender
    features: Sequence[Feature]


def services(context: Context) -> Services:
    """The shared services of the running application."""
    found: Services = context.bot_data[SERVICES_KEY]
    return found


@dataclass(frozen=True)
class Sender:
    """Who sent an update, in which chat, and the message it carried (if any)."""

    user: User
    chat_id: int
    message: Message | None

    async def reply(self, context: Context, text: str, **kwargs: Any) -> Message:
        """Send ``text`` to the chat the update came from."""
        return await context.bot.send_message(self.chat_id, text, **kwargs)

    async def reply_lines(
        self, context: Context, lines: Iterable[str], **kwargs: Any
    ) -> list[Message]:
        """Send ``lines`` in as few messages as Telegram's length limit allows; the buttons
        (``reply_markup``), if any, go on the last one."""
        markup = kwargs.pop("reply_markup", None)
        texts = pack_lines(lines)
        if not texts:
            raise ValueError("no lines to send")
        sent = [await self.reply(context, text, **kwargs) for text in texts[:-1]]
        return [*sent, await self.reply(context, texts[-1], reply_markup=markup, **kwargs)]


def pack_lines(lines: Iterable[str], limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """``lines`` joined by newlines into as few texts as fit ``limit`` characters each, never
    splitting a line; one longer than ``limit`` loses its tags and is cut with "…". Blank
    lines at the start or end of a text are dropped (they separate blocks, not messages)."""
    texts: list[str] = []
    current = ""
    for line in lines:
        fitted = line if len(line) <= limit else _cut(line, limit)
        if current and len(current) + 1 + len(fitted) > limit:
            texts.append(current)
            current = fitted.lstrip("\n")
        else:
            current = f"{current}\n{fitted}" if current else fitted.lstrip("\n")
    texts.append(current)
    return [text.strip("\n") for text in texts if text.strip("\n")]


def _cut(line: str, limit: int) -> str:
    """The line without its HTML tags (a cut could leave one open), cut to ``limit``
    characters with "…" but not inside an entity (``&amp;``)."""
    plain = _TAG.sub("", line)
    if len(plain) <= limit:
        return plain
    kept = plain[: limit - 1]
    if kept.rfind("&") > kept.rfind(";"):
        kept = kept[: kept.rfind("&")]
    return kept.rstrip() + "…"


def sender(update: Update) -> Sender:
    """The sender of an update the bot's handlers receive: always a person in a chat.

    Raises ``ValueError`` for anything else (a channel post); the error handler reports it.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        raise ValueError(f"update {update.update_id} has no sender")
    return Sender(user, chat.id, update.effective_message)
