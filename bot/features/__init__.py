"""Features: what each one adds to the bot, declared in one place.

A feature is a package here: ``handlers.py`` (thin PTB callbacks), ``service.py`` (its work as
plain async code, no Telegram) and, in its ``__init__``, one :class:`Feature` saying what it
adds: commands (name, description, roles), buttons (a callback-data prefix and the pattern of
the whole data), deep-link prefixes, scheduled jobs, forms, and the tables that hold personal
data. ``bot/handlers.py`` registers the features in order; nothing else is edited to add one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.core import Core
from bot.roles import Role
from conversations.forms import Form
from storage.privacy import PersonalData

__all__ = [
    "ADMINS",
    "EVERYONE",
    "STAFF",
    "Button",
    "Callback",
    "Command",
    "DeepLink",
    "Feature",
    "Job",
    "PersonalData",
    "commands_of",
]

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
DeepLinkCallback = Callable[[Update, Context, str], Coroutine[Any, Any, None]]
JobCallback = Callable[[Context], Coroutine[Any, Any, None]]

EVERYONE = frozenset(Role)
ADMINS = frozenset({Role.ADMIN})
STAFF = frozenset({Role.COMMISSIONER, Role.ADMIN})


@dataclass(frozen=True)
class Command:
    """A slash command: in /help and Telegram's menu for ``roles``, refused to anyone else."""

    name: str
    description: str
    roles: frozenset[Role]
    callback: Callback


@dataclass(frozen=True)
class Button:
    """Buttons whose callback data matches ``pattern`` as a whole (nothing before or after)."""

    pattern: str
    callback: Callback

    def matches(self, data: object) -> bool:
        return isinstance(data, str) and re.fullmatch(self.pattern, data, re.ASCII) is not None


@dataclass(frozen=True)
class DeepLink:
    """``/start <prefix>_<code>`` links: the callback takes the code."""

    prefix: str
    callback: DeepLinkCallback


@dataclass(frozen=True)
class Job:
    """Scheduled work, under a name that stays the same from run to run.

    ``daily_at``: every day at that time (the programme's time zone); ``at_start``: also once
    when the bot starts, so a run missed while it was down still happens.
    """

    name: str
    callback: JobCallback
    daily_at: time
    at_start: bool = True


@dataclass(frozen=True)
class Feature:
    name: str
    commands: Sequence[Command] = ()
    buttons: Sequence[Button] = ()
    deep_links: Sequence[DeepLink] = ()
    jobs: Sequence[Job] = ()
    # The forms it runs, worded from the config; in the main menu in this order.
    forms: Callable[[Core], Sequence[Form]] | None = None
    personal_data: Sequence[PersonalData] = ()


def commands_of(features: Sequence[Feature], role: Role | None = None) -> list[Command]:
    """The features' commands in registration order; with ``role``, those it may use."""
    return [
        command
        for feature in features
        for command in feature.commands
        if role is None or role in command.roles
    ]
