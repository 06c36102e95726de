"""The runtime: no update lost on a crash, people handled in parallel and each in order, a
flood from one person cut off, drafts that survive a config edit, features added without
editing the bot."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Challenge, ChallengePart, Settings
from bot.context import SERVICES_KEY
from bot.features import EVERYONE, Command, Feature, PersonalData
from bot.handlers import SLOW_DOWN, SOMETHING_WENT_WRONG
from bot.simulator import BotApiEmulator, SimulatorClient, SimUser
from conversations.forms import Form, Submission, TextStep
from tests.harness import (
    BotProcess,
    BotStarter,
    RunningBot,
    all_handled,
    message_saying,
    messages_until,
    rows,
    sign_up,
)
from tests.test_webhook_mode import free_port

PEOPLE = 20
KILLS = 10
BURST = 3  # Challenge 1's first part takes three items, then moves on to the second
# Each person's first reply takes this long, so the rest of their burst is still waiting when
# the lock is taken (long enough for the webhook's receipts, which wait for a group commit).
SLOW_REPLY = 2.0


@contextmanager
def write_lock(database: Path) -> Iterator[None]:
    """Hold the database's write lock from outside, as a stalled disk would: the bot's
    handlers wait before they can commit anything."""
    with closing(sqlite3.connect(database, isolation_level=None, timeout=10)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")


async def open_challenge_1(user: SimUser) -> None:
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press("Challenge 1")
    await message_saying(user, "Challenge 1 · Step 1 of 2")


async def bursts_survive_kill_9(
    sim: SimulatorClient, emulator: BotApiEmulator, tmp_path: Path, config_text: str = ""
) -> None:
    """KILLS times: each of PEOPLE people sends a burst of BURST answers; once the bot has
    them all (Telegram has no update left to deliver) and before it can handle them, kill -9.
    After the restart every answer is stored exactly once, in order, and has its one reply."""
    database = tmp_path / "coproduce.sqlite3"
    bot = BotProcess(emulator, tmp_path, config_text)
    people = [sim.user(3000 + n, f"Person {n}") for n in range(PEOPLE)]
    await bot.start()
    try:
        await asyncio.gather(*(sign_up(person) for person in people))
        for kill in range(KILLS):
            await asyncio.gather(*(open_challenge_1(person) for person in people))
            answers = {
                p.user_id: [f"kill {kill} person {p.user_id} answer {n}" for n in range(BURST)]
                for p in people
            }
            # Each person's first reply is slow, so the rest of their burst arrives and waits.
            await sim.inject_fault("sendMessage", "slow", count=PEOPLE, delay=SLOW_REPLY)
            await asyncio.gather(*(send_all(p, answers[p.user_id]) for p in people))
            async with asyncio.timeout(10):
                while await sim.pending_updates():  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            with write_lock(database):
                await quiet(sim)  # what was committed before the lock has had its replies
                await bot.kill()
            replayed = await bot.start()
            assert replayed > 0, "the kill came after everything was handled: it proved nothing"
            for person in people:
                # Every reply up to the next question: each once, none lost, in order.
                said = await messages_until(person, "Step 2 of 2", timeout=15 * BURST)
                replies = [message.text for message in said]
                assert [text.splitlines()[1:2] for text in replies[:-1]] == [
                    [f"Got it ({n} of up to 3)."] for n in range(1, BURST)
                ], replies
                assert "Step 2 of 2" in replies[-1], replies[-1]
            stored = dict(rows_of_drafts(database))
            assert stored == {p.user_id: answers[p.user_id] for p in people}
            # The next message each gets is the answer to /cancel: no reply came twice.
            await asyncio.gather(*(cancel(person) for person in people))
    finally:
        await bot.kill()


async def send_all(person: SimUser, texts: list[str]) -> None:
    for text in texts:
        await person.send(text)


async def quiet(sim: SimulatorClient) -> None:
    """Wait until no Bot API call is in flight and none has come for a quarter of a second: every
    reply to what the bot committed has gone out. (Polling's long getUpdates is no reply.)"""
    seen = -1
    async with asyncio.timeout(30):
        while True:
            calls = [c for c in await sim.calls() if c["method"] != "getUpdates"]
            if len(calls) == seen and all(call["status"] is not None for call in calls):
                return
            seen = len(calls)
            await asyncio.sleep(0.25)


def rows_of_drafts(database: Path) -> Iterator[tuple[int, list[str]]]:
    with closing(sqlite3.connect(database)) as connection:
        for user_id, answers in connection.execute("SELECT user_id, answers FROM drafts"):
            yield user_id, json.loads(answers)["worked"]


async def cancel(user: SimUser) -> None:
    await user.send("/cancel")
    said = await messages_until(user, "What would you like to do?")
    assert [message.text for message in said] == [
        "Cancelled: nothing you answered in Challenge 1 was saved.",
        "What would you like to do?",
    ]


@pytest.mark.timeout(240)
async def test_kill_9_with_bursts_in_flight_loses_nothing_and_repeats_nothing(
    sim: SimulatorClient, emulator: BotApiEmulator, tmp_path: Path
) -> None:
    await bursts_survive_kill_9(sim, emulator, tmp_path)


@pytest.mark.timeout(240)
async def test_kill_9_in_webhook_mode_between_receipt_and_handling_loses_nothing(
    sim: SimulatorClient, emulator: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    webhook = (
        f'[telegram]\nmode = "webhook"\nwebhook_url = "http://127.0.0.1:{port}/telegram"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\n'
    )
    await bursts_survive_kill_9(sim, emulator, tmp_path, webhook)


# One person's trouble is theirs alone


async def test_flood_waits_on_one_persons_replies_delay_nobody_else(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    anna, ben = sim.user(4001, "Anna"), sim.user(4002, "Ben")
    await sim.inject_fault("sendMessage", "retry_after", count=3, retry_after=4, chat_id=4001)
    await anna.send("/help")
    await asyncio.sleep(0.2)  # Anna's reply is now waiting out its first flood wait
    await ben.send("/help")
    await message_saying(ben, "Here is what you can do", timeout=1)
    assert [m for m in await anna.messages() if m.from_bot] == []  # still waiting
    # And not lost: sent after three waits.
    await message_saying(anna, "Here is what you can do", timeout=20)


async def test_a_timeout_on_one_persons_reply_delays_nobody_else(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    anna, ben = sim.user(4001, "Anna"), sim.user(4002, "Ben")
    await sim.inject_fault("sendMessage", "timeout", delay=6, chat_id=4001)
    await anna.send("/help")
    await asyncio.sleep(0.2)
    await ben.send("/help")
    await message_saying(ben, "Here is what you can do", timeout=1)
    reply = await message_saying(anna, SOMETHING_WENT_WRONG, timeout=20)
    assert reply.text == SOMETHING_WENT_WRONG


async def test_a_flood_from_one_person_is_cut_off_and_slows_nobody(
    start_bot: BotStarter, sim: SimulatorClient, settings: Settings, tmp_path: Path
) -> None:
    strict = settings.model_copy(
        update={"limits": settings.limits.model_copy(update={"messages_per_minute": 5})}
    )
    running = RunningBot(strict)
    await running.start()
    try:
        anna, ben = sim.user(4001, "Anna"), sim.user(4002, "Ben")
        for n in range(500):
            await anna.send(f"spam {n}")
        await ben.send("/help")
        await message_saying(ben, "Here is what you can do", timeout=1)
        await all_handled(settings)
        to_anna = [m.text for m in await anna.messages() if m.from_bot]
        assert to_anna.count(SLOW_DOWN) == 1
        assert len(to_anna) <= 6, to_anna  # five answered, then the one notice
        assert rows(settings, "SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL") == [(0,)]
    finally:
        await running.stop()


async def test_each_persons_updates_are_handled_in_the_order_they_were_sent(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    people = [sim.user(5000 + n, f"Person {n}") for n in range(5)]
    await asyncio.gather(*(sign_up(person) for person in people))
    await asyncio.gather(*(open_challenge_1(person) for person in people))

    async def burst(person: SimUser) -> None:
        for n in range(3):
            await person.send(f"{person.user_id}: idea {n}")

    await asyncio.gather(*(burst(person) for person in people))
    await all_handled(settings, sim)
    stored = dict(rows_of_drafts(settings.storage.path))
    assert stored == {p.user_id: [f"{p.user_id}: idea {n}" for n in range(3)] for p in people}


# Drafts address steps by key


def with_challenge_1_parts(settings: Settings, parts: list[ChallengePart]) -> Settings:
    first, second = settings.programme.challenges
    edited: Challenge = first.model_copy(update={"parts": parts})
    programme = settings.programme.model_copy(update={"challenges": [edited, second]})
    return settings.model_copy(update={"programme": programme})


async def test_an_open_draft_survives_a_config_edit_that_inserts_a_step_before_it(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    member = sim.user(1001, "Maya")
    await sign_up(member)
    await open_challenge_1(member)
    for n, reply in enumerate(("Got it (1 of up to 3)", "Got it (2 of up to 3)", "Step 2 of 2")):
        await member.send(f"worked {n}")
        await message_saying(member, reply)
    await bot.stop()
    worked, needed = settings.programme.challenges[0].parts
    inserted = ChallengePart(key="first", label="First", prompt="What came first?")
    edited = RunningBot(with_challenge_1_parts(settings, [inserted, worked, needed]))
    await edited.start()
    try:
        await member.send("needed 0")  # the draft is still on "needed", now step 3 of 3
        moved = await message_saying(member, "Got it (1 of up to 3)")
        assert moved.text.startswith("Challenge 1 · Step 3 of 3\nGot it (1 of up to 3)."), (
            moved.text
        )
        await member.send("needed 1")
        await message_saying(member, "Got it (2 of up to 3)")
        await member.send("needed 2")
        # The new question, and nothing before it (no summary).
        [asked] = await messages_until(member, "Step 1 of 3")
        assert asked.text.startswith("Challenge 1 · Step 1 of 3"), asked.text
        await member.send("first 0")
        await message_saying(member, "Got it (1 of up to")
        await member.press("Done")
        await message_saying(member, "Check your answers")
        await member.press("Confirm and send")
        await message_saying(member, "your answer to Challenge 1 is saved")
        [(stored,)] = rows(settings, "SELECT answers FROM challenge_answers")
        assert json.loads(stored) == {
            "first": ["first 0"],
            "worked": ["worked 0", "worked 1", "worked 2"],
            "needed": ["needed 0", "needed 1", "needed 2"],
        }
    finally:
        await edited.stop()


async def test_a_draft_whose_step_was_removed_goes_on_to_the_next_and_says_so(
    sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    member = sim.user(1001, "Maya")
    await sign_up(member)
    await open_challenge_1(member)
    await bot.stop()
    _, needed = settings.programme.challenges[0].parts
    edited = RunningBot(with_challenge_1_parts(settings, [needed]))
    await edited.start()
    try:
        await member.send("/menu")
        await message_saying(member, "What would you like to do?")
        await member.press("Carry on: Challenge 1")
        resumed = await message_saying(member, "Challenge 1 · Step 1 of 1")
        assert resumed.text.startswith(
            "Challenge 1 · Step 1 of 1\nThis form has changed since you began it: "
            "here is the next question."
        ), resumed.text
    finally:
        await edited.stop()


# A feature is added without editing the bot


class Diary:
    """A toy feature: a /diary command, a form in the menu, and a table of its own."""

    async def diary_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Dear diary")

    def feature(self) -> Feature:
        async def keep(submission: Submission) -> str:
            database = self.database
            async with database.transaction() as connection:
                await connection.execute(
                    "INSERT INTO diary (user_id, entry) VALUES (?, ?)",
                    (submission.person.id, submission.answers["entry"]),
                )
            return "Kept."

        def forms(core: object) -> list[Form]:
            self.database = core.database  # type: ignore[attr-defined]
            step = TextStep(key="entry", label="Entry", prompt="What happened today?")
            return [Form("diary", "Diary", (step,), keep, menu_label="Write in the diary")]

        return Feature(
            "diary",
            commands=(Command("diary", "Open your diary", EVERYONE, self.diary_command),),
            forms=forms,
            personal_data=(PersonalData("diary"),),
        )


@asynccontextmanager
async def diary_table(settings: Settings) -> AsyncIterator[None]:
    with closing(sqlite3.connect(settings.storage.path)) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS diary (user_id INTEGER, entry TEXT)")
    yield


async def test_a_toy_feature_adds_its_command_menu_entry_and_personal_data(
    start_bot: BotStarter, sim: SimulatorClient, settings: Settings
) -> None:
    async with diary_table(settings):
        running = await start_bot(Diary().feature())
        member = sim.user(1001, "Maya")
        await sign_up(member)
        await member.send("/help")
        help_text = await message_saying(member, "Here is what you can do")
        assert "/diary - Open your diary" in help_text.text
        await member.send("/diary")
        assert (await message_saying(member, "Dear diary")).text == "Dear diary"
        [commands] = [
            c
            for c in await sim.calls("setMyCommands")
            if c["params"]["scope"]["type"] == "default"
        ]
        assert "diary" in [entry["command"] for entry in commands["params"]["commands"]]

        await member.send("/menu")
        menu = await message_saying(member, "What would you like to do?")
        assert "Write in the diary" in menu.labels()
        await member.press("Write in the diary")
        await message_saying(member, "What happened today?")
        await member.send("Met the new centre manager")
        await message_saying(member, "Check your answers")
        await member.press("Confirm and send")
        assert (await message_saying(member, "Kept.")).text == "Kept."

        assert running.application is not None
        core = running.application.bot_data[SERVICES_KEY].core
        assert PersonalData("diary") in core.personal_data
        await member.send("/forget")
        await message_saying(member, "Are you sure?")
        await member.press("Yes, erase my data")
        await member.next_reply()
        await all_handled(settings)
        assert rows(settings, "SELECT * FROM diary") == []
