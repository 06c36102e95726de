"""/needs: a member's own needs; /retag: an admin sets the themes of a need or answer."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context, sender, services
from bot.features.needs import service
from conversations.forms import shortened
from conversations.need import NEED
from conversations.themes import UnknownThemes, parse_theme_keys

STATUS_WORDS = {
    "new": "New: waiting for a commissioner to read it",
    "acknowledged": "Read by a commissioner",
    "responded": "A commissioner has replied",
}
PREVIEW_LENGTH = 80
# Each need takes at most about 200 characters: this many fit one Telegram message.
NEEDS_SHOWN = 15
RETAG_USAGE = (
    "Use: /retag REFERENCE THEME,THEME (for example /retag N-0042 "
    "community_engagement,partnership_working), or /retag REFERENCE none.\n\nThemes: "
)


async def needs_command(update: Update, context: Context) -> None:
    """/needs: the caller's needs, newest last, with what has happened to each."""
    core = services(context).core
    who = sender(update)
    needs = await service.needs_of(core, who.user.id)
    if not needs:
        await who.reply(
            context,
            "You haven't voiced any needs yet.",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("Voice a local need", callback_data=f"menu:{NEED}")
            ),
        )
        return
    area_names = {area.key: area.name for area in core.settings.programme.areas}
    blocks = []
    if len(needs) > NEEDS_SHOWN:
        blocks.append(f"<i>The latest {NEEDS_SHOWN} of your {len(needs)} needs.</i>")
    for need in needs[-NEEDS_SHOWN:]:
        place = need.neighbourhood or area_names.get(need.area, need.area)
        preview = html.escape(shortened(need.description, PREVIEW_LENGTH))
        blocks.append(
            f"<b>{need.reference}</b> · {html.escape(place)} · "
            f"{need.created_at:%d %b %Y}\n{preview}\n<i>{STATUS_WORDS[need.status]}</i>"
        )
    await who.reply(context, "Your needs:\n\n" + "\n\n".join(blocks))


async def retag_command(update: Update, context: Context) -> None:
    """/retag REF THEMES: set a need's or challenge answer's themes by hand, for good."""
    core = services(context).core
    who = sender(update)
    themes = {theme.key: theme.name for theme in core.settings.programme.themes}
    usage = RETAG_USAGE + ", ".join(themes)
    if not context.args or len(context.args) != 2:
        await who.reply(context, html.escape(usage))
        return
    reference, wanted = context.args
    try:
        chosen = parse_theme_keys(wanted, list(themes))
    except UnknownThemes as error:
        await who.reply(
            context, html.escape(f"Unknown theme: {', '.join(error.unknown)}. {usage}")
        )
        return
    if not await service.retag(core, reference, chosen):
        await who.reply(context, html.escape(f"There is no need or answer {reference}."))
        return
    names = ", ".join(themes[theme] for theme in chosen) or "no themes"
    await who.reply(
        context,
        html.escape(f"{reference.upper()} is now tagged: {names}. This stays as you set it."),
    )


THEMES_USAGE = "Use: /themes REFERENCE (for example /themes N-0042)."
# The themes explained, closest first: enough to see why, short enough for a phone.
THEMES_EXPLAINED = 3


async def themes_command(update: Update, context: Context) -> None:
    """/themes REF: why a need or challenge answer has its themes."""
    core = services(context).core
    who = sender(update)
    if not context.args or len(context.args) != 1:
        await who.reply(context, THEMES_USAGE)
        return
    found = await service.explain(core, context.args[0])
    if found is None:
        await who.reply(context, html.escape(f"There is no need or answer {context.args[0]}."))
        return
    names = {theme.key: theme.name for theme in core.settings.programme.themes}
    tagged = ", ".join(names.get(key, key) for key in found.themes) or "no theme"
    how = "set by an admin with /retag" if found.by_admin else "found by the tagger"
    lines = [f"<b>{found.reference}</b>: {html.escape(tagged)} ({how})", ""]
    explanation = found.explanation
    lines.append(f"<i>Read again now: {html.escape(explanation.reason)}.</i>")
    for score in explanation.scores[:THEMES_EXPLAINED]:
        lines += ["", f"<b>{html.escape(names.get(score.key, score.key))}</b>: {score.score:.2f}"]
        if score.keywords:
            lines.append("Words: " + html.escape(", ".join(score.keywords)))
        elif score.terms:
            lines.append("Shares: " + html.escape(", ".join(score.terms[:5])))
        if score.nearest:
            nearest = score.nearest[0]
            lines.append(
                f"Nearest example ({nearest.similarity:.2f}): "
                f"“{html.escape(shortened(nearest.example.text, PREVIEW_LENGTH))}”"
            )
    await who.reply(context, "\n".join(lines))
