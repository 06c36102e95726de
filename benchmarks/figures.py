"""The earlier micro-benchmarks (round trips, one durable write, pure functions, the tagger),
printed as Markdown table rows: ``python -m benchmarks.figures``.

Round trips go through the real bot and the simulator over loopback, so they measure what
a user would wait for, less Telegram's own network time.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import theme_accuracy
from bot.app import running_bot
from bot.config import Programme, Settings, StorageSettings, TelegramSettings
from bot.reports.charts import survey_charts
from bot.reports.uplift import GroupSpec, SurveyAnswers, uplift
from bot.simulator import BotApiEmulator, SimulatorClient
from conversations.themes import rules_from, tag
from storage.database import Database
from storage.inbox import InboxStore, Received

TOKEN = "1:benchmark"
ROUND_TRIPS = 200
IDLE_ROUND_TRIPS = 30
IDLE_SECONDS = 0.2
USERS = 20
WRITES = 500
TAGS = 2000
COHORT = 2000
UPLIFTS = 20
CHARTS = 10


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
    """One committed, fsynced (synchronous=FULL) transaction per update stored in the inbox."""
    database = await Database.open(directory / "writes.sqlite3")
    inbox = InboxStore(database)
    durations = []
    try:
        for n in range(WRITES):
            update = Received(n, n % 50, {"update_id": n, "message": {"text": "x" * 80}})
            started = time.perf_counter()
            await inbox.receive([update], datetime.now(UTC))
            durations.append(time.perf_counter() - started)
    finally:
        await database.close()
    return _row("durable SQLite write: one update into the inbox", WRITES, durations)


def _timed(function: Callable[[], object], count: int) -> list[float]:
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return durations


def pure_functions() -> list[str]:
    """Theme tagging of one need, the uplift over a large cohort, and drawing its chart."""
    programme = Programme()
    rules = rules_from(programme.themes)
    need = (
        "We can't get enough volunteers for the Saturday stay and play, and the funding bid "
        "for a paid coordinator was turned down because the tender paperwork was too much."
    )
    items = [item.key for item in programme.survey.items]
    randomness = random.Random(2011)
    answers = [
        SurveyAnswers(
            user_id=person,
            sector=randomness.choice(["vcs", "local_authority", "childrens_centre"]),
            wave=wave,
            scores={item: randomness.randint(1, 5) for item in items},
        )
        for person in range(COHORT)
        for wave in ("before", "after")
    ]
    groups = [GroupSpec(g.name, frozenset(g.sectors)) for g in programme.report_groups]
    results = uplift(answers, groups)
    labels = {item.key: item.question for item in programme.survey.items}
    return [
        _row(
            "keyword theme tagging of one need (6 themes)",
            TAGS,
            _timed(lambda: tag(need, rules), TAGS),
        ),
        _row(
            f"uplift over {COHORT:,} paired participants",
            UPLIFTS,
            _timed(lambda: uplift(answers, groups), UPLIFTS),
        ),
        _row(
            "survey charts, one PNG a group (2 groups, 5 items)",
            CHARTS,
            _timed(lambda: survey_charts(results, labels, min_group_size=5), CHARTS),
        ),
    ]


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        rows = [
            *await command_round_trips(Path(directory)),
            await durable_writes(Path(directory)),
            *pure_functions(),
            theme_accuracy.timing(),
        ]
    print("| what | n | median | p95 |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(row)
    print()
    print("\n".join(theme_accuracy.section()))


if __name__ == "__main__":
    asyncio.run(main())
