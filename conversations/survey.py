"""The before and after confidence surveys: which wave is due, and the form for each.

The form is a row of 1-5 scales answered with buttons; each answered question stays in the
chat with its answer, as a record of what the person said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from conversations.forms import Form, ScaleStep, Submission
from storage.participants import ParticipantStore
from storage.surveys import SurveyStore, Wave, WaveState

SURVEY = "survey"
FORM_NAMES: dict[Wave, str] = {"before": "survey_before", "after": "survey_after"}


class ItemWording(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def question(self) -> str: ...


@dataclass(frozen=True)
class Due:
    """The wave to answer now (None: none), and a line to tell the person first.

    ``retake``: they have answered that wave already; ``note`` then says what answering again
    does to the earlier answers, and the person is asked before the survey starts.
    """

    wave: Wave | None
    note: str = ""
    retake: bool = False


def _day(when: datetime) -> str:
    return f"{when.day} {when:%B}"


def due_wave(
    answered: Mapping[Wave, datetime],
    states: Mapping[Wave, WaveState],
    *,
    now: datetime,
    after_days: int,
    after_opened: bool = False,
) -> Due:
    """Which survey this person should take now.

    "before" until they have answered it; "after" once ``after_days`` have passed since their
    before (or an admin opened the after wave for everyone, or for them: ``after_opened``, an
    event they attended has closed). Until a wave closes, answering it
    again replaces the earlier answers: a retake, which the person confirms first.
    """
    after_closed = states.get("after") == "closed"
    before_closed = states.get("before") == "closed"
    if "before" not in answered:
        if not before_closed:
            return Due("before")
        if states.get("after") == "open":
            return Due("after")
        return Due(None, "The survey is closed at the moment.")
    opens = answered["before"] + timedelta(days=after_days)
    after_due = states.get("after") == "open" or after_opened or now >= opens
    if after_due and not after_closed:
        if "after" not in answered:
            return Due("after")
        return Due(
            "after",
            f"You answered the after survey on {_day(answered['after'])}. If you answer it "
            "again, your new answers replace those ones: the earlier answers are not kept.",
            retake=True,
        )
    if after_closed:
        return Due(None, "The survey has closed. Thank you for taking part.")
    when = f"The after survey opens on {_day(opens)}."
    if before_closed:
        return Due(None, f"Thank you: you've done the before survey. {when}")
    return Due(
        "before",
        f"You answered the before survey on {_day(answered['before'])}. If you answer it again, "
        "your new answers replace those ones: the earlier answers are not kept, and the after "
        f"survey opens {after_days} days after your new answers instead of on {_day(opens)}.",
        retake=True,
    )


def survey_form(
    wave: Wave,
    items: Sequence[ItemWording],
    scale_labels: Sequence[str],
    surveys: SurveyStore,
    participants: ParticipantStore,
) -> Form:
    """The survey for one wave; on submit the answers replace any earlier set for that wave."""
    labels = tuple(scale_labels)

    async def record(submission: Submission) -> str:
        participant = await participants.get(submission.person.id)
        if participant is None or participant.sector is None or participant.area is None:
            return "Please finish signing up (send /start) before taking the survey."
        states = await surveys.wave_states()
        if states.get(wave) == "closed":
            return f"Sorry: the {wave} survey closed before you sent this, so it was not saved."
        await surveys.save(
            user_id=submission.person.id,
            wave=wave,
            sector=participant.sector,
            area=participant.area,
            scores={key: int(score) for key, score in submission.answers.items()},
            now=datetime.now(UTC),
        )
        if wave == "before":
            return "Thank you. We'll ask you the same questions again later, to see what changed."
        return "Thank you: that's the programme's after survey done."

    return Form(
        name=FORM_NAMES[wave],
        title="Confidence survey",
        intro=(
            f"{len(items)} quick questions, each answered from 1 ({labels[0]}) to "
            f"{len(labels)} ({labels[-1]}). There are no right answers."
        ),
        steps=tuple(
            ScaleStep(key=item.key, label=item.question, prompt=item.question, labels=labels)
            for item in items
        ),
        on_submit=record,
    )
