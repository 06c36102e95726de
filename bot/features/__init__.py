"""Features: what each one adds to the bot, declared in one place.

A feature is a package here: ``handlers.py`` (thin PTB callbacks), ``service.py`` (its work as
plain async code, no Telegram) and, in its ``__init__``, one :class:`Feature` saying what it
adds: commands (name, description, roles), buttons (a callback-data prefix and the pattern of
the whole data), deep-link prefixes, scheduled jobs, forms, and the tables that hold personal
data. ``bot/handlers.py`` registers the features in order; nothing else is edited to add one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from telegram import BotCommand, Update
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
    "DueWork",
    "Feature",
    "Job",
    "PersonalData",
    "command_menu",
    "command_named",
    "commands_of",
]

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
DeepLinkCallback = Callable[[Update, Context, str], Coroutine[Any, Any, None]]
JobCallback = Callable[[Context], Coroutine[Any, Any, None]]
# Work the scheduler tick does when it falls due: it asks the database, queues what is due
# (in the outbox, under keys that make a second run a no-op) and returns.
DueWork = Callable[[Core, datetime], Coroutine[Any, Any, object]]

EVERYONE = frozenset(Role)
ADMINS = frozenset({Role.ADMIN})
STAFF = frozenset({Role.COMMISSIONER, Role.ADMIN})


@dataclass(frozen=True)
class Command:
    """A slash command: in /help and Telegram's menu for ``roles``, refused to anyone else.

    ``descriptions`` words it for a role whose job it differs for (a commissioner's /needs is
    an inbox, a member's their own needs); ``description`` is for every other role.
    ``menu_labels``: a button for it in that role's /menu (pressing it runs the command), for
    the commands a role uses most; a role not named gets no button.
    """

    name: str
    description: str
    roles: frozenset[Role]
    callback: Callback
    descriptions: Mapping[Role, str] = field(default_factory=dict, compare=False)
    menu_labels: Mapping[Role, str] = field(default_factory=dict, compare=False)

    def describe(self, role: Role) -> str:
        """What the command does, worded for ``role``."""
        return self.descriptions.get(role, self.description)

    def menu_label(self, role: Role) -> str | None:
        """Its button in ``role``'s /menu, or None."""
        return self.menu_labels.get(role) if role in self.roles else None


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
    """A JobQueue job, under a name that stays the same from run to run.

    ``daily_at``: every day at that time (the programme's time zone); or ``every``: at that
    interval. ``at_start``: also once when the bot starts, so a run missed while it was down
    still happens. Jobs must be safe to run twice: what they do is decided by the database.
    """

    name: str
    callback: JobCallback
    daily_at: time | None = None
    every: timedelta | None = None
    at_start: bool = True

    def __post_init__(self) -> None:
        if (self.daily_at is None) == (self.every is None):
            raise ValueError(f"job {self.name}: give daily_at or every, not both")


@dataclass(frozen=True)
class Feature:
    name: str
    commands: Sequence[Command] = ()
    buttons: Sequence[Button] = ()
    deep_links: Sequence[DeepLink] = ()
    jobs: Sequence[Job] = ()
    # Run by the one scheduler tick, every minute: digests, nudges, invitations, reminders.
    due: Sequence[DueWork] = ()
    # Looks at a typed message before the forms do, and raises ApplicationHandlerStop if it
    # took it (a commissioner's reply being typed).
    typed_first: Callback | None = None
    # The forms it runs, worded from the config; in the main menu in this order.
    forms: Callable[[Core], Sequence[Form]] | None = None
    # The outbox key prefixes of the follow-ups it queues for members ("nudge:"): /stop
    # withdraws those still waiting (held for the quiet hours, say).
    follow_ups: Sequence[str] = ()
    personal_data: Sequence[PersonalData] = ()


def commands_of(features: Sequence[Feature], role: Role | None = None) -> list[Command]:
    """The features' commands in registration order; with ``role``, those it may use."""
    return [
        command
        for feature in features
        for command in feature.commands
        if role is None or role in command.roles
    ]


def command_named(features: Sequence[Feature], name: str) -> Command | None:
    return next((c for c in commands_of(features) if c.name == name), None)


def command_menu(features: Sequence[Feature], role: Role) -> list[BotCommand]:
    """Telegram's command menu for ``role``: its commands, worded for it."""
    return [BotCommand(c.name, c.describe(role)) for c in commands_of(features, role)]
