"""Who may do what: the one place that decides a person's role."""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings


class Role(StrEnum):
    MEMBER = "member"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


def role_of(settings: Settings, user_id: int) -> Role:
    """Admins are named in the config; everyone else is a member."""
    return Role.ADMIN if user_id in settings.admins else Role.MEMBER
