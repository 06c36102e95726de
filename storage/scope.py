"""Which rows a report or an export takes, and the one SQL condition that selects them.

Public surface: :class:`Scope`, :func:`in_scope`. Queries are composed once, at import, from
column names only; the values always travel as the named parameters of
:meth:`Scope.parameters`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Scope", "in_scope"]


@dataclass(frozen=True)
class Scope:
    """Rows of people (and their needs and answers) in ``areas`` (None: every area), of those
    only the attendees of event ``event`` (None: everyone), from ``since`` on (None: any time)."""

    areas: Collection[str] | None = None
    event: str | None = None
    since: datetime | None = None

    def parameters(self) -> dict[str, Any]:
        return {
            "areas": json.dumps(sorted(self.areas)) if self.areas is not None else None,
            "event": self.event.lower() if self.event is not None else None,  # any case typed
            "since": self.since.isoformat() if self.since is not None else None,
        }


def in_scope(*, area: str, person: str, when: str | None = None) -> str:
    """The condition for rows in a :class:`Scope`: ``area`` names the row's area column,
    ``person`` its user id column, ``when`` the time ``since`` is compared with."""
    condition = (
        f"(:areas IS NULL OR {area} IN (SELECT value FROM json_each(:areas)))"
        f" AND (:event IS NULL OR {person} IN"
        " (SELECT user_id FROM event_attendance WHERE event_code = :event))"
    )
    if when is not None:
        condition += f" AND (:since IS NULL OR {when} >= :since)"
    return condition
