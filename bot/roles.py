"""Who may do what: the one place that decides a person's role."""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings


class Role(StrEnum):
    MEMBER = "member"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


def role_of(settings: Settings, user_id: int) -> Role:
    """Admins, then commissioners, as the config names them; everyone else is a member."""
    if user_id in settings.admins:
        return Role.ADMIN
    if any(c.user_id == user_id for c in settings.commissioners):
        return Role.COMMISSIONER
    return Role.MEMBER
