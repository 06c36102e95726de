"""The audit log, read back: the latest admin actions as lines for a phone. No Telegram here."""

from __future__ import annotations

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
    details = ", ".join(
        f"{key}={','.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in entry.details.items()
    )
    return f"{when}, {who}: {entry.action}" + (f": {details}" if details else "")
