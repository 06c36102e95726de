"""The end-to-end harness: the real bot (started by the same ``running_bot`` that
``coproduce run`` uses) pointed at the Bot API emulator, and the test personas' ids."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, closing
from pathlib import Path
from typing import Any

from bot.app import running_bot
from bot.config import (
    Area,
    Commissioner,
    Limits,
    Programme,
    Schedules,
    Settings,
    StorageSettings,
    TelegramSettings,
)
from bot.context import SERVICES_KEY, BotApplication, Services
from bot.features import Feature
from bot.handlers import FEATURES
from bot.simulator import BotApiEmulator, SimMessage, SimulatorClient, SimUser

TOKEN = "4242424242:test-token-that-must-never-be-logged"
EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"
# Test users answer far faster than people type: a limit no test reaches by accident (the
# flood tests set their own). The simulator has no sending limit, so the bot need not pace
# itself at Telegram's 30 a second.
TEST_LIMITS = Limits(messages_per_minute=1000, sends_per_second=500)
# The example config's personas, as the demo offers them.
MEMBER_ID = 1001
COMMISSIONER_ID = 1002
ADMIN_ID = 1003


def settings_for(emulator: BotApiEmulator, database: Path) -> Settings:
    """Settings that point the bot at ``emulator`` and keep its database at ``database``."""
    return Settings(
        telegram=TelegramSettings(
            token=TOKEN, base_url=emulator.api_base_url, base_file_url=emulator.file_base_url
        ),
        storage=StorageSettings(path=database),
        limits=TEST_LIMITS,
        admins=[ADMIN_ID],
        commissioners=[Commissioner(user_id=COMMISSIONER_ID, areas=["knowsley"])],
        # No quiet hours, so a test's follow-ups do not depend on the time it runs at (the
        # quiet-hours tests set their own).
        programme=Programme(
            schedules=Schedules(quiet_hours_start="00:00", quiet_hours_end="00:00")
        ),
    )


ST_HELENS_COMMISSIONER_ID = 2002
ST_HELENS = Area(key="st_helens", name="St Helens", neighbourhoods=["Thatto Heath", "Parr"])


def with_two_areas(settings: Settings) -> Settings:
    """``settings`` with a second area, St Helens, and a commissioner for each area."""
    programme = settings.programme.model_copy(
        update={"areas": [*settings.programme.areas, ST_HELENS]}
    )
    return settings.model_copy(
        update={
            "programme": programme,
            "commissioners": [
                Commissioner(user_id=COMMISSIONER_ID, areas=["knowsley"]),
                Commissioner(user_id=ST_HELENS_COMMISSIONER_ID, areas=["st_helens"]),
            ],
        }
    )


class RunningBot:
    """The bot under test, with the bot's features and any ``extra`` test features after them;
    ``restart()`` stops it and starts a fresh one on the same database."""

    def __init__(self, settings: Settings, extra: tuple[Feature, ...] = ()) -> None:
        self.settings = settings
        self.features = (*FEATURES, *extra)
        self._stack: AsyncExitStack | None = None
        self.application: BotApplication | None = None

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        self.application = await self._stack.enter_async_context(
            running_bot(self.settings, self.features)
        )

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None
            self.application = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def services(self) -> Services:
        assert self.application is not None, "the bot is not running"
        found: Services = self.application.bot_data[SERVICES_KEY]
        return found

    async def tick(self) -> None:
        """One run of the scheduler tick, as the job queue runs it, then the outbox drained."""
        assert self.application is not None, "the bot is not running"
        assert self.application.job_queue is not None
        [job] = self.application.job_queue.get_jobs_by_name("tick")
        await job.run(self.application)
        await self.services.sender.drain()


BotStarter = Callable[..., Awaitable[RunningBot]]
"""``await start_bot(*extra_features)``: the bot, with test-only features added."""


async def sign_up(
    user: SimUser,
    *,
    organisation: str = "Kirkby Mums' Group",
    sector: str = "Voluntary or community group",
    area: str = "Knowsley",
) -> SimMessage:
    """Take ``user`` through consent and the profile form; returns the menu that follows."""
    await user.send("/start")
    await message_saying(user, "Are you happy to go ahead?")
    await user.press("I agree")
    name_question = await message_saying(user, "What should we call you?")
    await user.press(name_question.labels()[0])  # Use "<Telegram name>"
    await message_saying(user, "Step 2 of 4")
    await user.send(organisation)
    await message_saying(user, "Step 3 of 4")
    await user.press(sector)
    await message_saying(user, "Step 4 of 4")
    await user.press(area)
    await message_saying(user, "Check your answers")
    await user.press("Save")
    await message_saying(user, "you're signed up")
    return await message_saying(user, "What would you like to do?")


async def start_coproduce_process(
    emulator: BotApiEmulator, directory: Path, *, log_level: str = "INFO", config_text: str = ""
) -> asyncio.subprocess.Process:
    """``coproduce run`` as a real process against ``emulator``, its database in ``directory``
    (``config_text`` is added to its config file)."""
    config = directory / "config.toml"
    limits = f"[limits]\nsends_per_second = {TEST_LIMITS.sends_per_second}\n"
    config.write_text(f"admins = [{ADMIN_ID}]\n{config_text}\n{limits}")
    environment = {
        **os.environ,
        "COPRODUCE_TELEGRAM__TOKEN": TOKEN,
        "COPRODUCE_TELEGRAM__BASE_URL": emulator.api_base_url,
        "COPRODUCE_TELEGRAM__BASE_FILE_URL": emulator.file_base_url,
        "COPRODUCE_STORAGE__PATH": str(directory / "coproduce.sqlite3"),
        "COPRODUCE_LOG_LEVEL": log_level,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )


class BotProcess:
    """``coproduce run`` as a real process, its log read as it goes (so its pipe never fills)."""

    def __init__(self, emulator: BotApiEmulator, directory: Path, config_text: str = "") -> None:
        self._emulator = emulator
        self._directory = directory
        self._config_text = config_text
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.log: list[str] = []
        self._started = asyncio.Event()

    async def start(self) -> int:
        """Start, wait until the bot is serving, and return how many updates it replayed."""
        self._started.clear()
        self._process = await start_coproduce_process(
            self._emulator, self._directory, config_text=self._config_text
        )
        self._reader = asyncio.create_task(self._read(self._process))
        async with asyncio.timeout(30):
            await self._started.wait()
        started = next(line for line in reversed(self.log) if "event=bot_started" in line)
        return int(started.split("replayed=")[1].split()[0])

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace")
            self.log.append(line)
            if "event=bot_started" in line:
                self._started.set()

    async def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        if self._reader is not None:
            await self._reader


async def voice_a_need(
    user: SimUser, description: str, *, place: str = "Kirkby", priority: str = "Medium"
) -> str:
    """The happy path; returns the confirmation."""
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press("Voice a local need")
    await message_saying(user, "Step 1 of 6")
    await user.press(place)
    await message_saying(user, "Step 2 of 6")
    await user.send(description)
    await message_saying(user, "Step 3 of 6")
    await user.press("Families")
    await user.next_reply()  # the question again, Families ticked
    await user.press("Done")
    await message_saying(user, "Step 4 of 6")
    await user.press("Skip")
    await message_saying(user, "Step 5 of 6")
    await user.press(priority)
    await message_saying(user, "Step 6 of 6")
    await user.press("Yes")
    await message_saying(user, "Check your answers")
    await user.press("Confirm and send")
    confirmation = (await message_saying(user, "Your need is recorded")).text
    await message_saying(user, "What would you like to do?")
    return confirmation


SURVEY_BUTTON = "Take the confidence survey (1 minute)"


async def take_survey(user: SimUser, score: int, *, button: str = SURVEY_BUTTON) -> str:
    """Open the due survey from the menu, answer every item with ``score``, confirm."""
    await user.send("/menu")
    menu = await message_saying(user, "What would you like to do?")
    assert button in menu.labels(), menu.labels()
    await user.press(button)
    thanks = await answer_survey(user, score)
    await message_saying(user, "What would you like to do?")
    return thanks


async def answer_survey(user: SimUser, score: int) -> str:
    """Answer the survey just opened, every item with ``score``, and confirm; the thanks."""
    for step in range(1, 6):
        await message_saying(user, f"Step {step} of 5")
        await user.press(str(score))
    await message_saying(user, "Check your answers")
    await user.press("Confirm and send")
    return (await message_saying(user, "Thank you")).text


async def all_handled(settings: Settings, sim: SimulatorClient | None = None) -> None:
    """Wait until the bot has handled every update it received (its reply may come first),
    and with ``sim``, every update sent to it."""
    unhandled = "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"
    async with asyncio.timeout(10):
        # Polling, as another process would: there is no event to wait on.
        while sim is not None and await sim.pending_updates():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        while rows(settings, unhandled) != [(0,)]:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


PROBE = "/probe"
"""A command no feature has: :func:`answers_to` sends it after what it asks about."""


async def answers_to(user: SimUser, text: str) -> list[SimMessage]:
    """Send ``text`` and return every bot message that answered it: for a test that checks
    all it said, whatever that is. A command the bot does not know follows it as a probe: a
    person's updates are handled in order, so the probe's answer comes after all of them
    (waiting for the update to be marked handled would not do: the mark rides on its first
    write, which may come before its replies)."""
    seen = max((message.message_id for message in await user.messages()), default=0)
    await user.send(text)
    await user.send(PROBE)
    said = await messages_until(user, f"don't know {PROBE}")
    return [message for message in said[:-1] if message.message_id > seen]


def rows(settings: Settings, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Read the bot's database as another process would, to check what it stored."""
    with closing(sqlite3.connect(settings.storage.path)) as connection:
        return connection.execute(sql, args).fetchall()


async def messages_until(
    user: SimUser,
    wanted: str | Callable[[SimMessage], bool],
    *,
    timeout: float = 5.0,  # noqa: ASYNC109
    replies: bool = False,
    chat_id: int | None = None,
) -> list[SimMessage]:
    """Every bot message not yet read, up to and including the first that ``wanted`` accepts
    (words it contains, or a test such as ``lambda m: m.has_photo``): for a test that checks
    what came before it too. With ``replies``, edits of earlier messages count as well;
    ``chat_id`` reads a group instead of the private chat."""
    accepts = wanted if callable(wanted) else lambda message: wanted in message.text
    next_from_bot = user.next_reply if replies else user.next_message
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    received: list[SimMessage] = []
    while True:
        remaining = max(deadline - loop.time(), 0.05)
        received.append(await next_from_bot(remaining, chat_id=chat_id))
        if accepts(received[-1]):
            return received


async def message_saying(
    user: SimUser,
    words: str | Callable[[SimMessage], bool],
    *,
    timeout: float = 5.0,  # noqa: ASYNC109
    replies: bool = False,
    chat_id: int | None = None,
) -> SimMessage:
    """The next bot message containing ``words`` (or that ``words`` accepts, e.g. a photo),
    passing over any before it; with ``replies``, edits of earlier messages count too."""
    said = await messages_until(user, words, timeout=timeout, replies=replies, chat_id=chat_id)
    return said[-1]
