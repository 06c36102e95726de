"""What a handler reaches from its update and context: the running bot's services, and who
sent the update (one narrowing helper instead of ``None`` checks in every callback)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from telegram import Message, Update, User
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
    "sender",
    "services",
]

BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE

SERVICES_KEY = "services"


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


def sender(update: Update) -> Sender:
    """The sender of an update the bot's handlers receive: always a person in a chat.

    Raises ``ValueError`` for anything else (a channel post); the error handler reports it.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        raise ValueError(f"update {update.update_id} has no sender")
    return Sender(user, chat.id, update.effective_message)
