"""/privacy, /mydata, /forget (with its confirmation), /stop, and the daily retention job."""

from __future__ import annotations

import contextlib
import html
import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest

from bot.context import Context, sender, services
from bot.features.privacy import service
from bot.logs import log_event

logger = logging.getLogger(__name__)

FORGET_PATTERN = r"forget:(yes|no)"
ERASED_PART = "your profile, any form you were filling in, and the messages you sent the bot"
KEPT_ANONYMOUS = (
    "The needs and challenge answers you sent are kept, without your name or anything else "
    "that could identify you, as anonymous contributions to the programme."
)
ERASED_CONTRIBUTIONS = "The needs and challenge answers you sent are erased too."
ALREADY_ERASED = "That's already done: we hold nothing more about you to erase."


def forget_question(keep_anonymous: bool) -> str:
    """The /forget confirmation: what goes, what stays, and that it can't be undone."""
    contributions = KEPT_ANONYMOUS if keep_anonymous else ERASED_CONTRIBUTIONS
    return f"This erases {ERASED_PART}. {contributions}\n\nIt can't be undone. Are you sure?"


def erased(keep_anonymous: bool) -> str:
    """What /forget says once it is done."""
    contributions = KEPT_ANONYMOUS if keep_anonymous else ERASED_CONTRIBUTIONS
    return (
        f"Done: {ERASED_PART} have been erased. {contributions}\n\n"
        "Send /start if you'd like to join again."
    )


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy: the notice, in full."""
    notice = services(context).core.settings.programme.privacy_notice
    await sender(update).reply(context, html.escape(notice))


async def mydata_command(update: Update, context: Context) -> None:
    """/mydata: a JSON document of everything stored about the caller."""
    who = sender(update)
    document = await service.everything_held(services(context).core, who.user.id)
    if document is None:
        await who.reply(context, "We hold nothing about you.")
        return
    await context.bot.send_document(
        who.chat_id,
        InputFile(
            json.dumps(document, indent=2, ensure_ascii=False).encode(),
            filename="my-coproduce-data.json",
        ),
        caption="Everything we hold about you. /forget erases it.",
    )


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask before erasing anything, saying what goes and what stays."""
    keep = services(context).core.settings.programme.keep_anonymous_contributions
    await sender(update).reply(
        context,
        html.escape(forget_question(keep)),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Yes, erase my data", callback_data="forget:yes")],
                [InlineKeyboardButton("No, keep it", callback_data="forget:no")],
            ]
        ),
    )


async def on_forget_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    shared = services(context)
    if query.data != "forget:yes":
        await query.answer()
        outcome = "Nothing was erased."
    else:
        user_id = sender(update).user.id
        held = await service.everything_held(shared.core, user_id) is not None
        await shared.forms.cancel(update, context)  # takes the form's buttons off too
        await service.erase(shared.core, user_id)
        log_event(logger, "person_erased", reason="request")
        # A second tap (or an old confirmation) finds nothing left: say so, calmly.
        await query.answer(None if held else ALREADY_ERASED)
        outcome = erased(shared.core.settings.programme.keep_anonymous_contributions)
    # A second tap asks for the same text again: already done, nothing more to say.
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(html.escape(outcome))


async def stop_command(update: Update, context: Context) -> None:
    """/stop: no more reminders or follow-ups until /start."""
    who = sender(update)
    shared = services(context)
    follow_ups = [prefix for feature in shared.features for prefix in feature.follow_ups]
    if await service.stop_follow_ups(shared.core, who.user.id, follow_ups):
        await who.reply(
            context, "Done: no more reminders or follow-ups. Send /start to turn them back on."
        )
    else:
        await who.reply(context, "You're not signed up, so we won't send you anything.")


async def erase_expired(context: Context) -> None:
    """The retention job: erase people inactive for longer than the programme keeps data."""
    erased = await service.erase_expired(services(context).core)
    log_event(logger, "retention_run", erased=erased)
