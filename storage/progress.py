"""How far people get through each form: the steps they were asked and whether they submitted.

Written by :class:`storage.drafts.DraftStore` with the statement that saves the draft, so
the completion funnel (``/stats funnel``) counts exactly what people were asked. Only the first
time counts: going Back or changing an answer reaches a step again without counting it twice.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

__all__ = ["AT_SUMMARY", "note_reached", "note_submitted"]

AT_SUMMARY = "#summary"
"""The step key recorded when a person is shown the summary ("Check your answers")."""


def note_reached(
    connection: sqlite3.Connection,
    user_id: int,
    form: str,
    step_key: str | None,
    now: datetime,
) -> None:
    """The person has been asked ``step_key`` of ``form`` (None: shown its summary)."""
    connection.execute(
        "INSERT OR IGNORE INTO form_progress (user_id, form, step_key, reached_at)"
        " VALUES (?, ?, ?, ?)",
        (user_id, form, step_key if step_key is not None else AT_SUMMARY, now.isoformat()),
    )


def note_submitted(connection: sqlite3.Connection, user_id: int, form: str, now: datetime) -> None:
    """The person has submitted ``form``."""
    connection.execute(
        "INSERT OR IGNORE INTO form_submissions (user_id, form, submitted_at) VALUES (?, ?, ?)",
        (user_id, form, now.isoformat()),
    )
