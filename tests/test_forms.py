"""The form engine's pure parts: button data, validation, rendering, answer formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.engine import (
    FORM_CHANGED,
    SUMMARY,
    ButtonPress,
    locate,
    parse_button,
    render_question,
    render_summary,
)
from conversations.forms import (
    Action,
    Answered,
    Button,
    Choice,
    ChoiceStep,
    Form,
    Incoming,
    Kept,
    ListStep,
    MediaStep,
    MultiChoiceStep,
    Person,
    Retry,
    ScaleStep,
    Submission,
    TextStep,
    check_text,
    format_answer,
)
from conversations.text import text_problem
from storage.drafts import Draft

LABELS = ("Not at all", "A little", "Somewhat", "Quite", "Very")


async def _accept(submission: Submission) -> str:
    return "ok"


def make_form(*steps: Any) -> Form:
    return Form(name="test", title="Test form", steps=steps, on_submit=_accept)


def draft_at(
    step_key: str | None,
    answers: dict[str, Any] | None = None,
    form_steps: list[str] | None = None,
) -> Draft:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    return Draft(
        id=42,
        user_id=7,
        form="test",
        step_key=step_key,
        form_steps=form_steps or [],
        answers=answers or {},
        return_to_summary=False,
        question_message_id=None,
        started_at=now,
        updated_at=now,
    )


def test_button_data_round_trips_and_stays_within_telegrams_64_bytes() -> None:
    assert parse_button("f:42:where:pick:1") == ButtonPress(
        42, "where", Button("", Action.PICK, 1)
    )
    assert parse_button("f:42:#s:confirm") == ButtonPress(42, SUMMARY, Button("", Action.CONFIRM))
    longest = f"f:999999999999:{'k' * 32}:confirm:999"
    assert parse_button(longest) is not None
    assert len(longest.encode()) <= 64


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "f:",
        "f:x:a:pick",
        "f:1:a:pick:1:2",
        "f:1:a:zz",
        "f:-1:a:pick",
        "menu:profile",
        "f:1:a:pick:1000",
        "f:1:a:pick\n",
        "f:1:A:pick",
        f"f:1:{'k' * 33}:pick",
    ],
)
def test_forged_button_data_is_refused(forged: str) -> None:
    assert parse_button(forged) is None


@given(st.text(max_size=80))
def test_any_callback_data_parses_or_is_refused_without_error(data: str) -> None:
    press = parse_button(data)
    assert press is None or data.startswith("f:")


@given(st.text(max_size=3000))
def test_check_text_accepts_exactly_the_lengths_allowed(text: str) -> None:
    reason = check_text(text, min_length=2, max_length=1000)
    readable = text_problem(text) is None  # what conversations/text.py refuses first
    assert (reason is None) == (readable and 2 <= len(text.strip()) <= 1000)


def test_check_text_reasons_read_well() -> None:
    assert check_text("   ", min_length=1, max_length=10) == (
        "That was empty. Please type your answer."
    )
    assert check_text("x" * 3000, min_length=1, max_length=1000) == (
        "That's 3,000 characters: please keep it to 1,000 or fewer "
        "(you could split it, or shorten it)."
    )


def test_a_text_question_shows_position_navigation_and_escapes_html() -> None:
    form = make_form(
        TextStep(key="a", label="A", prompt="First?"),
        TextStep(key="b", label="B", prompt="Is <b>2</b> & more?", optional=True),
    )
    text, keyboard = render_question(form, draft_at("b"), 1)
    assert text.startswith("<b>Test form</b> · Step 2 of 2\n\nIs &lt;b&gt;2&lt;/b&gt; &amp; more?")
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert labels == ["Back", "Skip", "Cancel"]
    assert data == ["f:42:b:back", "f:42:b:skip", "f:42:b:cancel"]


def test_choice_multi_scale_and_list_questions_have_their_buttons() -> None:
    colours = (Choice("red", "Red"), Choice("green", "Green"))
    form = make_form(
        ChoiceStep(key="c", label="C", prompt="Colour?", choices=colours),
        MultiChoiceStep(key="m", label="M", prompt="Which?", choices=colours),
        ScaleStep(key="s", label="S", prompt="How sure?", labels=LABELS),
        ListStep(key="l", label="L", prompt="Ideas?", max_items=2),
        MediaStep(key="e", label="E", prompt="Evidence?", optional=True),
    )

    def labels(step: int, answers: dict[str, Any]) -> list[list[str]]:
        _, keyboard = render_question(form, draft_at(form.steps[step].key, answers), step)
        return [[button.text for button in row] for row in keyboard.inline_keyboard]

    assert labels(0, {}) == [["Red"], ["Green"], ["Cancel"]]
    assert labels(1, {"m": ["green"]}) == [["Red"], ["✓ Green"], ["Done"], ["Back", "Cancel"]]
    assert labels(2, {"s": 4}) == [
        ["1", "2", "3", "✓ 4", "5"],
        ["Back", "Cancel"],
    ]
    assert labels(3, {"l": ["one"]}) == [["Done", "Remove last"], ["Back", "Cancel"]]
    assert labels(4, {}) == [["Back", "Skip", "Cancel"]]
    scale_text, _ = render_question(form, draft_at("s"), 2)
    assert "1 = Not at all" in scale_text
    assert "5 = Very" in scale_text


def test_the_summary_numbers_every_answer() -> None:
    form = make_form(
        TextStep(key="name", label="Name", prompt="Name?"),
        ScaleStep(key="s", label="How sure are you?", prompt="How sure?", labels=LABELS),
        MediaStep(key="e", label="Evidence", prompt="Evidence?", optional=True),
    )
    text, keyboard = render_summary(form, draft_at(None, {"name": "Jo & Co", "s": 2, "e": None}))
    assert text.splitlines()[2:] == [
        "1. <b>Name</b>: Jo &amp; Co",
        "2. <b>How sure are you?</b> A little (2 of 5)",  # not "you?: 2 - A little"
        "3. <b>Evidence</b>: (skipped)",
    ]
    assert [row[0].callback_data for row in keyboard.inline_keyboard] == [
        "f:42:#s:confirm",
        "f:42:#s:change",
        "f:42:#s:cancel",
    ]


def test_answers_format_for_people() -> None:
    who = MultiChoiceStep(
        key="w", label="Who", prompt="?", choices=(Choice("p", "Parents"), Choice("b", "Babies"))
    )
    assert format_answer(who, ["b", "p"]) == "Babies, Parents"
    assert format_answer(ListStep(key="l", label="L", prompt="?"), ["a", "b"]) == "a; b"
    media = MediaStep(key="m", label="M", prompt="?")
    assert format_answer(media, {"kind": "voice", "file_id": "x"}) == "a voice note"
    assert format_answer(media, {"kind": "text", "text": "we ran a survey"}) == "we ran a survey"


def test_step_keys_must_be_unique() -> None:
    with pytest.raises(ValueError, match="step keys must be unique"):
        make_form(
            TextStep(key="a", label="A", prompt="?"), TextStep(key="a", label="A", prompt="?")
        )


# Each step kind parses its own answers: no engine needed to test them.

COLOURS = (Choice("red", "Red"), Choice("green", "Deep  Green"), Choice("grey", "Grey"))


def test_a_choice_takes_a_tap_or_its_label_typed_or_a_unique_start_of_it() -> None:
    step = ChoiceStep(key="c", label="C", prompt="?", choices=COLOURS)
    assert step.on_press(Button("", Action.PICK, 1), None, None) == Answered("green")
    assert step.on_press(Button("", Action.PICK, 3), None, None) is None  # no such option
    assert step.on_text("  DEEP green ", None) == Answered("green")
    assert step.on_text("de", None) == Answered("green")
    assert step.on_text("GR", None) == Answered("grey")
    assert isinstance(step.on_text("", None), Retry)
    assert isinstance(step.on_text("blue", None), Retry)


def test_a_multi_choice_ticks_and_unticks_and_needs_enough_before_done() -> None:
    step = MultiChoiceStep(key="m", label="M", prompt="?", choices=COLOURS, min_chosen=1)
    assert step.on_press(Button("", Action.TOGGLE, 0), None, None) == Kept(["red"])
    assert step.on_press(Button("", Action.TOGGLE, 0), ["red"], None) == Kept([])
    assert step.on_press(Button("", Action.DONE), [], None) == Retry(
        "Please choose at least one first."
    )
    assert step.on_press(Button("", Action.DONE), ["grey"], None) == Answered(["grey"])


def test_a_scale_runs_from_one_to_the_number_of_its_labels() -> None:
    three = ScaleStep(key="s", label="S", prompt="?", labels=("Low", "Middle", "High"))
    assert three.on_text("3", None) == Answered(3)
    assert isinstance(three.on_text("4", None), Retry)
    assert three.on_press(Button("", Action.PICK, 4), None, None) is None
    question = three.question(None, None)
    assert [b.label for b in question.buttons[0]] == ["1", "2", "3"]
    assert question.lines == ("1 = Low", "2 = Middle", "3 = High")
    with pytest.raises(ValueError, match="at least two labels"):
        ScaleStep(key="s", label="S", prompt="?", labels=("Only",))


def test_a_list_collects_items_until_full_and_can_take_the_last_back() -> None:
    step = ListStep(key="l", label="L", prompt="?", max_items=2)
    assert step.on_text("one", None) == Kept(["one"], "Got it (1 of up to 2).")
    assert step.on_text("two", ["one"]) == Answered(["one", "two"])
    assert step.on_press(Button("", Action.UNDO), ["one"], None) == Kept([])
    assert step.on_press(Button("", Action.DONE), [], None) == Retry(
        "Please send at least one first."
    )


def test_a_text_step_offers_the_persons_name_and_takes_it_with_one_tap() -> None:
    step = TextStep(key="n", label="N", prompt="?", max_length=5, suggest=lambda p: p.full_name)
    maya = Person(1, "Maya Jones")
    assert [b.label for row in step.question(None, maya).buttons for b in row] == [
        "Use “Maya Jones”"
    ]
    assert step.on_press(Button("", Action.SUGGESTED), None, maya) == Answered("Maya ")


def test_a_media_step_takes_attachments_or_words_and_refuses_the_rest() -> None:
    step = MediaStep(key="e", label="E", prompt="?")
    photo = Incoming(None, "photo", "a photo", "file-1", "our hall")
    assert step.on_message(photo, None) == Answered(
        {"kind": "photo", "file_id": "file-1", "text": "our hall"}
    )
    assert step.on_message(Incoming("we asked", "text"), None) == Answered(
        {"kind": "text", "text": "we asked"}
    )
    sticker = Incoming(None, "other", "a sticker")
    assert step.on_message(sticker, None) == Retry(
        "I can't use a sticker here: please send a photo, a voice note, a file or text."
    )
    typed_only = TextStep(key="t", label="T", prompt="?")
    assert typed_only.on_message(sticker, None) == Retry(
        "I can't use a sticker here: please type your answer."
    )


# Drafts address steps by key: a form edited in the config never moves a draft.


def test_a_draft_stays_on_its_step_when_a_step_is_added_before_it() -> None:
    form = make_form(
        TextStep(key="new", label="New", prompt="?"),
        TextStep(key="a", label="A", prompt="?"),
        TextStep(key="b", label="B", prompt="?"),
    )
    draft = draft_at("b", {"a": "x"}, form_steps=["a", "b"])
    assert locate(form, draft) == (draft, "")
    assert form.missing(draft.answers) == form.steps[0]  # asked before the summary


def test_a_draft_on_a_removed_step_goes_on_to_the_next_one_that_remains() -> None:
    form = make_form(
        TextStep(key="a", label="A", prompt="?"), TextStep(key="c", label="C", prompt="?")
    )
    moved, note = locate(form, draft_at("b", {"a": "x"}, form_steps=["a", "b", "c"]))
    assert (moved.step_key, note) == ("c", FORM_CHANGED)
    at_end, _ = locate(form, draft_at("z", {}, form_steps=["a", "c", "z"]))
    assert at_end.step_key is None  # nothing follows: the summary


def test_an_echo_of_the_persons_words_always_fits_one_message() -> None:
    from conversations.engine import escaped_to_fit

    assert escaped_to_fit("fish & chips") == "fish &amp; chips"
    worst = "&" * 4096  # each one becomes five characters once escaped
    fitted = escaped_to_fit(worst)
    assert len(fitted) <= 4096
    assert fitted.endswith("…")
    assert fitted.startswith("&amp;&amp;")
