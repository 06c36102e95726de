"""Admin commands: each checks the caller's role before doing anything."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.roles import Role, requires
from bot.services import services


@requires(Role.ADMIN)
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: who has signed up, by sector and by area."""
    shared = services(context)
    programme = shared.settings.programme
    sector_names = {sector.key: sector.name for sector in programme.sectors}
    area_names = {area.key: area.name for area in programme.areas}
    by_sector = await shared.participants.count_by("sector")
    by_area = await shared.participants.count_by("area")
    lines = [f"<b>Signed up</b>: {sum(by_sector.values())}", "", "<b>By sector</b>"]
    lines += [
        f"{html.escape(sector_names.get(key, key))}: {count}" for key, count in by_sector.items()
    ]
    lines += ["", "<b>By area</b>"]
    lines += [
        f"{html.escape(area_names.get(key, key))}: {count}" for key, count in by_area.items()
    ]
    await update.effective_message.reply_text("\n".join(lines))  # type: ignore[union-attr]
