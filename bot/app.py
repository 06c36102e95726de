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

from bot import handlers, membership
from bot.config import Settings
from bot.deeplinks import DeepLinks
from bot.logs import log_event
from bot.persistence import SQLitePersistence
from bot.services import SERVICES_KEY, BotApplication, Services
from conversations.challenges import challenge_form
from conversations.engine import FormEngine
from conversations.forms import Choice, Form
from conversations.need import need_form, place_value
from conversations.onboarding import onboarding_form
from conversations.survey import FORM_NAMES, survey_form
from conversations.themes import rules_from, tag
from storage.bot_state import BotStateStore
from storage.contributions import ContributionStore
from storage.database import Database
from storage.drafts import DraftStore
from storage.participants import ParticipantStore
from storage.surveys import SurveyStore

logger = logging.getLogger(__name__)

RETRIES_AFTER_FLOOD_WAIT = 3
WEBHOOK_PATH = "telegram"


def places(settings: Settings) -> list[Choice]:
    """Where a need can be: each neighbourhood, then each area as a whole."""
    areas = settings.programme.areas
    choices = []
    for area in areas:
        prefix = f"{area.name}: " if len(areas) > 1 else ""
        choices += [
            Choice(place_value(area.key, hood), prefix + hood) for hood in area.neighbourhoods
        ]
        choices.append(Choice(place_value(area.key), f"Across {area.name}"))
    return choices


def build_forms(
    settings: Settings,
    participants: ParticipantStore,
    contributions: ContributionStore,
    surveys: SurveyStore,
) -> list[Form]:
    """Every form, worded from the programme's config, in menu order."""
    programme = settings.programme
    rules = rules_from(programme.themes)

    def themes_of(text: str) -> list[str]:
        return tag(text, rules)

    return [
        onboarding_form(
            sectors=[Choice(sector.key, sector.name) for sector in programme.sectors],
            areas=[Choice(area.key, area.name) for area in programme.areas],
            participants=participants,
            organisation_hint=programme.organisation_hint,
        ),
        need_form(programme.need_form, places(settings), contributions, themes_of),
        *(
            challenge_form(challenge, contributions, participants, themes_of)
            for challenge in programme.challenges
        ),
        *(
            survey_form(
                wave,
                programme.survey.items,
                programme.survey.scale_labels,
                surveys,
                participants,
            )
            for wave in FORM_NAMES
        ),
    ]


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
                # Only conversations: answers live in drafts, bot_data holds live services,
                # and nothing about a person may be stored before they consent.
                PersistenceInput(bot_data=False, user_data=False, chat_data=False),
            )
        )
        .build()
    )
    participants = ParticipantStore(database)
    contributions = ContributionStore(database)
    surveys = SurveyStore(database)
    forms = FormEngine(
        build_forms(settings, participants, contributions, surveys),
        DraftStore(database),
        on_idle=membership.on_idle,
        on_finish=membership.show_menu,
        may_continue=membership.may_continue,
    )
    application.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        database=database,
        participants=participants,
        contributions=contributions,
        surveys=surveys,
        forms=forms,
        deep_links=DeepLinks(),
    )
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
