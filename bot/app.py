"""The application: built from settings and features, run until told to stop.

``coproduce run``, ``coproduce demo`` and the tests all start the bot through
:func:`running_bot`, so what the tests drive is exactly what users get.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseRateLimiter, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot import handlers
from bot.config import Settings
from bot.context import SERVICES_KEY, BotApplication, Services
from bot.core import Core
from bot.deeplinks import DeepLinks
from bot.features import Feature
from bot.features.membership import handlers as membership
from bot.logs import log_event
from bot.messaging.inbox import InboxBot, InboxQueue
from bot.messaging.outbox import OUTBOX_SHARE, OutboxSender
from bot.messaging.processor import PerPersonProcessor
from bot.messaging.ratelimit import PerChatRateLimiter
from conversations.engine import FormEngine
from storage.database import Database
from storage.inbox import InboxStore
from storage.themes import ThemeExample, ThemeExampleStore

__all__ = [
    "WEBHOOK_PATH",
    "Transport",
    "build_application",
    "running_bot",
    "telegram_transport",
    "until_signalled",
]

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "telegram"
# Connections for sending: many people are answered at once.
SENDING_CONNECTIONS = 256
# The garbage collector's thresholds (young objects between sweeps, then how many young sweeps
# between older ones). Every update leaves thousands of short-lived objects (PTB parses each
# Bot API answer); at Python's default (700, 10, 10) the collector took 12% of a busy bot's
# time, most of it full sweeps over what start-up loaded (the theme model, the libraries), and
# those sweeps (0.1 s each) were the slowest answers' wait. Memory is unchanged: nearly all
# objects are freed by reference counting, not by the collector.
COLLECTOR_THRESHOLDS = (50_000, 20, 100)


@dataclass(frozen=True)
class Transport:
    """How the bot reaches the Bot API: its requests (sending, polling) and rate limiter.

    Benchmarks swap in an in-process Bot API, so they measure the bot and not HTTP.
    """

    request: BaseRequest
    get_updates_request: BaseRequest
    rate_limiter: BaseRateLimiter[Any] | None


def telegram_transport(settings: Settings) -> Transport:
    """HTTP to ``telegram.base_url``, paced by the per-chat rate limiter."""
    return Transport(
        request=HTTPXRequest(connection_pool_size=SENDING_CONNECTIONS),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=PerChatRateLimiter(per_second=settings.limits.sends_per_second),
    )


def build_application(
    settings: Settings,
    database: Database,
    features: Sequence[Feature] = handlers.FEATURES,
    learned: Sequence[ThemeExample] = (),
    transport: Transport | None = None,
) -> BotApplication:
    """The PTB application for ``settings`` with ``features``: durable inbox, per-person
    processing, per-chat rate limits, handlers and jobs; the tagger knows ``learned``."""
    telegram = settings.telegram
    transport = transport or telegram_transport(settings)
    personal_data = [data for feature in features for data in feature.personal_data]
    core = Core.open(settings, database, personal_data, learned=learned)
    inbox = InboxStore(database)
    queue = InboxQueue(inbox, core.clock)
    bot = InboxBot(
        queue,
        token=telegram.token.get_secret_value(),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        defaults=Defaults(
            tzinfo=settings.tz,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        rate_limiter=transport.rate_limiter,
        request=transport.request,
        get_updates_request=transport.get_updates_request,
    )
    processor = PerPersonProcessor(
        database,
        inbox,
        core.participants,
        core.outbox,
        messages_per_minute=settings.limits.messages_per_minute,
        clock=core.clock,
    )
    application = (
        Application.builder().bot(bot).update_queue(queue).concurrent_updates(processor).build()
    )
    processor.slow_down = functools.partial(handlers.slow_down, application)
    forms = FormEngine(
        [form for feature in features if feature.forms for form in feature.forms(core)],
        core.drafts,
        on_idle=membership.on_idle,
        on_finish=membership.after_form,
        may_continue=membership.may_continue,
        clock=core.clock,
    )
    sender = OutboxSender(
        core.outbox,
        application.bot,
        core.clock,
        per_second=settings.limits.sends_per_second * OUTBOX_SHARE,
    )
    application.bot_data[SERVICES_KEY] = Services(
        core=core,
        forms=forms,
        links=DeepLinks(sign_up=membership.sign_up_then),
        sender=sender,
        features=tuple(features),
    )
    handlers.register(application)
    return application


@asynccontextmanager
async def running_bot(
    settings: Settings,
    features: Sequence[Feature] = handlers.FEATURES,
    transport: Transport | None = None,
) -> AsyncIterator[BotApplication]:
    """Open the database, start the bot (polling or webhook) and stop it cleanly on exit.

    Before anything new is fetched, the updates a crash left unhandled are queued again.
    ``transport`` replaces HTTP to Telegram (the benchmarks' in-process Bot API).
    """
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    database = await Database.open(settings.storage.path)
    try:
        learned = await ThemeExampleStore(database).all()
        application = build_application(settings, database, features, learned, transport)
        shared: Services = application.bot_data[SERVICES_KEY]
        await shared.core.roles.load(settings, shared.core.clock())
        async with application:
            await shared.forms.adopt_step_keys()
            queue = application.update_queue
            assert isinstance(queue, InboxQueue)
            replayed = await queue.replay(application.bot)
            await handlers.publish_command_menus(application)
            updater = application.updater
            assert updater is not None  # the builder makes one unless told not to
            if settings.telegram.mode == "webhook":
                await updater.start_webhook(
                    listen=settings.telegram.webhook_listen,
                    port=settings.telegram.webhook_port,
                    url_path=WEBHOOK_PATH,
                    webhook_url=settings.telegram.webhook_url,
                    secret_token=settings.telegram.webhook_secret.get_secret_value() or None,
                    allowed_updates=Update.ALL_TYPES,
                )
                queue.caught_up.set()  # Telegram pushes what it held as it can
            else:
                await updater.start_polling(
                    poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
                )
            await application.start()
            await shared.sender.start()
            log_event(logger, "bot_started", mode=settings.telegram.mode, replayed=replayed)
            try:
                yield application
            finally:
                queue.caught_up.set()  # start-up work still waiting for it runs, or stops
                await shared.sender.stop()
                await updater.stop()
                await application.stop()
                log_event(logger, "bot_stopped")
    finally:
        await database.close()


async def until_signalled() -> None:
    """Wait for SIGINT (Ctrl-C) or SIGTERM, the signals that stop the bot gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
