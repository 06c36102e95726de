"""Every handler of the bot, registered in one place, and the command menus Telegram shows.

Order matters: commands come first, so /cancel, /menu, /help, /stop and /forget work at any
step of any form; the form engine then takes what people type and tap; last, anything no one
claimed gets a clear answer.
"""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import admin, contributions, membership, privacy, surveys
from bot.logs import log_event
from bot.roles import Callback, Role, requires, role_of
from bot.services import SERVICES_KEY, BotApplication, Services, services
from conversations.engine import BUTTON_EXPIRED

logger = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Nothing you sent before is lost. "
    "Please try again in a moment, or send /help."
)

EVERYONE = frozenset(Role)
ADMINS = frozenset({Role.ADMIN})
STAFF = frozenset({Role.COMMISSIONER, Role.ADMIN})
# bot_data key: people whose own command menu waits until they have a chat with the bot.
MENUS_WAITING = "menus_waiting"
# Activity is written at most this often per person (retention counts from the last of it).
ACTIVITY_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    roles: frozenset[Role]
    callback: Callback


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: the commands this person may use."""
    role = role_of(services(context).settings, update.effective_user.id)  # type: ignore[union-attr]
    lines = [f"/{command.name} - {command.description}" for command in commands_for(role)]
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        "Here is what you can do:\n\n" + "\n".join(lines)
    )


COMMANDS = (
    Command(
        "start", "Join the programme, or pick up where you left off", EVERYONE, membership.start
    ),
    Command("menu", "Buttons for everything you can do", EVERYONE, membership.menu_command),
    Command("profile", "See or change your profile", EVERYONE, membership.profile_command),
    Command("cancel", "Stop the form you are filling in", EVERYONE, membership.cancel_command),
    Command(
        "needs",
        "The needs you have voiced, and what happened",
        EVERYONE,
        contributions.needs_command,
    ),
    Command("help", "What you can do here", EVERYONE, help_command),
    Command("privacy", "How we use your information", EVERYONE, privacy.privacy_command),
    Command(
        "mydata", "Get a copy of everything we hold about you", EVERYONE, privacy.mydata_command
    ),
    Command("forget", "Erase everything we hold about you", EVERYONE, privacy.forget_command),
    Command("stop", "No more reminders or follow-ups", EVERYONE, privacy.stop_command),
    Command("stats", "Figures: sign-ups, and /stats surveys", STAFF, admin.stats_command),
    Command("wave", "Open or close a survey wave", ADMINS, surveys.wave_command),
    Command("retag", "Set the themes of a need or answer", ADMINS, contributions.retag_command),
)


def commands_for(role: Role) -> list[Command]:
    """The commands a person with ``role`` may use, in menu order."""
    return [command for command in COMMANDS if role in command.roles]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    command = (update.effective_message.text or "").split()[0]  # type: ignore[union-attr]
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        f"Sorry, I don't know {html.escape(command)}. Send /help to see what you can do."
    )


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button no handler claims: from an old message, another version, or forged."""
    await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)  # type: ignore[union-attr]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the person, never showing them a traceback."""
    logger.error(
        "event=handler_error error=%s",
        type(context.error).__name__,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or not update.effective_chat:
        return
    if update.callback_query:
        # Stop the spinner on the person's phone, unless the handler already answered.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await context.bot.send_message(update.effective_chat.id, SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        log_event(logger, "error_notice_failed", logging.WARNING, error=type(exc).__name__)


def command_menu(role: Role) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in commands_for(role)]


async def publish_command_menus(application: BotApplication) -> None:
    """Tell Telegram which commands to offer: members by default, others in their own chats."""
    bot = application.bot
    settings = application.bot_data[SERVICES_KEY].settings
    await bot.set_my_commands(command_menu(Role.MEMBER), scope=BotCommandScopeDefault())
    people = {admin_id: Role.ADMIN for admin_id in settings.admins}
    for commissioner in settings.commissioners:
        people.setdefault(commissioner.user_id, Role.COMMISSIONER)
    waiting: set[int] = application.bot_data.setdefault(MENUS_WAITING, set())
    for user_id, role in people.items():
        try:
            await bot.set_my_commands(command_menu(role), scope=BotCommandScopeChat(user_id))
        except (BadRequest, Forbidden) as exc:
            # Someone who has not opened a chat with the bot yet: their menu waits for it.
            waiting.add(user_id)
            log_event(logger, "role_menu_skipped", logging.DEBUG, user=user_id, reason=exc.message)


async def before_everything(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ahead of the handlers that answer: note the person's activity, for retention, and
    set a privileged person's command menu once they have a private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    if user is None:
        return
    shared = services(context)
    await shared.participants.touch(user.id, datetime.now(UTC), every=ACTIVITY_EVERY)
    waiting: set[int] = context.bot_data.get(MENUS_WAITING, set())
    if user.id not in waiting or chat is None or chat.type != ChatType.PRIVATE:
        return
    role = role_of(shared.settings, user.id)
    try:
        await context.bot.set_my_commands(command_menu(role), scope=BotCommandScopeChat(user.id))
    except TelegramError as exc:  # the menu is a convenience: try again on their next message
        log_event(logger, "role_menu_failed", logging.WARNING, error=type(exc).__name__)
        return
    waiting.discard(user.id)


def register(application: BotApplication) -> None:
    """Add every handler, in the order they must be tried."""
    shared: Services = application.bot_data[SERVICES_KEY]
    application.add_handler(TypeHandler(Update, before_everything), group=-1)
    application.add_handler(
        MessageHandler(filters.COMMAND & ~filters.ChatType.PRIVATE, membership.private_only)
    )
    for command in COMMANDS:
        # The roles listed with each command are the only ones that may use it.
        lowest = min(command.roles, key=list(Role).index)
        application.add_handler(CommandHandler(command.name, requires(lowest)(command.callback)))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(
        CallbackQueryHandler(membership.on_consent, pattern=membership.CONSENT_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(membership.on_menu_button, pattern=membership.MENU_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(privacy.on_forget_button, pattern=privacy.FORGET_PATTERN)
    )
    application.add_handler(shared.forms.handler)
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_error_handler(on_error)
    privacy.schedule_retention(application)
