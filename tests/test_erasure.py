"""Issue 12, items 2 and 5: erased text leaves the database file and its WAL (checked byte by
byte while the bot still runs); /forget says plainly what is kept and what is erased, and a
second tap is answered calmly; retention never erases someone whose press is waiting to be
handled when the bot starts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from bot.features.membership.handlers import NOT_SIGNED_UP
from bot.features.privacy import handlers as privacy
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    MEMBER_ID,
    RunningBot,
    all_handled,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
)
from tests.test_privacy import backdate, edit_of, retention_job, running, with_programme

NAME = "Zebedee Quartermaine"
ORGANISATION = "Quixotic Widgets Collective"
NEED = "A warm space on Tuesday mornings for carers"


def traces(database: Path) -> dict[str, list[str]]:
    """Which of the erased words are still somewhere in the database file or its WAL."""
    found: dict[str, list[str]] = {}
    for path in (database, database.with_name(database.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        found[path.name] = [
            word
            for word in (NAME, ORGANISATION, "Zebedee", "Quartermaine", "Quixotic")
            if word.encode() in data or word.encode("utf-16-le") in data
        ]
    return found


async def join_with_a_need(user: SimUser) -> None:
    await sign_up(user, organisation=ORGANISATION)
    await user.send("/profile")  # the name typed in, not the Telegram name
    await message_saying(user, "Your profile · Check your answers")
    await user.press("Change an answer")
    await message_saying(user, "Which answer would you like to change?", replies=True)
    await user.press("1. Name")
    await message_saying(user, "Your profile · Step 1 of 4")
    await user.send(NAME)
    await message_saying(user, "Your profile · Check your answers")
    await user.press("Save")
    await message_saying(user, "Your profile is saved.")
    await message_saying(user, "What would you like to do?")
    await voice_a_need(user, NEED)


@pytest.mark.parametrize("keep", [True, False])
async def test_forget_leaves_no_trace_in_the_database_or_its_wal(
    sim: SimulatorClient, settings: Settings, keep: bool
) -> None:
    own = with_programme(settings, keep_anonymous_contributions=keep)
    user = sim.user(MEMBER_ID, "Zebedee")
    async with running(own):
        await join_with_a_need(user)
        await all_handled(own)
        assert rows(own, "SELECT name, organisation FROM participants") == [(NAME, ORGANISATION)]
        assert any(traces(own.storage.path).values())  # the words are there to find

        await user.send("/forget")
        question = await message_saying(user, "It can't be undone. Are you sure?")
        assert question.text == privacy.forget_question(keep)
        assert ("kept, without your name" in question.text) is keep
        assert ("erased too" in question.text) is not keep
        await user.answer_to(await user.press("Yes, erase my data"))
        done = await edit_of(user, question)
        assert done.text == privacy.erased(keep)
        assert done.labels() == []
        await all_handled(own)

        # While the bot still runs: nothing of the name or organisation, in either file.
        assert traces(own.storage.path) == {
            own.storage.path.name: [],
            own.storage.path.name + "-wal": [],
        }
        kept = rows(own, "SELECT user_id, description FROM needs")
        assert kept == ([(None, NEED)] if keep else [])

        # A second tap on the same confirmation (a double tap): answered calmly, same text.
        second = await user.press(data="forget:yes", force=True, message_id=question.message_id)
        assert (await user.answer_to(second))["text"] == privacy.ALREADY_ERASED
        await user.send("hello")
        assert (await message_saying(user, NOT_SIGNED_UP)).text == NOT_SIGNED_UP
        assert [m.text for m in await user.messages() if m.message_id == question.message_id] == [
            privacy.erased(keep)
        ]


async def test_retention_leaves_no_trace_in_the_database_or_its_wal(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    user = sim.user(MEMBER_ID, "Zebedee")
    await join_with_a_need(user)
    await all_handled(settings)
    await backdate(settings, MEMBER_ID, settings.programme.retention_days + 1)
    assert bot.application is not None
    await retention_job(bot).run(bot.application)
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]
    path = settings.storage.path
    assert traces(path) == {path.name: [], path.name + "-wal": []}


async def test_a_press_waiting_at_start_up_keeps_a_long_inactive_person(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    """Item 5: inactive for two years, the person taps a button while the bot is down. On
    start-up the press is handled, and the retention run at start-up (and any later one) does
    not erase them."""
    user = sim.user(MEMBER_ID, "Maya")
    menu = await sign_up(user)
    await bot.stop()
    await backdate(settings, MEMBER_ID, 2 * 365)
    await user.press("My profile", message_id=menu.message_id)  # while the bot is down
    assert await sim.pending_updates() == 1

    await bot.start()
    assert bot.application is not None
    reply = await message_saying(user, "Check your answers", timeout=10)
    assert "Check your answers" in reply.text  # the press was handled
    jobs = bot.application.job_queue
    assert jobs is not None
    async with asyncio.timeout(10):  # the at-start retention run has been
        while jobs.get_jobs_by_name("retention-at-start"):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await all_handled(settings, sim)
    await retention_job(bot).run(bot.application)
    assert rows(settings, "SELECT user_id FROM participants") == [(MEMBER_ID,)]
