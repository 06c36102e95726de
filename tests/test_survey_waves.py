"""Which survey is due: the wave rules as a pure function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conversations.survey import Due, due_wave

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
AFTER_DAYS = 42


def due(answered: dict[str, datetime], states: dict[str, str] | None = None) -> Due:
    return due_wave(answered, states or {}, now=NOW, after_days=AFTER_DAYS)  # type: ignore[arg-type]


def test_before_comes_first() -> None:
    assert due({}) == Due("before")


def test_after_opens_after_days_after_the_before() -> None:
    not_yet = NOW - timedelta(days=AFTER_DAYS - 1)
    assert due({"before": not_yet}).wave == "before"  # a retake, until the after opens
    assert "instead of on 25 November." in due({"before": not_yet}).note
    assert due({"before": NOW - timedelta(days=AFTER_DAYS)}) == Due("after")


def test_an_admin_can_open_the_after_wave_for_everyone() -> None:
    assert due({"before": NOW}, {"after": "open"}) == Due("after")
    assert due({}, {"before": "closed", "after": "open"}) == Due("after")


def test_retaking_replaces_until_the_wave_closes() -> None:
    after_due = NOW - timedelta(days=AFTER_DAYS + 1)
    retake = due({"before": after_due, "after": NOW})
    assert (retake.wave, retake.retake) == ("after", True)
    assert retake.note.startswith(f"You answered the after survey on {NOW.day} {NOW:%B}.")
    assert "the earlier answers are not kept" in retake.note
    before = due({"before": NOW})
    assert (before.wave, before.retake) == ("before", True)
    assert "the after survey opens 42 days after your new answers instead of on" in before.note
    closed = due({"before": after_due, "after": NOW}, {"after": "closed"})
    assert closed == Due(None, "The survey has closed. Thank you for taking part.")
    before_closed = due({"before": NOW}, {"before": "closed"})
    assert before_closed.wave is None
    assert before_closed.note.startswith("Thank you: you've done the before survey.")


@pytest.mark.parametrize("states", [{"before": "closed"}, {"before": "closed", "after": "closed"}])
def test_nothing_is_due_when_the_waves_are_closed(states: dict[str, str]) -> None:
    assert due({}, states) == Due(None, "The survey is closed at the moment.")
