"""Single-use, expiring invitations to a staff role (today: commissioner for some areas).

Public surface: :class:`Invite`, :class:`InviteStore` (``create``, ``spend``),
:data:`Unusable`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from storage.database import Database, fetch_one

__all__ = ["Invite", "InviteStore", "Unusable"]

# Why an invite could not be used ("used by you": by the person trying it again).
Unusable = Literal["unknown", "used", "used by you", "expired"]


class Invite(BaseModel):
    code: str
    role: Literal["commissioner"]
    areas: tuple[str, ...]
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


_COLUMNS = "code, role, areas, created_by, created_at, expires_at, used_by, used_at"


def _invite(row: Sequence[object]) -> Invite:
    values = dict(zip(_COLUMNS.split(", "), row, strict=True))
    return Invite.model_validate({**values, "areas": json.loads(str(values["areas"]))})


class InviteStore:
    """Reads and writes ``invites``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def create(
        self,
        code: str,
        areas: Sequence[str],
        created_by: int,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        """A commissioner's invite for ``areas``, usable once until ``expires_at``."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO invites (code, role, areas, created_by, created_at, expires_at)"
                " VALUES (?, 'commissioner', ?, ?, ?, ?)",
                (
                    code,
                    json.dumps(list(areas)),
                    created_by,
                    now.isoformat(),
                    expires_at.isoformat(),
                ),
            )
        return Invite(
            code=code,
            role="commissioner",
            areas=tuple(areas),
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )

    async def spend(self, code: str, user_id: int, now: datetime) -> Invite | Unusable:
        """Mark the invite used by ``user_id``, once; or say why it cannot be used."""
        async with self._database.transaction() as connection:
            spent = await fetch_one(
                connection,
                f"UPDATE invites SET used_by = ?, used_at = ?"
                f" WHERE code = ? AND used_by IS NULL AND expires_at > ? RETURNING {_COLUMNS}",
                (user_id, now.isoformat(), code, now.isoformat()),
            )
            if spent is not None:
                return _invite(spent)
            found = await fetch_one(
                connection, "SELECT used_by FROM invites WHERE code = ?", (code,)
            )
        if found is None:
            return "unknown"
        if found[0] is None:
            return "expired"
        return "used by you" if found[0] == user_id else "used"
