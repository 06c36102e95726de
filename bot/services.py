"""What every handler shares, kept in ``bot_data``: settings, stores, the form engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.deeplinks import DeepLinks
from conversations.engine import FormEngine
from storage.contributions import ContributionStore
from storage.database import Database
from storage.participants import ParticipantStore
from storage.surveys import SurveyStore

BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    """Shared objects of the running application, set up once by ``bot.app``."""

    settings: Settings
    database: Database
    participants: ParticipantStore
    contributions: ContributionStore
    surveys: SurveyStore
    forms: FormEngine
    deep_links: DeepLinks


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The shared services of the running application."""
    found: Services = context.bot_data[SERVICES_KEY]
    return found
