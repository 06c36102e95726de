"""Who may do what: the one place that decides a person's role. No Telegram.

Roles live in the database (``storage/roles.py``): the config's admins and commissioners are
seeded into it at start, invites add commissioners. :class:`StaffRoles` keeps the rows in
memory, written through on every change (one process owns the database), so deciding a role
is a dictionary lookup on every update.

Public surface: :class:`Role`, :data:`REFUSALS`, :class:`StaffRoles`, :func:`may`,
:func:`lowest`, :func:`config_commissioners`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from bot.config import Settings
from storage.roles import RoleStore, StaffRole

__all__ = ["REFUSALS", "Role", "StaffRoles", "config_commissioners", "lowest", "may"]


class Role(StrEnum):
    MEMBER = "member"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


_ORDER = (Role.MEMBER, Role.COMMISSIONER, Role.ADMIN)

REFUSALS = {
    Role.ADMIN: "This command is for programme admins.",
    Role.COMMISSIONER: "This command is for commissioners and programme admins.",
}


def config_commissioners(settings: Settings) -> dict[int, list[str]]:
    """The commissioners the config names, with every area each covers."""
    areas: dict[int, list[str]] = {}
    for commissioner in settings.commissioners:
        areas.setdefault(commissioner.user_id, []).extend(commissioner.areas)
    return areas


class StaffRoles:
    """The staff roles as stored, and the changes to them (written to the database first)."""

    def __init__(self, store: RoleStore, rows: Iterable[StaffRole] = ()) -> None:
        self._store = store
        self._rows = {row.user_id: row for row in rows}

    async def load(self, settings: Settings, now: datetime) -> None:
        """Seed the config's people into the database and read every role back."""
        rows = await self._store.seed(settings.admins, config_commissioners(settings), now)
        self._rows = {row.user_id: row for row in rows}

    def role_of(self, user_id: int) -> Role:
        row = self._rows.get(user_id)
        return Role(row.role) if row is not None else Role.MEMBER

    def areas_of(self, user_id: int) -> set[str]:
        """The areas whose needs and figures a commissioner sees (none for anyone else)."""
        row = self._rows.get(user_id)
        return set(row.areas) if row is not None and row.role == "commissioner" else set()

    def staff(self) -> list[StaffRole]:
        """Everyone with a staff role: admins first, then commissioners, by id."""
        return sorted(self._rows.values(), key=lambda row: (row.role != "admin", row.user_id))

    def get(self, user_id: int) -> StaffRole | None:
        return self._rows.get(user_id)

    async def grant(
        self, user_id: int, name: str, areas: Iterable[str], granted_by: int, now: datetime
    ) -> StaffRole | None:
        r"""Write that ``user_id`` (``name`` on Telegram) is a commissioner for ``areas``; None
        if the config decides their role. The caller :meth:`remember`\ s the row once the
        transaction holding this write has committed."""
        return await self._store.grant(user_id, name, sorted(areas), granted_by, now)

    async def revoke(self, user_id: int) -> StaffRole | None:
        r"""Delete an invited commissioner's role; None if no invite gave them one. The caller
        :meth:`forget`\ s them once the transaction holding this write has committed."""
        return await self._store.revoke(user_id)

    def remember(self, row: StaffRole) -> None:
        """A committed grant: it counts from now."""
        self._rows[row.user_id] = row

    def forget(self, user_id: int) -> None:
        """A committed revoke: they are a member from now."""
        self._rows.pop(user_id, None)


def may(actual: Role, needed: Role) -> bool:
    """Admins may do everything; commissioners what commissioners and members may."""
    return _ORDER.index(actual) >= _ORDER.index(needed)


def lowest(roles: frozenset[Role]) -> Role:
    """The least privileged of ``roles``: whoever has it, or a higher one, qualifies."""
    return min(roles, key=_ORDER.index)
