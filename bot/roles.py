"""Who may do what: the one place that decides a person's role, and the check on commands."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.services import services

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class Role(StrEnum):
    MEMBER = "member"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


REFUSALS = {
    Role.ADMIN: "This command is for programme admins.",
    Role.COMMISSIONER: "This command is for commissioners and programme admins.",
}


def role_of(settings: Settings, user_id: int) -> Role:
    """Admins, then commissioners, as the config names them; everyone else is a member."""
    if user_id in settings.admins:
        return Role.ADMIN
    if any(c.user_id == user_id for c in settings.commissioners):
        return Role.COMMISSIONER
    return Role.MEMBER


def commissioner_areas(settings: Settings, user_id: int) -> set[str]:
    """The areas whose needs and figures a commissioner sees."""
    return {
        area
        for commissioner in settings.commissioners
        if commissioner.user_id == user_id
        for area in commissioner.areas
    }


def may(actual: Role, needed: Role) -> bool:
    """Admins may do everything; commissioners what commissioners and members may."""
    order = [Role.MEMBER, Role.COMMISSIONER, Role.ADMIN]
    return order.index(actual) >= order.index(needed)


def requires(needed: Role) -> Callable[[Callback], Callback]:
    """Let the command or button through only for ``needed`` (or a higher role)."""

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def checked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user = update.effective_user
            if user is not None and may(role_of(services(context).settings, user.id), needed):
                await callback(update, context)
                return
            if update.callback_query:
                await update.callback_query.answer(REFUSALS[needed], show_alert=True)
            elif update.effective_message:
                await update.effective_message.reply_text(REFUSALS[needed])

        return checked

    return decorate
