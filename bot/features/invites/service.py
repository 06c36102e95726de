"""Invites and staff roles: make a commissioner's single-use invite, accept it, list and end
roles. No Telegram here.

Public surface: :func:`parse_areas`, :func:`invite_commissioner`, :func:`accept`,
:func:`revoke`, :func:`commissioners`, :data:`INVITE_PREFIX`, :data:`VALID_FOR`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.core import Core
from storage.invites import Invite, InviteStore
from storage.roles import StaffRole

__all__ = [
    "INVITE_PREFIX",
    "VALID_FOR",
    "Accepted",
    "UnknownAreas",
    "accept",
    "commissioners",
    "invite_commissioner",
    "parse_areas",
    "revoke",
]

INVITE_PREFIX = "inv"
VALID_FOR = timedelta(days=7)


class UnknownAreas(ValueError):
    def __init__(self, unknown: Sequence[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = list(unknown)


def parse_areas(core: Core, words: Sequence[str]) -> list[str]:
    """Area keys from the words typed, areas separated by commas, each by its key or name
    (``St Helens, knowsley``; any case), in order."""
    by_word = {}
    for area in core.settings.programme.areas:
        by_word[area.key.lower()] = area.key
        by_word[" ".join(area.name.lower().split())] = area.key
    asked = [" ".join(part.split()) for part in " ".join(words).split(",") if part.strip()]
    unknown = [word for word in asked if word.lower() not in by_word]
    if unknown:
        raise UnknownAreas(unknown)
    return list(dict.fromkeys(by_word[word.lower()] for word in asked))


async def invite_commissioner(core: Core, areas: Sequence[str], admin_id: int) -> Invite:
    """A new single-use invite to be a commissioner for ``areas`` (audited)."""
    now = core.clock()
    async with core.database.transaction():
        invite = await InviteStore(core.database).create(
            secrets.token_hex(8), areas, admin_id, now, now + VALID_FOR
        )
        await core.audit.record(
            admin_id, "invite", now, {"role": "commissioner", "areas": list(areas)}
        )
    return invite


@dataclass(frozen=True)
class Accepted:
    """The role the invite gave; ``again``: the person had used it before and still has it."""

    role: StaffRole
    again: bool = False


Refused = Literal["unknown", "used", "expired", "staff already"]


async def accept(core: Core, code: str, user_id: int, name: str) -> Accepted | Refused:
    """Use invite ``code``: ``user_id`` becomes a commissioner for its areas. An admin, or a
    commissioner the config names, keeps their role and the invite stays unused."""
    current = core.roles.get(user_id)
    if current is not None and (current.role == "admin" or current.source == "config"):
        return "staff already"
    now = core.clock()
    async with core.database.transaction():
        invite = await InviteStore(core.database).spend(code, user_id, now)
        if invite == "used by you":
            return _used_again(current)
        if isinstance(invite, str):
            return invite
        role = await core.roles.grant(user_id, name, invite.areas, invite.created_by, now)
        assert role is not None  # checked above, in this same task
        await core.audit.record(
            user_id, "invite_accepted", now, {"code": code, "areas": list(role.areas)}
        )
    core.roles.remember(role)
    return Accepted(role)


def _used_again(current: StaffRole | None) -> Accepted | Refused:
    """Someone opening the invite they used: still a commissioner, or ended since (/revoke)."""
    if current is not None and current.role == "commissioner":
        return Accepted(current, again=True)
    return "used"


async def revoke(core: Core, user_id: int, admin_id: int) -> StaffRole | None:
    """End an invited commissioner's role (audited); None if no invite gave them one."""
    async with core.database.transaction():
        ended = await core.roles.revoke(user_id)
        if ended is not None:
            details = {"user_id": user_id, "areas": list(ended.areas)}
            await core.audit.record(admin_id, "revoke", core.clock(), details)
    if ended is not None:
        core.roles.forget(user_id)
    return ended


def commissioners(core: Core) -> list[StaffRole]:
    return [row for row in core.roles.staff() if row.role == "commissioner"]
