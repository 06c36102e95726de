"""Voice a local need: where, what, who is affected, how you know, how urgent, can you help."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from conversations.forms import (
    Choice,
    ChoiceStep,
    Form,
    MediaStep,
    MultiChoiceStep,
    Submission,
    TextStep,
)
from storage.contributions import ContributionStore, NewNeed

NEED = "need"
WHOLE_AREA = ""


class OptionWording(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...


class NeedWording(Protocol):
    """The form's words, as the programme's config gives them."""

    @property
    def title(self) -> str: ...
    @property
    def intro(self) -> str: ...
    @property
    def where_prompt(self) -> str: ...
    @property
    def what_prompt(self) -> str: ...
    @property
    def who_prompt(self) -> str: ...
    @property
    def who_options(self) -> Sequence[OptionWording]: ...
    @property
    def evidence_prompt(self) -> str: ...
    @property
    def urgency_prompt(self) -> str: ...
    @property
    def urgency_options(self) -> Sequence[OptionWording]: ...
    @property
    def help_prompt(self) -> str: ...
    @property
    def help_options(self) -> Sequence[OptionWording]: ...


def place_value(area: str, neighbourhood: str = WHOLE_AREA) -> str:
    """A place choice's value: ``area/neighbourhood``, or just the area for all of it."""
    return f"{area}/{neighbourhood}" if neighbourhood else area


def _choices(options: Sequence[OptionWording]) -> tuple[Choice, ...]:
    return tuple(Choice(option.key, option.label) for option in options)


def need_form(
    wording: NeedWording,
    places: Sequence[Choice],
    contributions: ContributionStore,
    tag: Callable[[str], list[str]],
) -> Form:
    """The form; ``places`` come from the programme's areas, ``tag`` finds themes in text."""

    async def record(submission: Submission) -> str:
        answers = submission.answers
        area, _, neighbourhood = str(answers["where"]).partition("/")
        content = NewNeed(
            draft_id=submission.draft_id,
            user_id=submission.person.id,
            area=area,
            neighbourhood=neighbourhood or None,
            description=str(answers["what"]),
            affected=list(answers["who"]),
            evidence=answers.get("evidence"),
            urgency=str(answers["urgency"]),
            can_help=str(answers["can_help"]),
            themes=[],
        )
        need = await contributions.add_need(
            content.model_copy(update={"themes": tag(content.tagged_text)}), datetime.now(UTC)
        )
        return (
            f"Thank you. Your need is recorded as {need.reference}. We'll let you know when a "
            "commissioner has read it. Send /needs to see your needs and what has happened."
        )

    return Form(
        name=NEED,
        title=wording.title,
        menu_label=wording.title,
        intro=wording.intro,
        steps=(
            ChoiceStep(
                key="where", label="Where", prompt=wording.where_prompt, choices=tuple(places)
            ),
            TextStep(
                key="what",
                label="The need",
                prompt=wording.what_prompt,
                min_length=10,
                max_length=1500,
            ),
            MultiChoiceStep(
                key="who",
                label="Who is affected",
                prompt=wording.who_prompt,
                choices=_choices(wording.who_options),
            ),
            MediaStep(
                key="evidence", label="How you know", prompt=wording.evidence_prompt, optional=True
            ),
            ChoiceStep(
                key="urgency",
                label="How urgent",
                prompt=wording.urgency_prompt,
                choices=_choices(wording.urgency_options),
            ),
            ChoiceStep(
                key="can_help",
                label="Could your group help",
                prompt=wording.help_prompt,
                choices=_choices(wording.help_options),
            ),
        ),
        on_submit=record,
    )
