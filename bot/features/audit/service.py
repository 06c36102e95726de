"""The audit log, read back: the latest admin actions as lines for a phone. No Telegram here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core import Core
from storage.audit import AuditEntry

__all__ = ["MAX_ENTRIES", "describe", "latest"]

MAX_ENTRIES = 50


async def latest(core: Core, count: int) -> list[AuditEntry]:
    return await core.audit.latest(min(count, MAX_ENTRIES))


def describe(core: Core, entry: AuditEntry) -> str:
    """``27 Nov 10:04, 1001 (Alex): export: what=all, format=xlsx``."""
    when = entry.created_at.astimezone(core.settings.tz).strftime("%-d %b %H:%M")
    role = core.roles.get(entry.actor_id)
    who = f"{entry.actor_id} ({role.name})" if role and role.name else str(entry.actor_id)
    details = ", ".join(_particulars(entry.details))
    return f"{when}, {who}: {entry.action}" + (f": {details}" if details else "")


def _particulars(details: Mapping[str, Any]) -> list[str]:
    """``key=value`` for each particular that says something; nested ones flattened
    (``filters={area: ...}`` reads ``area=knowsley``), lists joined with commas, yes/no for
    flags, and empty ones left out."""
    shown: list[str] = []
    for key, value in details.items():
        if isinstance(value, Mapping):
            shown += _particulars(value)
        elif isinstance(value, bool):
            shown.append(f"{key}={'yes' if value else 'no'}")
        elif isinstance(value, list):
            shown.append(f"{key}={','.join(map(str, value)) or 'none'}")
        elif value is not None:
            shown.append(f"{key}={value}")
    return shown
