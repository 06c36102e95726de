"""Privacy in practice: /privacy, /mydata, /forget, /stop, and the daily retention job."""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot.logs import log_event
from bot.services import SERVICES_KEY, BotApplication, Services, services
from storage.privacy import erase_person, everything_about

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

FORGET_PATTERN = r"^forget:(yes|no)$"
RETENTION_JOB = "retention"
RETENTION_AT = time(3, 30)
# Jobs missed while the bot was down run once when it is back, not once per missed day.
JOB_KWARGS = {"misfire_grace_time": 24 * 3600, "coalesce": True}


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy: the notice, in full."""
    notice = services(context).settings.programme.privacy_notice
    await update.effective_message.reply_text(html.escape(notice))  # type: ignore[union-attr]


async def mydata_command(update: Update, context: Context) -> None:
    """/mydata: a JSON document of everything stored about the caller."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    stored = await everything_about(services(context).database, user.id)
    if not any(stored.values()):
        await message.reply_text("We hold nothing about you.")
        return
    document = {
        "telegram_user_id": user.id,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **stored,
    }
    await message.reply_document(
        InputFile(
            json.dumps(document, indent=2, ensure_ascii=False).encode(),
            filename="my-coproduce-data.json",
        ),
        caption="Everything we hold about you. /forget erases it.",
    )


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask before erasing anything."""
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        "This erases your profile and everything you've told us, and can't be undone. "
        "Are you sure?",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Yes, erase my data", callback_data="forget:yes")],
                [InlineKeyboardButton("No, keep it", callback_data="forget:no")],
            ]
        ),
    )


async def on_forget_button(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    if query.data != "forget:yes":
        await query.edit_message_text("Nothing was erased.")
        return
    await services(context).forms.cancel(update, context)  # takes the form's buttons off too
    await _erase(context, [user.id])
    log_event(logger, "person_erased", reason="request")
    await query.edit_message_text(
        "Done: everything about you has been erased. Send /start if you'd like to join again."
    )


async def stop_command(update: Update, context: Context) -> None:
    """/stop: no more reminders or follow-ups until /start."""
    shared = services(context)
    user = update.effective_user
    if user is None or update.effective_message is None:
        return
    if await shared.participants.get(user.id) is None:
        await update.effective_message.reply_text(
            "You're not signed up, so we won't send you anything."
        )
        return
    await shared.participants.set_follow_ups(user.id, False)
    await update.effective_message.reply_text(
        "Done: no more reminders or follow-ups. Send /start to turn them back on."
    )


async def erase_expired(context: Context) -> None:
    """Erase people inactive for longer than ``programme.retention_days``."""
    shared = services(context)
    cutoff = datetime.now(UTC) - timedelta(days=shared.settings.programme.retention_days)
    expired = await shared.participants.inactive_since(cutoff)
    await _erase(context, expired)
    log_event(logger, "retention_run", erased=len(expired))


async def _erase(context: Context, user_ids: list[int]) -> None:
    """Erase these people, contributions as the programme says.

    PTB hands conversation states to the persistence in batches: what it still holds about
    them is written out first, or a later batch would bring their id back after the erasure.
    """
    if not user_ids:
        return
    shared = services(context)
    await context.application.update_persistence()
    for user_id in user_ids:
        await erase_person(
            shared.database,
            user_id,
            keep_anonymous_contributions=shared.settings.programme.keep_anonymous_contributions,
        )


def schedule_retention(application: BotApplication) -> None:
    """Daily, and once at start-up so a run missed while the bot was down still happens."""
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    shared: Services = application.bot_data[SERVICES_KEY]
    queue.run_daily(
        erase_expired,
        time=RETENTION_AT.replace(tzinfo=shared.settings.tz),
        name=RETENTION_JOB,
        job_kwargs=JOB_KWARGS,
    )
    queue.run_once(erase_expired, when=0, name=f"{RETENTION_JOB}-at-start", job_kwargs=JOB_KWARGS)
