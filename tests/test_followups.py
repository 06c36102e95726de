"""Follow-ups, driven by the scheduler tick on a travelled clock: nudges for unfinished forms
(24 h, 72 h, then none), Continue, quiet hours, /stop, draft expiry; after-survey invitations
and reminders that stop once the survey is answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.config import Schedules, Settings
from bot.simulator import BotApiEmulator, SimulatorClient, SimUser
from tests.harness import RunningBot, message_saying, rows, sign_up, take_survey

NUDGE = "You started a form and haven't finished it yet."


async def texts(user: SimUser, start: str) -> list[str]:
    return [m.text for m in await user.messages() if m.from_bot and m.text.startswith(start)]


async def begin_challenge(user: SimUser) -> None:
    await sign_up(user)
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press("Challenge 1")
    await message_saying(user, "Step 1 of 2")


async def test_a_form_left_unfinished_is_nudged_at_24_and_72_hours_then_never(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    maya = sim.user(1001, "Maya")
    await begin_challenge(maya)
    began = datetime.now(UTC)
    for hours, nudges in ((23, 0), (25, 1), (30, 1), (73, 2), (120, 2)):
        with time_machine.travel(began + timedelta(hours=hours), tick=False):
            await bot.tick()
        assert len(await texts(maya, NUDGE)) == nudges, hours
    nudge = await message_saying(maya, NUDGE)
    assert nudge.labels() == ["Continue"]
    await maya.press("Continue")
    resumed = await message_saying(maya, "Step 1 of 2")
    assert "Welcome back: here is where you were." in resumed.text


async def test_stop_means_no_nudges(sim: SimulatorClient, bot: RunningBot) -> None:
    maya = sim.user(1001, "Maya")
    await begin_challenge(maya)
    await maya.send("/stop")
    await message_saying(maya, "no more reminders")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=False):
        await bot.tick()
    assert await texts(maya, NUDGE) == []


async def test_a_form_untouched_for_two_weeks_is_cleared_with_one_message(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    maya = sim.user(1001, "Maya")
    await begin_challenge(maya)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=14, hours=1), tick=False):
        await bot.tick()
        await bot.tick()
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]
    cleared = await texts(maya, "The form you started 14 days ago was never finished")
    assert len(cleared) == 1


@pytest.fixture
async def quiet_bot(settings: Settings, emulator: BotApiEmulator) -> AsyncIterator[RunningBot]:
    quiet = Schedules(quiet_hours_start="21:00", quiet_hours_end="08:00")
    programme = settings.programme.model_copy(update={"schedules": quiet})
    running = RunningBot(settings.model_copy(update={"programme": programme}))
    await running.start()
    yield running
    await running.stop()


async def test_quiet_hours_hold_a_nudge_until_eight_in_the_morning(
    sim: SimulatorClient, quiet_bot: RunningBot, settings: Settings
) -> None:
    maya = sim.user(1001, "Maya")
    await begin_challenge(maya)
    local = (datetime.now(UTC) + timedelta(hours=25)).astimezone(settings.tz)
    late = local.replace(hour=23, minute=30, second=0, microsecond=0)
    with time_machine.travel(late, tick=False):
        await quiet_bot.tick()
    assert await texts(maya, NUDGE) == []  # queued, waiting for the morning
    morning = (late + timedelta(days=1)).replace(hour=8, minute=0)
    with time_machine.travel(morning - timedelta(minutes=1), tick=False):
        await quiet_bot.tick()
    assert await texts(maya, NUDGE) == []
    with time_machine.travel(morning + timedelta(minutes=1), tick=False):
        await quiet_bot.tick()
    assert len(await texts(maya, NUDGE)) == 1


async def test_the_after_survey_invitation_and_reminders_stop_once_answered(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    maya, olu = sim.user(1001, "Maya"), sim.user(2001, "Olu")
    for person in (maya, olu):
        await sign_up(person)
        await take_survey(person, 2)
    took = datetime.now(UTC)
    due = took + timedelta(days=settings.programme.survey.after_days, hours=1)
    with time_machine.travel(due - timedelta(days=1), tick=False):
        await bot.tick()
    assert await texts(maya, "It's time for the after survey") == []
    with time_machine.travel(due, tick=False):
        await bot.tick()
    for person in (maya, olu):
        assert len(await texts(person, "It's time for the after survey")) == 1
    with time_machine.travel(due + timedelta(hours=1), tick=True):
        await take_survey(olu, 4)
    for days in (3, 4, 7, 9):
        with time_machine.travel(due + timedelta(days=days), tick=False):
            await bot.tick()
    assert len(await texts(maya, "A reminder: the after survey")) == 2  # at 3 and 7 days
    assert await texts(olu, "A reminder: the after survey") == []  # answered: no reminders
