"""Admin commands: each checks the caller's role before doing anything."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.roles import Role, role_of
from bot.services import services
from bot.surveys import stats_surveys


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: sign-ups for admins; /stats surveys: the surveys' uplift for staff."""
    shared = services(context)
    user = update.effective_user
    wants_surveys = bool(context.args) and context.args[0].lower() == "surveys"  # type: ignore[index]
    if wants_surveys or role_of(shared.settings, user.id) is not Role.ADMIN:  # type: ignore[union-attr]
        await stats_surveys(update, context)
        return
    await signups(update, context)


async def signups(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Who has signed up, by sector and by area."""
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
    lines += ["", "Send /stats surveys for the before and after surveys."]
    await update.effective_message.reply_text("\n".join(lines))  # type: ignore[union-attr]
