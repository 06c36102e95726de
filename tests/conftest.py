"""Fixtures: the Bot API emulator on a free loopback port, the real bot polling it, and
simulated users that send, press and wait for replies with bounded waits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.features import Feature
from bot.simulator import BotApiEmulator, SimulatorClient, SimUser
from bot.simulator.demo import personas_of
from tests.harness import (
    ADMIN_ID,
    EXAMPLE_CONFIG,
    MEMBER_ID,
    TOKEN,
    BotStarter,
    RunningBot,
    settings_for,
    with_two_areas,
)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    example, _ = load_settings(EXAMPLE_CONFIG)
    emulator = BotApiEmulator(TOKEN, personas=personas_of(example))
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
def settings(emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The test settings; with ``pytest.mark.two_areas``, St Helens too, and a commissioner
    named in the settings for each area."""
    base = settings_for(emulator, tmp_path / "coproduce.sqlite3")
    return with_two_areas(base) if request.node.get_closest_marker("two_areas") else base


@pytest.fixture
async def sim(emulator: BotApiEmulator) -> AsyncIterator[SimulatorClient]:
    async with SimulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
async def start_bot(settings: Settings) -> AsyncIterator[BotStarter]:
    """Start the bot, optionally with test-only features; stopped after the test."""
    started: list[RunningBot] = []

    async def start(*extra: Feature) -> RunningBot:
        running = RunningBot(settings, extra)
        await running.start()
        started.append(running)
        return running

    yield start
    for running in started:
        await running.stop()


@pytest.fixture
async def bot(start_bot: BotStarter) -> RunningBot:
    return await start_bot()


@pytest.fixture
def member(sim: SimulatorClient, bot: RunningBot) -> SimUser:
    return sim.user(MEMBER_ID, "Maya")


@pytest.fixture
def admin(sim: SimulatorClient, bot: RunningBot) -> SimUser:
    return sim.user(ADMIN_ID, "Alex")
