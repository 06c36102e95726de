"""Run every benchmark and print its figures as Markdown table rows.

Round trips go through the real bot and the simulator over loopback, so they measure what
a user would wait for, less Telegram's own network time.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import running_bot
from bot.config import Settings, StorageSettings, TelegramSettings
from bot.simulator import BotApiEmulator, SimulatorClient
from storage.bot_state import BotStateStore
from storage.database import Database

TOKEN = "1:benchmark"
ROUND_TRIPS = 200
IDLE_ROUND_TRIPS = 30
IDLE_SECONDS = 0.2
USERS = 20
WRITES = 500


def _row(name: str, count: int, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"| {name} | {count} | {statistics.median(ordered) * 1000:.1f} ms | {p95 * 1000:.1f} ms |"
    )


async def command_round_trips(directory: Path) -> list[str]:
    """Back to back, then with the bot idle between commands: send /help, wait for the reply.

    Back to back, the rate limiter's 30 messages a second (Telegram's own limit) sets the pace.
    """
    emulator = BotApiEmulator(TOKEN)
    await emulator.start()
    settings = Settings(
        telegram=TelegramSettings(
            token=TOKEN, base_url=emulator.api_base_url, base_file_url=emulator.file_base_url
        ),
        storage=StorageSettings(path=directory / "round-trips.sqlite3"),
        log_level="WARNING",
    )
    back_to_back: list[float] = []
    idle: list[float] = []
    try:
        async with running_bot(settings), SimulatorClient(emulator.url) as client:
            users = [client.user(5000 + n, f"User {n}") for n in range(USERS)]
            for n in range(ROUND_TRIPS + IDLE_ROUND_TRIPS):
                if n >= ROUND_TRIPS:
                    await asyncio.sleep(IDLE_SECONDS)
                user = users[n % USERS]
                started = time.perf_counter()
                await user.send("/help")
                await user.next_reply(timeout=10)
                (back_to_back if n < ROUND_TRIPS else idle).append(time.perf_counter() - started)
    finally:
        await emulator.stop()
    return [
        _row("/help round trip, back to back", ROUND_TRIPS, back_to_back),
        _row(f"/help round trip, bot idle {IDLE_SECONDS:g} s before", IDLE_ROUND_TRIPS, idle),
    ]


async def durable_writes(directory: Path) -> str:
    """One committed, fsynced (synchronous=FULL) transaction per saved document."""
    database = await Database.open(directory / "writes.sqlite3")
    store = BotStateStore(database)
    durations = []
    try:
        for n in range(WRITES):
            started = time.perf_counter()
            await store.save_many([("user_data", str(n % 50), {"step": n, "answers": [n] * 10})])
            durations.append(time.perf_counter() - started)
    finally:
        await database.close()
    return _row("durable SQLite write (one transaction)", WRITES, durations)


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        rows = [
            *await command_round_trips(Path(directory)),
            await durable_writes(Path(directory)),
        ]
    print("| what | n | median | p95 |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(row)


asyncio.run(main())
