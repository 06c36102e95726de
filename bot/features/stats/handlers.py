"""/stats [overview|needs|funnel|surveys] [event=CODE]: the programme's figures for staff."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction

from bot.context import Context, sender, services
from bot.features.stats import service

# The other sections, as buttons that run /stats with that word.
SECTION_LABELS = {
    "overview": "Overview",
    "needs": "Needs",
    "funnel": "Where people stop",
    "surveys": "Survey results",
}


def _others(request: service.Request) -> dict[str, object]:
    """Buttons for the other sections; with an event, the commands to type instead (a
    button carries one word, so it could not keep the event)."""
    others = [section for section in service.SECTIONS if section != request.section]
    if request.event is None:
        rows = [
            [InlineKeyboardButton(SECTION_LABELS[s], callback_data=f"cmd:stats:{s}")]
            for s in others
        ]
        return {"reply_markup": InlineKeyboardMarkup(rows)}
    return {}


def _typed_others(request: service.Request) -> str:
    if request.event is None:
        return ""
    event = html.escape(request.event)
    return "\n\nMore: " + ", ".join(f"/stats {s} event={event}" for s in service.SECTIONS)


async def stats_command(update: Update, context: Context) -> None:
    """Staff's figures, a section at a time; commissioners see their areas only."""
    shared = services(context)
    core = shared.core
    who = sender(update)
    request = service.parse_request(context.args or [])
    if request is None:
        await who.reply(context, html.escape(service.USAGE))
        return
    audience = await service.audience_of(core, who.user.id, request.event)
    if audience is None:
        await who.reply(
            context,
            f"There is no event with the code {html.escape(request.event or '')}.\n\n"
            + html.escape(service.USAGE),
        )
        return
    more, buttons = _typed_others(request), _others(request)
    if request.section == "needs":
        await who.reply(context, await service.needs_report(core, audience) + more, **buttons)
    elif request.section == "funnel":
        forms = list(shared.forms.forms.values())
        *first, last = await service.funnel_report(core, audience, forms)
        for text in first:  # a message a form: short enough to read on a phone
            await who.reply(context, text)
        await who.reply(context, last + more, **buttons)
    elif request.section == "surveys":
        await context.bot.send_chat_action(who.chat_id, ChatAction.TYPING)
        report = await service.surveys_report(core, audience)
        await who.reply(context, report.text + more, **buttons)
        for caption, chart in report.charts:  # one short picture per group reads on a phone
            await context.bot.send_photo(who.chat_id, chart, caption=html.escape(caption))
    else:
        await who.reply(context, await service.overview(core, audience) + more, **buttons)
