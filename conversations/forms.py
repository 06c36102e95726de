"""Forms as data: a form is a title, a sequence of typed steps and an on-submit hook.

Nothing here knows Telegram: the engine turns a step's :class:`Question` into a message and
a person's message or button press into the plain values the step parses.

Step kinds and the answers they store (JSON-ready):

========================  ==========================================================
``TextStep``              ``str`` between ``min_length`` and ``max_length`` characters
``ChoiceStep``            the chosen ``Choice.value``
``MultiChoiceStep``       ``list`` of chosen values (at least ``min_chosen``)
``ScaleStep``             ``int`` from 1 to the number of its labels
``ListStep``              ``list`` of 1..``max_items`` texts, one message each, then Done
                          (a message typed as a list is offered a split into its items)
``MediaStep``             ``{"kind": "photo"|"voice"|"document"|"text", "file_id"?, "text"?}``
========================  ==========================================================

Each kind renders its question (:meth:`Step.question`) and parses what the person sends
(:meth:`Step.on_message`) or taps (:meth:`Step.on_press`) into an :data:`Outcome`:
:class:`Answered` (store it, move on), :class:`Kept` (store it, stay: a ticked box, a list
item) or :class:`Retry` (a one-line reason, same question; a text too long to take is sent
back to the person, so nothing they typed is lost). A question states its limits. An optional step
(``optional=True``) gets a Skip button and stores ``None`` when skipped.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from conversations.text import text_problem

Answers = dict[str, Any]

TAP_A_BUTTON = "Please tap one of the buttons under the question."


@dataclass(frozen=True)
class Person:
    """Who is filling in the form, as far as a form needs to know."""

    id: int
    full_name: str = ""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


class Action(StrEnum):
    """What a button does; the value is what the button carries."""

    PICK = "pick"  # choose option n (a choice, a point on a scale)
    TOGGLE = "toggle"  # tick or untick option n
    DONE = "done"  # finish a step that takes several answers
    UNDO = "undo"  # take back the last item of a list
    SPLIT = "split"  # split a list's last item, typed as a list, into its parts
    SUGGESTED = "use"  # take the answer offered from the person's profile
    BACK = "back"
    SKIP = "skip"
    CANCEL = "cancel"
    CONFIRM = "confirm"  # on the summary: send
    CHANGE = "change"  # on the summary: choose an answer to change
    GOTO = "goto"  # on the change menu: go to step n


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    argument: int | None = None

    def option(self, action: Action, valid: range) -> int | None:
        """The option this press chose, if it is ``action`` with an argument in ``valid``."""
        if self.action is action and self.argument in valid:
            return self.argument
        return None


@dataclass(frozen=True)
class Question:
    """A step's own part of its message: how to answer, extra lines, its buttons."""

    how: str  # "Tap one.", shown in italics under the question
    lines: tuple[str, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Incoming:
    """A message, as a step sees it: its text, or what was attached instead."""

    text: str | None
    kind: str = "text"  # "text", "photo", "voice", "document", or another kind of message
    described: str = "that"  # "a sticker", for "I can't use a sticker here"
    file_id: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Answered:
    """The step is answered with ``value``: store it and move on."""

    value: Any


@dataclass(frozen=True)
class Kept:
    """Store ``value`` but stay on the step (a box ticked, a list item added)."""

    value: Any
    note: str = ""


@dataclass(frozen=True)
class Retry:
    """Nothing stored: ask again, saying why.

    ``echo``: the person's own text, sent back to them before the question so nothing they
    typed is lost (an answer too long to take, for them to copy and shorten).
    """

    reason: str
    echo: str = ""


Outcome = Answered | Kept | Retry


def check_text(text: str, *, min_length: int, max_length: int) -> str | None:
    """Why ``text`` is not an acceptable answer, or None if it is."""
    length = len(text.strip())
    if length == 0:
        return "That was empty. Please type your answer."
    problem = text_problem(text)
    if problem:
        return problem
    if length < min_length:
        return f"That's a bit short: please write at least {min_length:,} characters."
    if length > max_length:
        return (
            f"That's {length:,} characters: please keep it to {max_length:,} or fewer "
            "(you could split it, or shorten it)."
        )
    return None


def too_long(text: str, max_length: int) -> Retry | None:
    """Over ``max_length``: ask again, giving the person their own text back to shorten."""
    length = len(text.strip())
    if length <= max_length:
        return None
    return Retry(
        f"That's {length:,} characters, and this question takes up to {max_length:,}. "
        "Nothing is lost: your text is just above. Copy it, shorten it and send it again.",
        echo=text.strip(),
    )


def shortened(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis if it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _folded(text: str) -> str:
    """For comparing a typed answer with a label: case, accents' forms and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _typed_choice(choices: tuple[Choice, ...], text: str) -> Choice | None:
    """The option whose label was typed (or the one label it uniquely starts)."""
    typed = _folded(text)
    if not typed:
        return None
    exact = [choice for choice in choices if _folded(choice.label) == typed]
    if exact:
        return exact[0]
    starting = [choice for choice in choices if _folded(choice.label).startswith(typed)]
    if starting:
        return starting[0] if len(starting) == 1 else None
    # "voluntary group" for "Voluntary or community group": every typed word starts a word
    # of one label, and of that label only.
    words = typed.split()
    having = [
        choice
        for choice in choices
        if all(
            any(part.startswith(word) for part in _folded(choice.label).split()) for word in words
        )
    ]
    return having[0] if len(having) == 1 else None


@dataclass(frozen=True, kw_only=True)
class Step(ABC):
    """What every step has: a key for its answer, the question, and whether it may be skipped.

    The defaults suit a step answered with buttons; each kind overrides what differs.
    """

    key: str
    label: str  # a few words, for the summary: "Organisation"
    prompt: str  # the question, in plain English
    optional: bool = False
    hint: str = ""  # one more line under the question
    # The question message says "Your answer so far" (where its buttons don't show it).
    shows_answer_so_far: ClassVar[bool] = True

    @abstractmethod
    def question(self, answer: Any, person: Person | None) -> Question:
        """How to answer, and the step's own buttons, given the answer so far."""

    def on_message(self, message: Incoming, answer: Any) -> Outcome:
        if message.text is None:
            return Retry(f"I can't use {message.described} here: {self.how_to_answer()}")
        return self.on_text(message.text, answer)

    def on_text(self, text: str, answer: Any) -> Outcome:
        return Retry(TAP_A_BUTTON)

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        """The outcome of one of this step's own buttons; None if it isn't one."""
        return None

    def how_to_answer(self) -> str:
        return "please tap one of the buttons."

    def format(self, answer: Any) -> str:
        """An answer as the summary shows it (plain text)."""
        return str(answer)


@dataclass(frozen=True, kw_only=True)
class TextStep(Step):
    min_length: int = 1
    max_length: int = 1000
    # Offer a one-tap answer from the person's profile (e.g. their Telegram name).
    suggest: Callable[[Person], str | None] | None = None

    def _suggestion(self, person: Person | None) -> str | None:
        suggestion = self.suggest(person) if self.suggest and person else None
        # A profile name of only invisible or broken characters is not offered.
        return suggestion if suggestion and text_problem(suggestion) is None else None

    def question(self, answer: Any, person: Person | None) -> Question:
        suggestion = self._suggestion(person)
        buttons = ((Button(f"Use “{suggestion}”", Action.SUGGESTED),),) if suggestion else ()
        limits = (
            f"at least {self.min_length:,} and up to {self.max_length:,} characters"
            if self.min_length > 1
            else f"up to {self.max_length:,} characters"
        )
        return Question(f"Type your answer ({limits}).", (), buttons)

    def on_text(self, text: str, answer: Any) -> Outcome:
        kept = too_long(text, self.max_length)
        if kept:
            return kept
        reason = check_text(text, min_length=self.min_length, max_length=self.max_length)
        return Retry(reason) if reason else Answered(text.strip())

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        suggestion = self._suggestion(person) if press.action is Action.SUGGESTED else None
        return Answered(suggestion[: self.max_length]) if suggestion else None

    def how_to_answer(self) -> str:
        return "please type your answer."


@dataclass(frozen=True, kw_only=True)
class ChoiceStep(Step):
    choices: tuple[Choice, ...]
    shows_answer_so_far: ClassVar[bool] = False

    def question(self, answer: Any, person: Person | None) -> Question:
        rows = tuple(
            (Button(("✓ " if c.value == answer else "") + c.label, Action.PICK, i),)
            for i, c in enumerate(self.choices)
        )
        return Question("Tap one.", (), rows)

    def on_text(self, text: str, answer: Any) -> Outcome:
        typed = _typed_choice(self.choices, text)
        return Answered(typed.value) if typed else Retry(TAP_A_BUTTON)

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        picked = press.option(Action.PICK, range(len(self.choices)))
        return None if picked is None else Answered(self.choices[picked].value)

    def format(self, answer: Any) -> str:
        labels = {choice.value: choice.label for choice in self.choices}
        return labels.get(str(answer), str(answer))


@dataclass(frozen=True, kw_only=True)
class MultiChoiceStep(Step):
    choices: tuple[Choice, ...]
    min_chosen: int = 1
    shows_answer_so_far: ClassVar[bool] = False

    def question(self, answer: Any, person: Person | None) -> Question:
        chosen = answer or []
        rows = tuple(
            (Button(("✓ " if c.value in chosen else "") + c.label, Action.TOGGLE, i),)
            for i, c in enumerate(self.choices)
        )
        return Question(
            "Tap all that apply, then Done.", (), (*rows, (Button("Done", Action.DONE),))
        )

    def _toggled(self, answer: Any, value: str) -> list[str]:
        chosen = list(answer or [])
        return [v for v in chosen if v != value] if value in chosen else [*chosen, value]

    def on_text(self, text: str, answer: Any) -> Outcome:
        parts = split_list(text) or [text]
        typed = [_typed_choice(self.choices, part) for part in parts]
        if not typed or None in typed:
            return Retry(TAP_A_BUTTON)
        chosen = list(answer or [])
        chosen += [c.value for c in typed if c is not None and c.value not in chosen]
        return Kept(chosen, "Ticked. Tap Done when that's all.")

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        toggled = press.option(Action.TOGGLE, range(len(self.choices)))
        if toggled is not None:
            return Kept(self._toggled(answer, self.choices[toggled].value))
        if press.action is Action.DONE:
            if len(answer or []) < self.min_chosen:
                least = "one" if self.min_chosen == 1 else f"{self.min_chosen}"
                return Retry(f"Please choose at least {least} first.")
            return Answered(list(answer))
        return None

    def format(self, answer: Any) -> str:
        labels = {choice.value: choice.label for choice in self.choices}
        return ", ".join(labels.get(str(value), str(value)) for value in answer)


@dataclass(frozen=True, kw_only=True)
class ScaleStep(Step):
    """A point on a scale, 1 to ``len(labels)``; the labels come from the programme's config."""

    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.labels) < 2:
            raise ValueError(f"step {self.key}: a scale needs at least two labels")

    def question(self, answer: Any, person: Person | None) -> Question:
        points = range(1, len(self.labels) + 1)
        row = tuple(Button(("✓ " if answer == n else "") + str(n), Action.PICK, n) for n in points)
        legend = tuple(f"{n} = {label}" for n, label in zip(points, self.labels, strict=True))
        return Question("Tap a number:", legend, (row,))

    def on_text(self, text: str, answer: Any) -> Outcome:
        typed = text.strip()
        if typed.isdigit() and 1 <= int(typed) <= len(self.labels):
            return Answered(int(typed))
        return Retry(TAP_A_BUTTON)

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        point = press.option(Action.PICK, range(1, len(self.labels) + 1))
        return None if point is None else Answered(point)

    def format(self, answer: Any) -> str:
        return f"{self.labels[int(answer) - 1]} ({answer} of {len(self.labels)})"


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s*")


def split_list(text: str) -> list[str] | None:
    """The items of a typed list (one per line, or separated by commas or semicolons), or
    None if it does not look like one (fewer than two items)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        lines = re.split(r"[;,]", text)
    items = [_BULLET.sub("", line).strip() for line in lines]
    items = [item for item in items if item]
    return items if len(items) >= 2 else None


@dataclass(frozen=True, kw_only=True)
class ListStep(Step):
    """Up to ``max_items`` texts, one message each; a message that is itself a list (lines,
    or commas) is added whole, with an offer to split it into its items."""

    max_items: int = 3
    min_items: int = 1
    item_max_length: int = 500
    shows_answer_so_far: ClassVar[bool] = False

    def _split_last(self, items: list[str]) -> list[str] | None:
        """The items with the last one split into its parts, if it is a list that fits."""
        parts = split_list(items[-1]) if items else None
        if parts is None or len(items) - 1 + len(parts) > self.max_items:
            return None
        return [*items[:-1], *parts]

    def question(self, answer: Any, person: Person | None) -> Question:
        items: list[str] = answer or []
        how = (
            f"Send each one as its own message (up to {self.max_items}, "
            f"{self.item_max_length:,} characters each), then tap Done."
            if len(items) < self.max_items
            else "That's the most this question takes. Tap Done."
        )
        if not items:
            return Question(how)
        lines = ("", *(f"{n}. {item}" for n, item in enumerate(items, 1)))
        rows: tuple[tuple[Button, ...], ...] = (
            (Button("Done", Action.DONE), Button("Remove last", Action.UNDO)),
        )
        split = self._split_last(items)
        if split is not None:
            parts = len(split) - len(items) + 1
            rows = ((Button(f"Split {len(items)}. into {parts} items", Action.SPLIT),), *rows)
        return Question(how, lines, rows)

    def on_text(self, text: str, answer: Any) -> Outcome:
        items = list(answer or [])
        if len(items) >= self.max_items:
            return Retry(f"You already have {self.max_items}: tap Done.")
        kept = too_long(text, self.item_max_length)
        if kept:
            return kept
        reason = check_text(text, min_length=1, max_length=self.item_max_length)
        if reason:
            return Retry(reason)
        items.append(text.strip())
        if self._split_last(items) is not None:
            return Kept(items, "That looks like a list: tap Split to make each part an item.")
        if len(items) >= self.max_items:
            return Answered(items)
        return Kept(items, f"Got it ({len(items)} of up to {self.max_items}).")

    def on_press(self, press: Button, answer: Any, person: Person | None) -> Outcome | None:
        items = list(answer or [])
        if press.action is Action.DONE:
            if len(items) < self.min_items:
                least = "one" if self.min_items == 1 else f"{self.min_items}"
                return Retry(f"Please send at least {least} first.")
            return Answered(items)
        if press.action is Action.UNDO and items:
            return Kept(items[:-1])
        if press.action is Action.SPLIT:
            split = self._split_last(items)
            return Kept(split, f"Split: {len(split)} items.") if split else Kept(items)
        return None

    def how_to_answer(self) -> str:
        return "please type your answer."

    def format(self, answer: Any) -> str:
        return "; ".join(answer)


MEDIA_KINDS = {"photo": "a photo", "voice": "a voice note", "document": "a file"}


@dataclass(frozen=True, kw_only=True)
class MediaStep(Step):
    """A photo, voice note or document, or (if ``accept_text``) a few words instead."""

    accept_text: bool = True
    max_length: int = 1000

    def question(self, answer: Any, person: Person | None) -> Question:
        return Question(
            "Send a photo, a voice note or a file"
            + (", or type a few words." if self.accept_text else ".")
        )

    def on_message(self, message: Incoming, answer: Any) -> Outcome:
        if message.kind in MEDIA_KINDS and message.file_id:
            media: dict[str, Any] = {"kind": message.kind, "file_id": message.file_id}
            caption = (message.caption or "").strip()
            if caption and (problem := text_problem(caption)):
                return Retry(problem)
            return Answered({**media, "text": caption} if caption else media)
        if self.accept_text and message.text is not None:
            kept = too_long(message.text, self.max_length)
            if kept:
                return kept
            reason = check_text(message.text, min_length=1, max_length=self.max_length)
            return (
                Retry(reason)
                if reason
                else Answered({"kind": "text", "text": message.text.strip()})
            )
        return Retry(f"I can't use {message.described} here: {self.how_to_answer()}")

    def how_to_answer(self) -> str:
        return "please send a photo, a voice note, a file" + (
            " or text." if self.accept_text else "."
        )

    def format(self, answer: Any) -> str:
        return str(answer.get("text") or MEDIA_KINDS.get(answer.get("kind", ""), "an attachment"))


def format_answer(step: Step, answer: Any) -> str:
    """An answer as the summary shows it (plain text, not escaped)."""
    return "(skipped)" if answer is None else step.format(answer)


@dataclass(frozen=True)
class Submission:
    """What a form's on-submit hook receives."""

    person: Person
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
        if not keys:
            raise ValueError(f"form {self.name}: a form needs at least one step")

    @property
    def keys(self) -> list[str]:
        return [step.key for step in self.steps]

    def index_of(self, key: str) -> int | None:
        """Where the step with ``key`` is, or None if the form has no such step."""
        return next((i for i, step in enumerate(self.steps) if step.key == key), None)

    def missing(self, answers: Mapping[str, Any]) -> Step | None:
        """The first step never answered nor skipped (one added since the draft began)."""
        return next((step for step in self.steps if step.key not in answers), None)

    def answers_of(self, answers: Mapping[str, Any]) -> Answers:
        """The answers to this form's steps only (not those of steps since removed)."""
        return {key: answers[key] for key in self.keys if key in answers}
