"""The audit log: every admin action, who did it and when, with its particulars.

Public surface: :class:`AuditEntry`, :class:`AuditLog` (``record``, ``latest``).
``record`` joins the caller's transaction, so an action and its entry land together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.database import Database

__all__ = ["AuditEntry", "AuditLog"]


class AuditEntry(BaseModel):
    id: int
    actor_id: int
    action: str
    details: dict[str, Any]
    created_at: datetime


class AuditLog:
    """Appends to and reads ``audit_log``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def record(
        self, actor_id: int, action: str, now: datetime, details: Mapping[str, Any] | None = None
    ) -> None:
        """Write that ``actor_id`` did ``action`` (e.g. ``export``, ``invite``) at ``now``."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO audit_log (actor_id, action, details, created_at)"
                " VALUES (?, ?, ?, ?)",
                (actor_id, action, json.dumps(dict(details or {}), default=str), now.isoformat()),
            )

    async def latest(self, limit: int) -> list[AuditEntry]:
        """The ``limit`` latest entries, newest first."""
        rows = await self._database.connection.execute_fetchall(
            "SELECT id, actor_id, action, details, created_at FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(
                id=row[0],
                actor_id=row[1],
                action=row[2],
                details=json.loads(row[3]),
                created_at=row[4],
            )
            for row in rows
        ]
