"""/audit [n]: the latest admin actions."""

from __future__ import annotations

import html

from telegram import Update

from bot.context import Context, sender, services
from bot.features.audit import service

USAGE = f"Use: /audit, or /audit N for the latest N actions (up to {service.MAX_ENTRIES})."
DEFAULT_COUNT = 10


async def audit_command(update: Update, context: Context) -> None:
    core = services(context).core
    who = sender(update)
    args = context.args or []
    if len(args) > 1 or (args and not (args[0].isdecimal() and int(args[0]) > 0)):
        await who.reply(context, USAGE)
        return
    entries = await service.latest(core, int(args[0]) if args else DEFAULT_COUNT)
    if not entries:
        await who.reply(context, "Nothing in the audit log yet.")
        return
    lines = [f"<b>Latest admin actions</b> (newest first, {len(entries)})"]
    lines += [html.escape(service.describe(core, entry)) for entry in entries]
    await who.reply_lines(context, lines)
