"""Confidence surveys: which wave is due for a person, the waves' state, the uplift report.
No Telegram here."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import Core, follow_up_time
from bot.reports.charts import survey_charts
from bot.reports.uplift import GroupSpec, SurveyAnswers, in_plain_words, uplift
from conversations.forms import Form
from conversations.survey import FORM_NAMES, Due, due_wave, survey_form
from storage.outbox import Outgoing
from storage.surveys import AnswerSet, Wave, WaveState

__all__ = [
    "AFTER_INVITES",
    "AFTER_REMINDERS",
    "EVENT_INVITES",
    "SurveyReport",
    "due_survey",
    "event_invitation_key",
    "forms",
    "invite_to_after_survey",
    "set_wave",
    "survey_due",
    "survey_report",
    "survey_rows",
    "wave_status",
]

# Outbox key prefixes of the follow-ups this queues for members (the feature declares them,
# so /stop withdraws those still waiting).
AFTER_INVITES = "after-invite:"
AFTER_REMINDERS = "after-remind:"
# An event's close invites its attendees (the events feature queues them, under this prefix so
# that their reminders follow that invitation instead of a second one).
EVENT_INVITES = "event-after:"


def event_invitation_key(code: str, user_id: int) -> str:
    """The outbox key of the after-survey invitation for ``user_id`` when event ``code`` closed."""
    return f"{EVENT_INVITES}{code}:{user_id}"


async def _due_for(core: Core, user_id: int) -> tuple[Due, set[Wave]]:
    """The survey due for the person now, and the waves they have already answered."""
    answered = {wave: row.answered_at for wave, row in (await core.surveys.of(user_id)).items()}
    due = due_wave(
        answered,
        await core.surveys.wave_states(),
        now=core.clock(),
        after_days=core.settings.programme.survey.after_days,
        after_opened=await core.events.after_open_for(user_id),
    )
    return due, set(answered)


async def due_survey(core: Core, user_id: int) -> tuple[str | None, str, bool]:
    """The survey form due for the person (None: none), what to tell them first, and whether
    it is a retake (answering again would replace their earlier answers: ask first)."""
    due, _ = await _due_for(core, user_id)
    return (FORM_NAMES[due.wave] if due.wave else None), due.note, due.retake


async def survey_due(core: Core, user_id: int) -> bool:
    """Whether the person has a survey waiting for them (not a retake)."""
    due, answered = await _due_for(core, user_id)
    return due.wave is not None and due.wave not in answered


async def set_wave(core: Core, wave: Wave, state: WaveState, actor_id: int) -> None:
    """Open or close ``wave`` for everyone, as the admin ``actor_id`` asked (audited)."""
    now = core.clock()
    async with core.database.transaction():
        await core.surveys.set_wave(wave, state, now)
        await core.audit.record(actor_id, "wave", now, {"wave": wave, "state": state})


async def wave_status(core: Core) -> str:
    """Where the two waves stand, in a line each."""
    states = await core.surveys.wave_states()
    after_days = core.settings.programme.survey.after_days
    before = "closed" if states.get("before") == "closed" else "open"
    after = {
        "open": "open for everyone",
        "closed": "closed",
    }.get(states.get("after", ""), f"opens for each person {after_days} days after their before")
    return f"Before survey: {before}.\nAfter survey: {after}."


async def survey_rows(
    core: Core, *, areas: Collection[str] | None, people: Collection[int] | None = None
) -> list[AnswerSet]:
    """Every answer set from ``areas`` (None: all), of ``people`` only if given."""
    rows = await core.surveys.all(areas)
    return rows if people is None else [row for row in rows if row.user_id in people]


@dataclass(frozen=True)
class SurveyReport:
    """The report as a message (HTML) and one chart per group with something to draw."""

    text: str
    charts: list[tuple[str, bytes]]  # (caption, PNG)


async def survey_report(
    core: Core,
    *,
    areas: Collection[str] | None,
    min_group_size: int | None,
    people: Collection[int] | None = None,
    charts: int | None = None,
) -> SurveyReport:
    """The uplift per report group in plain words, and its charts, for ``areas`` (None: all)
    and, if given, only ``people`` (an event's attendees); at most ``charts`` charts if given."""
    programme = core.settings.programme
    rows = await survey_rows(core, areas=areas, people=people)
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
        "from their answer to “"
        + next(i.question for i in programme.survey.items if i.key == item)
        + "”"
        if item
        else f"from their answers to all {len(programme.survey.items)} questions"
    )
    lines = [
        "<b>Before and after surveys</b>",
        f"<i>Who felt more positive after the programme than before, {html.escape(measure)}.</i>",
    ]
    for group in results:
        lines += ["", html.escape(in_plain_words(group, min_group_size=min_group_size))]
    # Drawing takes tens of milliseconds a chart: keep it off the event loop.
    drawn = await asyncio.to_thread(
        survey_charts,
        results,
        {i.key: i.question for i in programme.survey.items},
        min_group_size=min_group_size,
        most=charts,
    )
    return SurveyReport(
        "\n".join(lines),
        [
            (f"{group.name}: average answer to each question, before and after", png)
            for group, png in drawn
        ],
    )


def forms(core: Core) -> Sequence[Form]:
    survey = core.settings.programme.survey
    return [
        survey_form(wave, survey.items, survey.scale_labels, core.surveys, core.participants)
        for wave in FORM_NAMES
    ]


# After the invitation to the after survey: reminders, then nothing.
REMINDERS = (timedelta(days=3), timedelta(days=7))
TAKE_IT = [[("Take the survey", "menu:survey")]]
INVITATION = (
    "It's time for the after survey: the same quick questions as before, to see what has "
    "changed for you since. It takes a minute."
)
REMINDER = (
    "A reminder: the after survey is waiting for you. It takes a minute, and it shows the "
    "commissioners what the programme changed."
)


async def invite_to_after_survey(core: Core, now: datetime) -> int:
    """Due work: invite each person whose after survey has fallen due (``after_days`` after
    their before survey, or when an admin opened the wave), then remind them after 3 and
    7 days; nothing once they answer, after /stop, or in the quiet hours. Someone an event's
    close invited has had their invitation: only the reminders follow, from then. Returns how
    many were invited now."""
    if (await core.surveys.wave_states()).get("after") == "closed":
        return 0
    opened = await core.surveys.opened_for_everyone("after")
    after_days = timedelta(days=core.settings.programme.survey.after_days)
    at = follow_up_time(core, now)
    invited = 0
    for user_id, before_at, event_invited_at in await core.surveys.awaiting_after(EVENT_INVITES):
        due = min(
            moment
            for moment in (before_at + after_days, opened, event_invited_at)
            if moment is not None
        )
        if now < due:
            continue
        reminders = [delay for delay in REMINDERS if now >= due + delay]
        if reminders:  # only the latest one that has come: no catching up on missed ones
            key, text = f"{AFTER_REMINDERS}{user_id}:{reminders[-1].days}", REMINDER
        elif event_invited_at is not None:
            continue
        else:
            key, text = f"{AFTER_INVITES}{user_id}", INVITATION
        queued = await core.outbox.enqueue(
            key, user_id, Outgoing(text=text, buttons=TAKE_IT), now, not_before=at
        )
        invited += queued and not reminders
    return invited
