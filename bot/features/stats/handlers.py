"""/stats: sign-ups for admins; /stats surveys: the surveys' uplift for staff."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction

from bot.context import Context, sender, services
from bot.features.stats import service
from bot.features.surveys import service as surveys
from bot.roles import Role


async def stats_command(update: Update, context: Context) -> None:
    """/stats: sign-ups for admins; /stats surveys (and a commissioner's /stats): surveys."""
    core = services(context).core
    who = sender(update)
    wants_surveys = [arg.lower() for arg in context.args or []][:1] == ["surveys"]
    if wants_surveys or core.roles.role_of(who.user.id) is not Role.ADMIN:
        await stats_surveys(update, context)
        return
    counts = await service.signups(core)
    lines = [f"<b>Signed up</b>: {counts.total}", "", "<b>By sector</b>"]
    lines += [f"{html.escape(name)}: {count}" for name, count in counts.by_sector.items()]
    lines += ["", "<b>By area</b>"]
    lines += [f"{html.escape(name)}: {count}" for name, count in counts.by_area.items()]
    lines += ["", "Send /stats surveys for the before and after survey results."]
    await who.reply(
        context,
        "\n".join(lines),
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("Survey results", callback_data="cmd:stats:surveys")
        ),
    )


async def stats_surveys(update: Update, context: Context) -> None:
    """The uplift per report group; commissioners see their areas, small groups withheld."""
    core = services(context).core
    who = sender(update)
    await context.bot.send_chat_action(who.chat_id, ChatAction.TYPING)
    if core.roles.role_of(who.user.id) is Role.ADMIN:
        areas, min_group_size = None, None
    else:
        areas = core.roles.areas_of(who.user.id)
        min_group_size = core.settings.programme.min_group_size
    report = await surveys.survey_report(core, areas=areas, min_group_size=min_group_size)
    await who.reply(context, report.text)
    for caption, chart in report.charts:  # one short picture per group reads on a phone
        await context.bot.send_photo(who.chat_id, chart, caption=html.escape(caption))
