"""Regressions found in review: Telegram's limits, double taps, edits, forged menu items,
errors after a button press, and consent that changes while a form is open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import ContextTypes

from bot.config import ConfigError, Settings, load_settings
from bot.features import Button, Feature
from bot.features.membership.handlers import KEPT_AS_AGREED
from bot.handlers import SOMETHING_WENT_WRONG
from bot.simulator import SimulatorClient, SimUser
from tests.harness import BotStarter, RunningBot, message_saying, messages_until, sign_up


async def test_a_long_challenge_2_summary_fits_one_message(member: SimUser) -> None:
    await sign_up(member)
    await member.send("/menu")
    await message_saying(member, "What would you like to do?")
    await member.press("Challenge 2")
    await message_saying(member, "Challenge 2: ")  # intro
    for part in range(3):
        await message_saying(member, f"Challenge 2 · Step {part + 1} of 3")
        await member.send(f"Part {part}: " + "a thoughtful answer " * 74)
    summary = await message_saying(member, "Challenge 2 · Check your answers")
    assert summary.text.startswith("Challenge 2 · Check your answers")
    assert len(summary.text) < 4096
    assert "…" in summary.text
    await member.press("Confirm and send")
    thanks = await message_saying(member, "your answer to Challenge 2")
    assert thanks.text.startswith("Thank you: your answer to Challenge 2")


async def test_a_double_tap_on_change_an_answer_is_harmless(member: SimUser) -> None:
    await sign_up(member)
    await member.send("/profile")
    summary = await message_saying(member, "Your profile · Check your answers")
    change = summary.button_data[1][0]
    await member.press(data=change, message_id=summary.message_id, force=True)
    await member.next_edit(summary.message_id)
    again = await member.press(data=change, message_id=summary.message_id, force=True)
    await member.answer_to(again)
    await member.send("/help")
    help_text = await message_saying(member, "Here is what you can do")
    assert help_text.text.startswith("Here is what you can do")
    assert SOMETHING_WENT_WRONG not in [m.text for m in await member.messages()]


async def test_a_forged_menu_item_cannot_skip_to_the_after_survey(
    member: SimUser, settings: Settings
) -> None:
    menu = await sign_up(member)
    for data in ("menu:survey_after", "menu:survey_after:new"):
        await member.press(data=data, message_id=menu.message_id, force=True)
        said = await messages_until(member, "What would you like to do?")
        assert [m.text for m in said] == ["What would you like to do?"], data  # no survey
    with sqlite3.connect(settings.storage.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


def test_edited_messages_are_not_answers(settings: Settings) -> None:
    from conversations.engine import FormEngine

    async def nothing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        return None

    engine = FormEngine([], drafts=None, on_idle=nothing, on_finish=nothing)  # type: ignore[arg-type]
    user = User(1001, "Maya", is_bot=False)
    message = Message(1, date=None, chat=Chat(1001, "private"), from_user=user, text="Hi")  # type: ignore[arg-type]
    takes_messages = engine.handlers()[1]
    assert takes_messages.check_update(Update(1, message=message))
    assert not takes_messages.check_update(Update(2, edited_message=message))


async def test_an_error_after_the_button_was_answered_still_tells_the_person(
    start_bot: BotStarter, sim: SimulatorClient
) -> None:
    async def answer_then_fail(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()  # type: ignore[union-attr]
        raise RuntimeError("after answering")

    await start_bot(Feature("boom", buttons=(Button("boom", answer_then_fail),)))
    user = sim.user(2003, "Sam")
    await user.send("hello")
    hello = await message_saying(user, "To take part in the programme, send /start.")
    await user.press(data="boom", message_id=hello.message_id, force=True)
    assert (await message_saying(user, SOMETHING_WENT_WRONG)).text == SOMETHING_WENT_WRONG


async def test_a_new_notice_stops_an_open_form_until_agreed(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    member = sim.user(1001, "Maya")
    await sign_up(member)
    await member.send("/menu")
    await message_saying(member, "What would you like to do?")
    await member.press("Challenge 1")
    await message_saying(member, "Challenge 1: ")  # intro
    await message_saying(member, "Challenge 1 · Step 1 of 2")
    await bot.stop()
    privacy = settings.programme.privacy.model_copy(update={"version": 2})
    newer = settings.model_copy(
        update={"programme": settings.programme.model_copy(update={"privacy": privacy})}
    )
    running = RunningBot(newer)
    await running.start()
    try:
        await member.send("Shared use of the centre")
        notice = await message_saying(member, "Our privacy notice has changed")
        assert notice.text.startswith("Our privacy notice has changed")
        await member.press("Not now")
        assert (await message_saying(member, KEPT_AS_AGREED)).text == KEPT_AS_AGREED
        await member.send("/start")
        await message_saying(member, "Our privacy notice has changed")
        await member.press("I agree")
        recorded = await message_saying(member, "your agreement is recorded")
        assert recorded.text == "Thank you: your agreement is recorded."
        resumed = await message_saying(member, "Welcome back: here is where you were.")
        assert resumed.text.startswith("Challenge 1 · Step 1 of 2\nWelcome back")
        await member.send("Shared use of the centre")
        got_it = await message_saying(member, "Got it (1 of up to 3)")
        assert "Got it (1 of up to 3)" in got_it.text
    finally:
        await running.stop()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[programme.privacy]\nnotice = "We keep {everything}"\n',
            "programme.privacy.notice: only {min_group_size}, {retention} and {retention_days}",
        ),
        (
            "[programme.privacy]\nversion = 20250101\n",
            "programme.privacy.version: 20250101 is too large; use 999999 or less",
        ),
        (
            '[[programme.areas]]\nkey = "big"\nname = "Big"\nneighbourhoods = ['
            + ", ".join(f'"N{n}"' for n in range(95))
            + "]\n",
            "programme: areas and neighbourhoods make 96 places; at most 90 fit",
        ),
    ],
)
def test_config_that_would_break_the_bot_is_refused(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert any(problem.startswith(expected) for problem in raised.value.problems), (
        raised.value.problems
    )
