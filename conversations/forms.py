"""Forms as data: a form is a title, a sequence of typed steps and an on-submit hook.

Step kinds and the answers they store (JSON-ready):

========================  ==========================================================
``TextStep``              ``str`` between ``min_length`` and ``max_length`` characters
``ChoiceStep``            the chosen ``Choice.value``
``MultiChoiceStep``       ``list`` of chosen values (at least ``min_chosen``)
``ScaleStep``             ``int`` from 1 to 5
``ListStep``              ``list`` of 1..``max_items`` texts, one message each, then Done
``MediaStep``             ``{"kind": "photo"|"voice"|"document"|"text", "file_id"?, "text"?}``
========================  ==========================================================

An optional step (``optional=True``) gets a Skip button and stores ``None`` when skipped.
Validation is pure: :func:`check_text` and friends say what is wrong in one line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import User

Answers = dict[str, Any]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step has: a key for its answer, the question, and whether it may be skipped."""

    key: str
    label: str  # a few words, for the summary: "Organisation"
    prompt: str  # the question, in plain English
    optional: bool = False
    hint: str = ""  # one more line under the question


@dataclass(frozen=True, kw_only=True)
class TextStep(Step):
    min_length: int = 1
    max_length: int = 1000
    # Offer a one-tap answer from the person's Telegram profile (e.g. their name).
    suggest: Callable[[User], str | None] | None = None


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(Step):
    choices: tuple[Choice, ...]


@dataclass(frozen=True, kw_only=True)
class MultiChoiceStep(Step):
    choices: tuple[Choice, ...]
    min_chosen: int = 1


@dataclass(frozen=True, kw_only=True)
class ScaleStep(Step):
    labels: tuple[str, str, str, str, str]


@dataclass(frozen=True, kw_only=True)
class ListStep(Step):
    max_items: int = 3
    min_items: int = 1
    item_max_length: int = 500


@dataclass(frozen=True, kw_only=True)
class MediaStep(Step):
    """A photo, voice note or document, or (if ``accept_text``) a few words instead."""

    accept_text: bool = True
    max_length: int = 1000


@dataclass(frozen=True)
class Submission:
    """What a form's on-submit hook receives."""

    user: User
    draft_id: int  # unique per filled-in form: store it to make the hook idempotent
    answers: Mapping[str, Any]


OnSubmit = Callable[[Submission], Awaitable[str]]


@dataclass(frozen=True)
class Form:
    name: str  # short id: "onboarding", "need"
    title: str  # shown above every question
    steps: tuple[Step, ...]
    on_submit: OnSubmit
    intro: str = ""  # said once, before the first question
    menu_label: str = ""  # its button in the main menu; empty: not in the menu
    confirm_label: str = "Confirm and send"
    # Questions answered by buttons replace each other in one message instead of stacking up.
    edit_in_place: bool = False
    # A rule about the answers as a whole, checked on Confirm: why they can't be sent, or None.
    check: Callable[[Mapping[str, Any]], str | None] | None = None

    def __post_init__(self) -> None:
        keys = [step.key for step in self.steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"form {self.name}: step keys must be unique")


def check_text(text: str, *, min_length: int, max_length: int) -> str | None:
    """Why ``text`` is not an acceptable answer, or None if it is."""
    length = len(text.strip())
    if length == 0:
        return "That was empty. Please type your answer."
    if length < min_length:
        return f"That's a bit short: please write at least {min_length:,} characters."
    if length > max_length:
        return (
            f"That's {length:,} characters: please keep it to {max_length:,} or fewer "
            "(you could split it, or shorten it)."
        )
    return None


def shortened(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis if it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_answer(step: Step, answer: Any) -> str:
    """An answer as the summary shows it (plain text, not escaped)."""
    if answer is None:
        return "(skipped)"
    if isinstance(step, ChoiceStep | MultiChoiceStep):
        labels = {choice.value: choice.label for choice in step.choices}
        values = answer if isinstance(answer, list) else [answer]
        return ", ".join(labels.get(str(value), str(value)) for value in values)
    if isinstance(step, ScaleStep):
        return f"{answer} - {step.labels[int(answer) - 1]}"
    if isinstance(step, ListStep):
        return "; ".join(answer)
    if isinstance(step, MediaStep):
        kinds = {"photo": "a photo", "voice": "a voice note", "document": "a file"}
        return str(answer.get("text") or kinds.get(answer.get("kind", ""), "an attachment"))
    return str(answer)
