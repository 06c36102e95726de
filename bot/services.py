"""What every handler shares: the settings and the database, kept in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from storage.database import Database

BotApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    """Shared objects of the running application, set up once by ``bot.app``."""

    settings: Settings
    database: Database


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The shared services of the running application."""
    found: Services = context.bot_data[SERVICES_KEY]
    return found
