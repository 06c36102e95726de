"""The form engine's pure parts: button data, validation, rendering, answer formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.engine import (
    SUMMARY,
    ButtonPress,
    parse_button,
    render_question,
    render_summary,
)
from conversations.forms import (
    Choice,
    ChoiceStep,
    Form,
    ListStep,
    MediaStep,
    MultiChoiceStep,
    ScaleStep,
    Submission,
    TextStep,
    check_text,
    format_answer,
)
from storage.drafts import Draft

LABELS = ("Not at all", "A little", "Somewhat", "Quite", "Very")


async def _accept(submission: Submission) -> str:
    return "ok"


def make_form(*steps: Any) -> Form:
    return Form(name="test", title="Test form", steps=steps, on_submit=_accept)


def draft_at(step: int, answers: dict[str, Any] | None = None) -> Draft:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    return Draft(
        id=42,
        user_id=7,
        form="test",
        step=step,
        answers=answers or {},
        return_to_summary=False,
        question_message_id=None,
        started_at=now,
        updated_at=now,
    )


def test_button_data_round_trips_and_stays_within_telegrams_64_bytes() -> None:
    assert parse_button("f:42:3:c:1") == ButtonPress(42, "3", "c", 1)
    assert parse_button("f:42:s:ok") == ButtonPress(42, SUMMARY, "ok", None)
    longest = "f:999999999999:e:ed:999"
    assert parse_button(longest) is not None
    assert len(longest.encode()) <= 64


@pytest.mark.parametrize(
    "forged",
    ["", "f:", "f:x:1:c", "f:1:1:cc:1:2", "f:1:zz:c", "f:-1:0:c", "menu:profile", "f:1:0:c:1000"],
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
    assert (reason is None) == (2 <= len(text.strip()) <= 1000)


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
    text, keyboard = render_question(form, draft_at(1))
    assert text.startswith("<b>Test form</b> · Step 2 of 2\n\nIs &lt;b&gt;2&lt;/b&gt; &amp; more?")
    labels = [button.text for row in keyboard.inline_keyboard for button in row]
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert labels == ["Back", "Skip", "Cancel"]
    assert data == ["f:42:1:b", "f:42:1:k", "f:42:1:x"]


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
        _, keyboard = render_question(form, draft_at(step, answers))
        return [[button.text for button in row] for row in keyboard.inline_keyboard]

    assert labels(0, {}) == [["Red"], ["Green"], ["Cancel"]]
    assert labels(1, {"m": ["green"]}) == [["Red"], ["✓ Green"], ["Done"], ["Back", "Cancel"]]
    assert labels(2, {"s": 4}) == [
        ["1", "2", "3", "✓ 4", "5"],
        ["Back", "Cancel"],
    ]
    assert labels(3, {"l": ["one"]}) == [["Done", "Remove last"], ["Back", "Cancel"]]
    assert labels(4, {}) == [["Back", "Skip", "Cancel"]]
    scale_text, _ = render_question(form, draft_at(2))
    assert "1 = Not at all" in scale_text
    assert "5 = Very" in scale_text


def test_the_summary_numbers_every_answer() -> None:
    form = make_form(
        TextStep(key="name", label="Name", prompt="Name?"),
        ScaleStep(key="s", label="Confidence", prompt="How sure?", labels=LABELS),
        MediaStep(key="e", label="Evidence", prompt="Evidence?", optional=True),
    )
    text, keyboard = render_summary(form, draft_at(3, {"name": "Jo & Co", "s": 2, "e": None}))
    assert text.splitlines()[2:] == [
        "1. <b>Name</b>: Jo &amp; Co",
        "2. <b>Confidence</b>: 2 - A little",
        "3. <b>Evidence</b>: (skipped)",
    ]
    assert [row[0].callback_data for row in keyboard.inline_keyboard] == [
        "f:42:s:ok",
        "f:42:s:ed",
        "f:42:s:x",
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
