"""Every handler of the bot, registered in one place, and the command menus Telegram shows."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.logs import log_event
from bot.roles import Role, role_of
from bot.services import SERVICES_KEY, BotApplication, services

logger = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Nothing you sent before is lost. "
    "Please try again in a moment, or send /help."
)
BUTTON_EXPIRED = "This button has expired. Send /help to see what you can do."
HELP_BUTTON = "What can I do here?"
HELP_DATA = "help"


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    roles: frozenset[Role]


EVERYONE = frozenset(Role)

COMMANDS = (
    Command("start", "Join the programme, or see the main menu", EVERYONE),
    Command("help", "What you can do here", EVERYONE),
)


def commands_for(role: Role) -> list[Command]:
    """The commands a person with ``role`` may use, in menu order."""
    return [command for command in COMMANDS if role in command.roles]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    programme = services(context).settings.programme
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        f"Welcome to the <b>{html.escape(programme.name)}</b>.\n\n"
        "This bot helps voluntary and community groups, children's centres and the people "
        "who commission services work together on what families in your area need.\n\n"
        "Send /help to see what you can do.",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton(HELP_BUTTON, callback_data=HELP_DATA)
        ),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /help, or the help button, with the commands this person may use."""
    if update.callback_query:
        await update.callback_query.answer()
    role = role_of(services(context).settings, update.effective_user.id)  # type: ignore[union-attr]
    lines = [f"/{command.name} - {command.description}" for command in commands_for(role)]
    await context.bot.send_message(
        update.effective_chat.id,  # type: ignore[union-attr]
        "Here is what you can do:\n\n" + "\n".join(lines),
    )


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button no handler claims: from an old message, another version, or forged."""
    await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)  # type: ignore[union-attr]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    command = (update.effective_message.text or "").split()[0]  # type: ignore[union-attr]
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        f"Sorry, I don't know {html.escape(command)}. Send /help to see what you can do."
    )


async def anything_else(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        "I didn't catch that. Send /help to see what you can do."
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the person, never showing them a traceback."""
    logger.error(
        "event=handler_error error=%s",
        type(context.error).__name__,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or not update.effective_chat:
        return
    try:
        if update.callback_query:
            await update.callback_query.answer()  # stop the spinner on the person's phone
        await context.bot.send_message(update.effective_chat.id, SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        log_event(logger, "error_notice_failed", logging.WARNING, error=type(exc).__name__)


async def publish_command_menus(application: BotApplication) -> None:
    """Tell Telegram which commands to offer: members by default, admins in their own chats."""
    bot = application.bot
    settings = application.bot_data[SERVICES_KEY].settings

    def menu(role: Role) -> list[BotCommand]:
        return [BotCommand(c.name, c.description) for c in commands_for(role)]

    await bot.set_my_commands(menu(Role.MEMBER), scope=BotCommandScopeDefault())
    for admin_id in settings.admins:
        try:
            await bot.set_my_commands(menu(Role.ADMIN), scope=BotCommandScopeChat(admin_id))
        except (BadRequest, Forbidden) as exc:
            # An admin who has not opened a chat with the bot yet: their menu waits.
            log_event(
                logger, "admin_menu_skipped", logging.INFO, admin=admin_id, reason=exc.message
            )


def register(application: BotApplication) -> None:
    """Add every handler, in the order they must be tried."""
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CallbackQueryHandler(help_command, pattern=f"^{HELP_DATA}$"))
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, anything_else))
    application.add_error_handler(on_error)
