"""Staff roles: who is an admin or a commissioner, and for which areas.

Public surface: :class:`StaffRole`, :class:`RoleStore` (``seed``, ``all``, ``grant``,
``revoke``). Members have no row. The config's people are seeded at every start and stay
marked ``config``; invited commissioners are ``invite`` rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from storage.database import Database, fetch_one

__all__ = ["RoleSource", "RoleStore", "StaffRole", "StaffRoleName"]

StaffRoleName = Literal["admin", "commissioner"]
RoleSource = Literal["config", "invite"]


class StaffRole(BaseModel):
    user_id: int
    role: StaffRoleName
    areas: tuple[str, ...] = ()
    source: RoleSource
    granted_by: int | None = None
    granted_at: datetime
    name: str | None = None  # as on Telegram when they accepted an invite


def _role_from_row(row: Sequence[object]) -> StaffRole:
    user_id, role, areas, source, granted_by, granted_at, name = row
    return StaffRole.model_validate(
        {
            "user_id": user_id,
            "role": role,
            "areas": json.loads(str(areas)),
            "source": source,
            "granted_by": granted_by,
            "granted_at": granted_at,
            "name": name,
        }
    )


_COLUMNS = "user_id, role, areas, source, granted_by, granted_at, name"


class RoleStore:
    """Reads and writes ``roles``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def all(self) -> list[StaffRole]:
        return [
            _role_from_row(row)
            for row in await self._database.connection.execute_fetchall(
                f"SELECT {_COLUMNS} FROM roles ORDER BY user_id"
            )
        ]

    async def seed(
        self, admins: Sequence[int], commissioners: Mapping[int, Sequence[str]], now: datetime
    ) -> list[StaffRole]:
        """Make the ``config`` rows match the config (an admin named as a commissioner too
        stays an admin; a config entry replaces an invite) and return every role."""
        wanted: dict[int, tuple[StaffRoleName, list[str]]] = {
            user_id: ("commissioner", sorted(set(areas)))
            for user_id, areas in commissioners.items()
        }
        wanted.update({user_id: ("admin", []) for user_id in admins})
        async with self._database.transaction() as connection:
            await connection.execute("DELETE FROM roles WHERE source = 'config'")
            await connection.executemany(
                "INSERT INTO roles (user_id, role, areas, source, granted_at)"
                " VALUES (?, ?, ?, 'config', ?)"
                " ON CONFLICT (user_id) DO UPDATE SET role = excluded.role,"
                " areas = excluded.areas, source = 'config', granted_by = NULL,"
                " granted_at = excluded.granted_at",
                [
                    (user_id, role, json.dumps(areas), now.isoformat())
                    for user_id, (role, areas) in wanted.items()
                ],
            )
        return await self.all()

    async def grant(
        self, user_id: int, name: str, areas: Sequence[str], granted_by: int, now: datetime
    ) -> StaffRole | None:
        """Make ``user_id`` a commissioner for ``areas`` (added to any they cover already).

        None if they are an admin, or a commissioner the config names: the config decides
        those, and an invite must not quietly change them.
        """
        async with self._database.transaction() as connection:
            row = await fetch_one(
                connection, f"SELECT {_COLUMNS} FROM roles WHERE user_id = ?", (user_id,)
            )
            current = _role_from_row(row) if row is not None else None
            if current is not None and (current.role == "admin" or current.source == "config"):
                return None
            merged = sorted({*(current.areas if current else ()), *areas})
            await connection.execute(
                "INSERT INTO roles (user_id, role, areas, source, granted_by, granted_at, name)"
                " VALUES (?, 'commissioner', ?, 'invite', ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET areas = excluded.areas,"
                " granted_by = excluded.granted_by, granted_at = excluded.granted_at,"
                " name = excluded.name",
                (user_id, json.dumps(merged), granted_by, now.isoformat(), name),
            )
        return StaffRole(
            user_id=user_id,
            role="commissioner",
            areas=tuple(merged),
            source="invite",
            granted_by=granted_by,
            granted_at=now,
            name=name,
        )

    async def revoke(self, user_id: int) -> StaffRole | None:
        """End an invited commissioner's role; None if they have none an invite gave."""
        async with self._database.transaction() as connection:
            row = await fetch_one(
                connection,
                f"DELETE FROM roles WHERE user_id = ? AND source = 'invite' RETURNING {_COLUMNS}",
                (user_id,),
            )
        return _role_from_row(row) if row is not None else None
