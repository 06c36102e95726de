"""The two programme challenges, asked part by part; every submission is kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from conversations.forms import Form, ListStep, Step, Submission, TextStep
from storage.contributions import ContributionStore, answers_text
from storage.participants import ParticipantStore

AT_LEAST_ONE = "Please answer at least one part: this one, or tap Back for an earlier one."


class PartWording(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def prompt(self) -> str: ...


class ChallengeWording(Protocol):
    """A challenge as the programme's config gives it."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def prompt(self) -> str: ...
    @property
    def answer_as(self) -> Literal["lists", "texts"]: ...
    @property
    def parts(self) -> Sequence[PartWording]: ...


def challenge_form(
    challenge: ChallengeWording,
    contributions: ContributionStore,
    participants: ParticipantStore,
    tag: Callable[[str], list[str]],
) -> Form:
    """The challenge's form: a list of up to three per part, or a text per part."""
    steps: tuple[Step, ...]
    if challenge.answer_as == "lists":
        steps = tuple(
            ListStep(key=part.key, label=part.label, prompt=part.prompt, max_items=3)
            for part in challenge.parts
        )
    else:
        steps = tuple(
            TextStep(
                key=part.key, label=part.label, prompt=part.prompt, optional=True, max_length=1500
            )
            for part in challenge.parts
        )

    def at_least_one(answers: Mapping[str, Any]) -> str | None:
        return None if any(answers.get(step.key) for step in steps) else AT_LEAST_ONE

    async def record(submission: Submission) -> str:
        participant = await participants.get(submission.person.id)
        saved = await contributions.add_challenge_answer(
            draft_id=submission.draft_id,
            user_id=submission.person.id,
            challenge=challenge.key,
            sector=participant.sector if participant else None,
            answers=dict(submission.answers),
            themes=tag(answers_text(submission.answers)),
            now=datetime.now(UTC),
        )
        return (
            f"Thank you: your answer to {challenge.title} is saved as {saved.reference}. "
            "You can answer again any time; every answer is kept."
        )

    return Form(
        name=challenge.key,
        title=challenge.title,
        menu_label=challenge.title,
        intro=f"{challenge.title}: {challenge.prompt}",
        steps=steps,
        on_submit=record,
        check=at_least_one if challenge.answer_as == "texts" else None,
    )
