"""Who may do what: the one place that decides a person's role. Plain functions, no Telegram."""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings

__all__ = ["REFUSALS", "Role", "commissioner_areas", "lowest", "may", "role_of"]


class Role(StrEnum):
    MEMBER = "member"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


_ORDER = (Role.MEMBER, Role.COMMISSIONER, Role.ADMIN)

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
    return _ORDER.index(actual) >= _ORDER.index(needed)


def lowest(roles: frozenset[Role]) -> Role:
    """The least privileged of ``roles``: whoever has it, or a higher one, qualifies."""
    return min(roles, key=_ORDER.index)
