"""The features of the bot, in order, and the one place their handlers are registered.

Adding a feature: write its package under ``bot/features/`` and add it to :data:`FEATURES`.
Order matters: commands come first, so /cancel, /menu, /help, /stop and /forget work at any
step of any form; then the features' buttons; then the form engine takes what people type
and tap; last, anything no one claimed gets a clear answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import logging
import os
import sysconfig
from collections.abc import Sequence

from telegram import (
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import SERVICES_KEY, BotApplication, Context, Services, sender, services
from bot.features import (
    Callback,
    Command,
    Feature,
    JobCallback,
    audit,
    broadcast,
    challenges,
    command_menu,
    commands_of,
    digests,
    events,
    exports,
    invites,
    membership,
    needs,
    privacy,
    stats,
    surveys,
)
from bot.logs import log_event
from bot.messaging.inbox import InboxQueue
from bot.messaging.runtime import MESSAGING
from bot.roles import REFUSALS, Role, lowest, may
from conversations.engine import BUTTON_EXPIRED, WholeDataHandler

__all__ = [
    "COMMANDS",
    "FEATURES",
    "SOMETHING_WENT_WRONG",
    "commands_for",
    "publish_command_menus",
    "register",
]

logger = logging.getLogger(__name__)

FEATURES: tuple[Feature, ...] = (
    MESSAGING,
    membership.FEATURE,
    needs.FEATURE,
    challenges.FEATURE,
    surveys.FEATURE,
    privacy.FEATURE,
    stats.FEATURE,
    digests.FEATURE,
    exports.FEATURE,
    invites.FEATURE,
    events.FEATURE,
    broadcast.FEATURE,
    audit.FEATURE,
)
COMMANDS: tuple[Command, ...] = tuple(commands_of(FEATURES))

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Nothing you sent before is lost. "
    "Please try again in a moment, or send /help."
)
SLOW_DOWN = (
    "You're sending messages faster than I can read them, so I'll skip what you send for "
    "the next minute. Please wait a moment, then carry on."
)
# Handler groups for the features' typed_first hooks: before every other group.
TYPED_FIRST_GROUP = -1000
# bot_data key: when each group was last told to use a private chat, and how often it may be.
GROUPS_TOLD = "groups_told"
GROUP_NOTICE_EVERY = 60.0
# bot_data key: people whose own command menu waits until they have a chat with the bot.
MENUS_WAITING = "menus_waiting"


def commands_for(role: Role, features: Sequence[Feature] = FEATURES) -> list[Command]:
    """The commands a person with ``role`` may use, in menu order."""
    return commands_of(features, role)


def requires(needed: Role, callback: Callback) -> Callback:
    """Let the command through only for ``needed`` (or a higher role)."""

    @functools.wraps(callback)
    async def checked(update: Update, context: Context) -> None:
        who = sender(update)
        if may(services(context).core.roles.role_of(who.user.id), needed):
            await callback(update, context)
        else:
            await who.reply(context, REFUSALS[needed])

    return checked


async def private_only(update: Update, context: Context) -> None:
    """In a group, answer with a link to a private chat: answers are not for the group.

    At most once a minute per group: Telegram lets a bot post about 20 messages a minute in a
    group, and a stream of commands there must not build a backlog of identical answers.
    """
    who = sender(update)
    told: dict[int, float] = context.bot_data.setdefault(GROUPS_TOLD, {})
    now = asyncio.get_running_loop().time()
    if now - told.get(who.chat_id, -GROUP_NOTICE_EVERY) < GROUP_NOTICE_EVERY:
        return
    told[who.chat_id] = now
    link = f"https://t.me/{context.bot.username}"
    await who.reply(
        context,
        "Let's talk in a private chat, so your answers stay between you and the programme.",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("Open a private chat", url=link)
        ),
    )


PRIVATE_ONLY_BUTTON = "This only works in a private chat with the bot."


def in_a_private_chat(update: Update) -> bool:
    """Whether the update is a person's own private chat with the bot."""
    chat = update.effective_chat
    return (
        update.effective_user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and chat.id == update.effective_user.id
    )


def _a_group_command(update: Update) -> bool:
    message = update.effective_message
    return (
        update.effective_user is not None
        and update.effective_chat is not None
        and message is not None
        and bool(message.text)
        and (message.text or "").startswith("/")
    )


class OutsidePrivateChats(BaseHandler[Update, Context, None]):
    """Everything that does not come from a person's private chat: a group's or a channel's
    messages and button presses, and presses on messages the bot cannot see. None of it reaches
    a feature, so nothing changes and nothing about anyone is revealed; a press is answered
    with one neutral line. (A person's /command in a group gets :func:`private_only`.)"""

    def __init__(self) -> None:
        super().__init__(self._neutral)

    def check_update(self, update: object) -> bool:
        return (
            isinstance(update, Update)
            and not in_a_private_chat(update)
            and not _a_group_command(update)
            and (update.effective_chat is not None or update.callback_query is not None)
        )

    @staticmethod
    async def _neutral(update: Update, context: Context) -> None:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(PRIVATE_ONLY_BUTTON)


async def unknown_command(update: Update, context: Context) -> None:
    who = sender(update)
    command = ((who.message.text if who.message else None) or "").split()[0]
    await who.reply(
        context, f"Sorry, I don't know {html.escape(command)}. Send /help to see what you can do."
    )


async def expired_button(update: Update, context: Context) -> None:
    """Any button no handler claims: from an old message, another version, or forged."""
    if update.callback_query is not None:
        await update.callback_query.answer(BUTTON_EXPIRED, show_alert=True)


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the person, never showing them a traceback.

    The error line names the error's type, the update and where it was raised, never the
    error's message: that can hold what the person typed. The traceback is for DEBUG only.
    """
    error = context.error
    log_event(
        logger,
        "handler_error",
        logging.ERROR,
        error=type(error).__name__,
        update=update.update_id if isinstance(update, Update) else "-",
        at=_raised_at(error),
    )
    logger.debug("event=handler_error_traceback", exc_info=error)
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


# Libraries' code: where an error passes through, but not where to look first.
_LIBRARIES = tuple(
    path + os.sep
    for path in {
        sysconfig.get_paths()["stdlib"],
        *(sysconfig.get_paths()[k] for k in ("purelib", "platlib")),
    }
)


def _raised_at(error: BaseException | None) -> str:
    """The error's way through this project's code (outside the libraries): up to the last
    four ``module.py:line`` places, outermost first, else where it was raised. No data."""
    traceback = error.__traceback__ if error is not None else None
    places: list[str] = []
    last = "-"
    while traceback is not None:
        code = traceback.tb_frame.f_code
        last = f"{os.path.basename(code.co_filename)}:{traceback.tb_lineno}"
        if not code.co_filename.startswith(_LIBRARIES):
            places.append(last)
        traceback = traceback.tb_next
    return ">".join(places[-4:]) or last


async def publish_command_menus(application: BotApplication) -> None:
    """Tell Telegram which commands to offer: members by default, others in their own chats."""
    bot = application.bot
    shared: Services = application.bot_data[SERVICES_KEY]
    await bot.set_my_commands(
        command_menu(shared.features, Role.MEMBER), scope=BotCommandScopeDefault()
    )
    people = {row.user_id: Role(row.role) for row in shared.core.roles.staff()}
    waiting: set[int] = application.bot_data.setdefault(MENUS_WAITING, set())
    for user_id, role in people.items():
        try:
            await bot.set_my_commands(
                command_menu(shared.features, role), scope=BotCommandScopeChat(user_id)
            )
        except (BadRequest, Forbidden) as exc:
            # Someone who has not opened a chat with the bot yet: their menu waits for it.
            waiting.add(user_id)
            log_event(logger, "role_menu_skipped", logging.DEBUG, user=user_id, reason=exc.message)


async def menu_when_they_arrive(update: Update, context: Context) -> None:
    """Set a privileged person's command menu once they have a private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    waiting: set[int] = context.bot_data.get(MENUS_WAITING, set())
    if user is None or user.id not in waiting or chat is None or chat.type != ChatType.PRIVATE:
        return
    shared = services(context)
    role = shared.core.roles.role_of(user.id)
    try:
        await context.bot.set_my_commands(
            command_menu(shared.features, role), scope=BotCommandScopeChat(user.id)
        )
    except TelegramError as exc:  # the menu is a convenience: try again on their next message
        log_event(logger, "role_menu_failed", logging.WARNING, error=type(exc).__name__)
        return
    waiting.discard(user.id)


def register(application: BotApplication) -> None:
    """Add every feature's handlers, deep links and jobs, in the order they must be tried."""
    shared: Services = application.bot_data[SERVICES_KEY]
    features = shared.features
    application.add_handler(TypeHandler(Update, menu_when_they_arrive), group=-1)
    typed = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    for order, feature in enumerate(features):
        if feature.typed_first is not None:
            # A group of its own each, before everything else: only one handler runs per group.
            group = TYPED_FIRST_GROUP + order
            application.add_handler(MessageHandler(typed, feature.typed_first), group=group)
    application.add_handler(OutsidePrivateChats())
    application.add_handler(
        MessageHandler(filters.COMMAND & ~filters.ChatType.PRIVATE, private_only)
    )
    for command in commands_of(features):
        # The roles listed with each command are the only ones that may use it.
        checked = requires(lowest(command.roles), command.callback)
        application.add_handler(CommandHandler(command.name, checked))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    for feature in features:
        for button in feature.buttons:
            application.add_handler(WholeDataHandler(button.callback, pattern=button.matches))
    for handler in shared.forms.handlers():
        application.add_handler(handler)
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_error_handler(on_error)
    for feature in features:
        for link in feature.deep_links:
            shared.links.register(link.prefix, link.callback)
    _schedule(application, features)


# Jobs missed while the bot was down run once when it is back, not once per missed day
# (APScheduler's default grace of 1 s would silently skip a late job).
JOB_KWARGS = {"misfire_grace_time": 24 * 3600, "coalesce": True}


def _schedule(application: BotApplication, features: Sequence[Feature]) -> None:
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    tz = application.bot_data[SERVICES_KEY].core.settings.tz
    for feature in features:
        for job in feature.jobs:
            if job.every is not None:
                first = 0 if job.at_start else job.every
                queue.run_repeating(
                    job.callback,
                    interval=job.every,
                    first=first,
                    name=job.name,
                    job_kwargs=JOB_KWARGS,
                )
                continue
            assert job.daily_at is not None
            queue.run_daily(
                job.callback,
                time=job.daily_at.replace(tzinfo=tz),
                name=job.name,
                job_kwargs=JOB_KWARGS,
            )
            if job.at_start:
                queue.run_once(
                    _after_catching_up(job.callback),
                    when=0,
                    name=f"{job.name}-at-start",
                    job_kwargs=JOB_KWARGS,
                )


# How long start-up work waits for the first poll before running anyway.
CATCH_UP_SECONDS = 60.0


def _after_catching_up(callback: JobCallback) -> JobCallback:
    """Run ``callback`` once the updates sent while the bot was down are in the inbox, so
    start-up work (retention) sees that people came back; replayed and fetched updates are
    then either handled or waiting in the inbox, where retention looks."""

    @functools.wraps(callback)
    async def after(context: Context) -> None:
        queue = context.application.update_queue
        if isinstance(queue, InboxQueue):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CATCH_UP_SECONDS):
                    await queue.caught_up.wait()
        await callback(context)

    return after


async def slow_down(application: BotApplication, chat_id: int) -> None:
    """Tell someone sending too fast that their next minute of messages will be skipped."""
    with contextlib.suppress(TelegramError):
        await application.bot.send_message(chat_id, SLOW_DOWN)
