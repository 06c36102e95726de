"""Issue 12, item 4: typed text is checked at the edge (lone surrogates, NUL and control
characters, invisible-only answers are refused with a reason and never stored), and error logs
carry the error's type and the update id, never what the person typed."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.features import EVERYONE, Command, Feature
from bot.features.membership.handlers import AGREE
from bot.handlers import SOMETHING_WENT_WRONG
from bot.simulator import SimulatorClient
from conversations.forms import TextStep, check_text
from conversations.text import BROKEN, CONTROL, INVISIBLE, has_visible_text, text_problem
from tests.harness import MEMBER_ID, BotStarter, RunningBot, all_handled, message_saying, rows

STRANGER_ID = 2301  # no persona in the emulator: the name is the one the test gives
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u3164"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Kirkby\x00Mums", CONTROL),
        ("\x1b[31mred", CONTROL),
        ("\x7f", CONTROL),
        ("half an emoji \ud83d", BROKEN),
        ("\udc00", BROKEN),
        ("\u200b\u200b\u200b", INVISIBLE),
        ("\u200d\u2060\ufeff \u00a0\u3164", INVISIBLE),
        ("\u202e\u202c", INVISIBLE),  # direction overrides alone
        ("\ufe0f", INVISIBLE),
    ],
)
def test_unreadable_or_invisible_text_is_refused_with_a_reason(text: str, reason: str) -> None:
    assert text_problem(text) == reason
    assert check_text(text, min_length=1, max_length=1000) == reason


@pytest.mark.parametrize(
    "text",
    [
        "Kirkby Mums' Group",
        "مجموعة الأمهات",  # Arabic, right to left
        "קבוצת הורים",  # Hebrew
        "👩‍👩‍👧 family group",  # an emoji with zero-width joiners
        "Line one\nline two\twith a tab",
        "Zoë\u200b",  # a stray zero-width space next to real text is harmless
    ],
)
def test_real_text_in_any_script_is_accepted(text: str) -> None:
    assert text_problem(text) is None
    assert check_text(text, min_length=1, max_length=1000) is None


@given(st.text(max_size=200))
def test_any_accepted_answer_is_visible_and_storable(text: str) -> None:
    step = TextStep(key="organisation", label="Organisation", prompt="Which?", max_length=120)
    outcome = step.on_text(text, None)
    value = getattr(outcome, "value", None)
    if value is None:
        assert getattr(outcome, "reason", "")
        return
    assert has_visible_text(value)
    assert all(ord(c) >= 32 or c in "\n\r\t" for c in value)
    with closing(sqlite3.connect(":memory:")) as connection:  # never a UnicodeEncodeError
        connection.execute("CREATE TABLE t (v TEXT)")
        connection.execute("INSERT INTO t VALUES (?)", (value,))


def test_an_invisible_telegram_name_is_not_offered_as_the_answer() -> None:
    from conversations.forms import Person
    from conversations.onboarding import telegram_name

    step = TextStep(key="name", label="Name", prompt="Name?", suggest=telegram_name)
    assert step.question(None, Person(1, "\u200b\u3164")).buttons == ()
    assert step.question(None, Person(1, "Maya")).buttons != ()


async def test_invisible_and_control_answers_are_refused_and_never_stored(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    user = sim.user(STRANGER_ID, "\u200b\u200d")  # a Telegram name of nothing visible
    await user.send("/start")
    await message_saying(user, "Are you happy to go ahead?")
    await user.press(AGREE)
    await message_saying(user, "Four quick questions about you and your group.")
    name = await message_saying(user, "What should we call you?")
    assert "Step 1 of 4" in name.text
    assert name.labels() == ["Cancel"]  # no "Use “…”" for an invisible name

    for typed, reason in (
        ("\u200b\u200b", INVISIBLE),
        ("Maya\x00", CONTROL),
        ("Maya \ud83d", BROKEN),
    ):
        await user.send(typed)
        again = await message_saying(user, reason)
        assert reason in again.text, again.text
        assert "Step 1 of 4" in again.text
    await user.send("Maya")
    organisation = await message_saying(user, "Step 2 of 4")
    assert "Step 2 of 4" in organisation.text
    await user.send("\u2060\ufeff\u3164")
    again = await message_saying(user, INVISIBLE)
    assert INVISIBLE in again.text
    assert "Step 2 of 4" in again.text

    await all_handled(settings)
    [(answers,)] = rows(settings, "SELECT answers FROM drafts WHERE user_id = ?", STRANGER_ID)
    assert answers == '{"name": "Maya"}'
    assert rows(settings, "SELECT COUNT(*) FROM participants WHERE name IS NOT NULL") == [(0,)]


async def test_error_logs_name_the_error_and_update_never_the_text(
    start_bot: BotStarter, sim: SimulatorClient, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Maya Jones of Kirkby Mums"

    async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise ValueError(f"could not handle {update.effective_message.text}")  # type: ignore[union-attr]

    await start_bot(Feature("explodes", commands=(Command("boom", "Fails", EVERYONE, explode),)))
    user = sim.user(MEMBER_ID, "Maya")
    caplog.set_level(logging.INFO)
    await user.send(f"/boom {secret}")
    assert (await message_saying(user, SOMETHING_WENT_WRONG)).text == SOMETHING_WENT_WRONG
    [line] = [r.getMessage() for r in caplog.records if "event=handler_error" in r.getMessage()]
    assert "error=ValueError" in line
    assert "update=" in line
    assert "update=-" not in line
    assert line.split(" at=")[1].split(">")[-1].startswith("test_text_input.py:")
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_info or ''} {r.exc_text or ''}"
        for r in caplog.records
        if r.levelno > logging.DEBUG
    )
    assert secret not in logged
    assert "Maya" not in logged
