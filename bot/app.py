"""The application: built from settings, wired to its services, run until told to stop.

``coproduce run``, ``coproduce demo`` and the tests all start the bot through
:func:`running_bot`, so what the tests drive is exactly what users get.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, Defaults, PersistenceInput

from bot import handlers
from bot.config import Settings
from bot.logs import log_event
from bot.persistence import SQLitePersistence
from bot.services import SERVICES_KEY, BotApplication, Services
from storage.bot_state import BotStateStore
from storage.database import Database

logger = logging.getLogger(__name__)

RETRIES_AFTER_FLOOD_WAIT = 3
WEBHOOK_PATH = "telegram"


def build_application(settings: Settings, database: Database) -> BotApplication:
    """The PTB application for ``settings``, with persistence, rate limiter and handlers."""
    telegram = settings.telegram
    application = (
        Application.builder()
        .token(telegram.token.get_secret_value())
        .base_url(telegram.base_url)
        .base_file_url(telegram.base_file_url)
        .defaults(
            Defaults(
                tzinfo=settings.tz,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=RETRIES_AFTER_FLOOD_WAIT))
        .persistence(
            SQLitePersistence(
                BotStateStore(database),
                settings.storage.persistence_interval_seconds,
                # bot_data holds live services (the database connection), not data to save.
                PersistenceInput(bot_data=False),
            )
        )
        .build()
    )
    application.bot_data[SERVICES_KEY] = Services(settings=settings, database=database)
    handlers.register(application)
    return application


@asynccontextmanager
async def running_bot(
    settings: Settings, extend: Callable[[BotApplication], None] | None = None
) -> AsyncIterator[BotApplication]:
    """Open the database, start the bot (polling or webhook) and stop it cleanly on exit.

    ``extend`` may add handlers before the bot starts (persistent ones must be added then).
    """
    database = await Database.open(settings.storage.path)
    try:
        application = build_application(settings, database)
        if extend is not None:
            extend(application)
        async with application:
            await handlers.publish_command_menus(application)
            if settings.telegram.mode == "webhook":
                await application.updater.start_webhook(  # type: ignore[union-attr]
                    listen=settings.telegram.webhook_listen,
                    port=settings.telegram.webhook_port,
                    url_path=WEBHOOK_PATH,
                    webhook_url=settings.telegram.webhook_url,
                    secret_token=settings.telegram.webhook_secret.get_secret_value() or None,
                    allowed_updates=Update.ALL_TYPES,
                )
            else:
                await application.updater.start_polling(  # type: ignore[union-attr]
                    poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES
                )
            await application.start()
            log_event(logger, "bot_started", mode=settings.telegram.mode)
            try:
                yield application
            finally:
                await application.updater.stop()  # type: ignore[union-attr]
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
