"""/stats: sign-ups for admins; /stats surveys: the surveys' uplift for staff."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatAction, MessageLimit

from bot.context import Context, sender, services
from bot.features.stats import service
from bot.features.surveys import service as surveys
from bot.roles import Role, commissioner_areas, role_of


async def stats_command(update: Update, context: Context) -> None:
    """/stats: sign-ups for admins; /stats surveys (and a commissioner's /stats): surveys."""
    core = services(context).core
    who = sender(update)
    wants_surveys = [arg.lower() for arg in context.args or []][:1] == ["surveys"]
    if wants_surveys or role_of(core.settings, who.user.id) is not Role.ADMIN:
        await stats_surveys(update, context)
        return
    counts = await service.signups(core)
    lines = [f"<b>Signed up</b>: {counts.total}", "", "<b>By sector</b>"]
    lines += [f"{html.escape(name)}: {count}" for name, count in counts.by_sector.items()]
    lines += ["", "<b>By area</b>"]
    lines += [f"{html.escape(name)}: {count}" for name, count in counts.by_area.items()]
    lines += ["", "Send /stats surveys for the before and after surveys."]
    await who.reply(context, "\n".join(lines))


async def stats_surveys(update: Update, context: Context) -> None:
    """The uplift per report group; commissioners see their areas, small groups withheld."""
    core = services(context).core
    who = sender(update)
    await context.bot.send_chat_action(who.chat_id, ChatAction.UPLOAD_PHOTO)
    if role_of(core.settings, who.user.id) is Role.ADMIN:
        areas, min_group_size = None, None
    else:
        areas = commissioner_areas(core.settings, who.user.id)
        min_group_size = core.settings.programme.min_group_size
    text, chart = await surveys.survey_report(core, areas=areas, min_group_size=min_group_size)
    if len(text) <= MessageLimit.CAPTION_LENGTH:
        await context.bot.send_photo(who.chat_id, chart, caption=text)
    else:  # many report groups: the figures go in a message of their own
        await who.reply(context, text)
        await context.bot.send_photo(who.chat_id, chart)
