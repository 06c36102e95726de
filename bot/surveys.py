"""Confidence surveys in the bot: opening the due wave, /wave, and /stats surveys."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Collection
from datetime import UTC, datetime

from telegram import Update
from telegram.constants import ChatAction, MessageLimit
from telegram.ext import ContextTypes

from bot.reports.charts import survey_chart
from bot.reports.uplift import GroupSpec, SurveyAnswers, describe, uplift
from bot.roles import Role, commissioner_areas, role_of
from bot.services import Services, services
from conversations.survey import FORM_NAMES, Due, due_wave
from storage.surveys import Wave, WaveState

Context = ContextTypes.DEFAULT_TYPE

WAVE_USAGE = "Use: /wave before|after open|close, or /wave to see where things stand."


async def _due_for(shared: Services, user_id: int) -> tuple[Due, set[Wave]]:
    """The survey due for the person now, and the waves they have already answered."""
    answered = {wave: row.answered_at for wave, row in (await shared.surveys.of(user_id)).items()}
    due = due_wave(
        answered,
        await shared.surveys.wave_states(),
        now=datetime.now(UTC),
        after_days=shared.settings.programme.survey.after_days,
    )
    return due, set(answered)


async def due_survey(shared: Services, user_id: int) -> tuple[str | None, str]:
    """The survey form due for the person (None: none), and what to tell them first."""
    due, _ = await _due_for(shared, user_id)
    return (FORM_NAMES[due.wave] if due.wave else None), due.note


async def survey_due(shared: Services, user_id: int) -> bool:
    """Whether the person has a survey waiting for them (not a retake)."""
    due, answered = await _due_for(shared, user_id)
    return due.wave is not None and due.wave not in answered


async def wave_command(update: Update, context: Context) -> None:
    """/wave WAVE open|close: open a wave for everyone now, or close it."""
    shared = services(context)
    message = update.effective_message
    if message is None:
        return
    args = [arg.lower() for arg in context.args or []]
    if args and (len(args) != 2 or args[0] not in FORM_NAMES or args[1] not in ("open", "close")):
        await message.reply_text(WAVE_USAGE)
        return
    if args:
        wave: Wave = "before" if args[0] == "before" else "after"
        state: WaveState = "open" if args[1] == "open" else "closed"
        await shared.surveys.set_wave(wave, state, datetime.now(UTC))
    states = await shared.surveys.wave_states()
    after_days = shared.settings.programme.survey.after_days
    before = "closed" if states.get("before") == "closed" else "open"
    after = {
        "open": "open for everyone",
        "closed": "closed",
    }.get(states.get("after", ""), f"opens for each person {after_days} days after their before")
    await message.reply_text(f"Before survey: {before}.\nAfter survey: {after}.")


async def survey_report(
    shared: Services, *, areas: Collection[str] | None, min_group_size: int | None
) -> tuple[str, bytes]:
    """The uplift per report group as text and a chart, for ``areas`` (None: all)."""
    programme = shared.settings.programme
    rows = await shared.surveys.all(areas)
    # Someone forgotten keeps anonymous answers that can no longer be paired: count them apart.
    answers = [
        SurveyAnswers(
            user_id=row.user_id if row.user_id is not None else -index,
            sector=row.sector,
            wave=row.wave,
            scores=row.scores,
        )
        for index, row in enumerate(rows, 1)
    ]
    groups = [
        GroupSpec(name=group.name, sectors=frozenset(group.sectors))
        for group in programme.report_groups
    ]
    item = programme.survey.uplift_item
    results = uplift(answers, groups, item=item)
    measure = (
        next(i.question for i in programme.survey.items if i.key == item)
        if item
        else f"the mean of all {len(programme.survey.items)} questions"
    )
    lines = [
        "<b>Confidence surveys</b>: who is more positive after than before",
        f"<i>Measured on {html.escape(measure)}</i>",
        "",
        *(html.escape(describe(group, min_group_size=min_group_size)) for group in results),
    ]
    # Drawing takes a few tenths of a second: keep it off the event loop.
    chart = await asyncio.to_thread(
        survey_chart,
        results,
        {i.key: i.question for i in programme.survey.items},
        title="Before and after, mean answer per question",
        min_group_size=min_group_size,
    )
    return "\n".join(lines), chart


async def stats_surveys(update: Update, context: Context) -> None:
    """/stats surveys: the uplift; commissioners see their areas, small groups withheld."""
    shared = services(context)
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    await message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    if role_of(shared.settings, user.id) is Role.ADMIN:
        areas, min_group_size = None, None
    else:
        areas = commissioner_areas(shared.settings, user.id)
        min_group_size = shared.settings.programme.min_group_size
    text, chart = await survey_report(shared, areas=areas, min_group_size=min_group_size)
    if len(text) <= MessageLimit.CAPTION_LENGTH:
        await message.reply_photo(chart, caption=text)
    else:  # many report groups: the figures go in a message of their own
        await message.reply_text(text)
        await message.reply_photo(chart)
