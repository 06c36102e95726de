"""Flows: N people at once, each signing up, voicing a need and taking the before survey.

Three contestants take the same updates through the same in-process Bot API
(:mod:`benchmarks.fake_telegram`), with no rate limiter:

- ``bot``: the real application, built as ``coproduce run`` builds it (:func:`running_bot`);
- ``floor-durable``: a minimal PTB ``ConversationHandler`` of the same shape that commits each
  answer to SQLite (WAL, ``synchronous=FULL``, one commit an answer);
- ``floor-memory``: the same with no storage at all.

Each person sends an update, waits until it is handled, then sends the next; people are
interleaved. Two ways to pace them:

- *closed loop* (throughput): each person sends the next update the moment the last is handled,
  so the contestant is always saturated and its latency is people ÷ throughput (Little's law);
- *open loop* (latency, ``RATE`` updates a second): person ``n``'s ``k``-th update is due at
  ``(n + k * people) / RATE`` seconds, so updates arrive at ``RATE`` in all, each person's
  every ``people / RATE`` seconds; it is sent when due, or as soon as the person's previous
  update is handled if that is later. Latency runs from sending to handled.

Each run is its own process (``python -m benchmarks.flows VARIANT PEOPLE [RATE]``), so its
peak RSS is its own.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from benchmarks.fake_telegram import BOT_USER, FakeBotApi
from bot.app import Transport, running_bot
from bot.config import Limits, Settings, StorageSettings, TelegramSettings
from bot.context import SERVICES_KEY, Services

__all__ = ["SCRIPT", "VARIANTS", "FlowResult", "measure", "run_flows"]

TOKEN = "1:benchmark"
VARIANTS = ("bot", "floor-durable", "floor-memory")
FIRST_PERSON = 100_000
SURVEY_BUTTON = "Take the confidence survey (1 minute)"
NEED = (
    "We can't get enough volunteers for the Saturday stay and play, and the funding bid for a "
    "paid coordinator was turned down because the tender paperwork was too much."
)


@dataclass(frozen=True)
class Send:
    text: str


@dataclass(frozen=True)
class Press:
    label: str | None  # None: the first button of the newest question (the name offered)


Action = Send | Press

# Sign-up (consent, profile), a need, the before survey: what tests/harness.py's helpers do.
SCRIPT: tuple[Action, ...] = (
    Send("/start"),
    Press("I agree"),
    Press(None),
    Send("Kirkby Mums' Group"),
    Press("Voluntary or community group"),
    Press("Knowsley"),
    Press("Save"),
    Send("/menu"),
    Press("Voice a local need"),
    Press("Kirkby"),
    Send(NEED),
    Press("Families"),
    Press("Done"),
    Press("Skip"),
    Press("Medium"),
    Press("Yes"),
    Press("Confirm and send"),
    Send("/menu"),
    Press(SURVEY_BUTTON),
    *(Press(str(score)) for score in (3, 4, 2, 5, 3)),
    Press("Confirm and send"),
)


@dataclass(frozen=True)
class FlowResult:
    variant: str
    people: int
    updates: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    peak_rss_mb: float
    commits: int
    rate: float = 0.0  # updates a second offered (open loop); 0: closed loop

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


class Driver:
    """The people: each sends its script's updates one at a time, waiting for each's end."""

    def __init__(self, api: FakeBotApi, *, press_by_label: bool) -> None:
        self._api = api
        self._press_by_label = press_by_label
        self._handled: dict[int, asyncio.Future[float]] = {}
        self.latencies: list[float] = []

    def watch(self, processor: BaseUpdateProcessor) -> None:
        """Note when the processor has finished each update (its commit included)."""
        process = processor.do_process_update

        async def timed(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await process(update, coroutine)
            finally:
                if isinstance(update, Update) and update.update_id in self._handled:
                    self._handled[update.update_id].set_result(time.perf_counter())

        processor.do_process_update = timed  # type: ignore[method-assign]

    async def person(self, user_id: int, due: Callable[[int], float] | None = None) -> None:
        """Send the script; with ``due``, step ``k`` waits until ``due(k)`` (loop time)."""
        user = {"id": user_id, "is_bot": False, "first_name": f"Person {user_id}"}
        chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        loop = asyncio.get_running_loop()
        for step, action in enumerate(SCRIPT):
            if due is not None and (wait := due(step) - loop.time()) > 0:
                await asyncio.sleep(wait)
            if isinstance(action, Send):
                entities = (
                    [{"type": "bot_command", "offset": 0, "length": len(action.text)}]
                    if action.text.startswith("/")
                    else []
                )
                update: dict[str, Any] = {
                    "message": {
                        "message_id": step + 1,
                        "date": int(time.time()),
                        "chat": chat,
                        "from": user,
                        "text": action.text,
                        "entities": entities,
                    }
                }
            else:
                message_id, data = self._button(user_id, action.label)
                update = {
                    "callback_query": {
                        "id": f"{user_id}-{step}",
                        "from": user,
                        "chat_instance": str(user_id),
                        "data": data,
                        "message": {
                            "message_id": message_id,
                            "date": int(time.time()),
                            "chat": chat,
                            "from": BOT_USER,
                            "text": "",
                        },
                    }
                }
            handled: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            sent = time.perf_counter()
            update_id = self._api.deliver(update)
            self._handled[update_id] = handled
            self.latencies.append(await asyncio.wait_for(handled, 60) - sent)
            del self._handled[update_id]

    def _button(self, chat_id: int, label: str | None) -> tuple[int, str]:
        if not self._press_by_label:  # the floors take any press: its data is its label
            latest = self._api.latest(chat_id)
            return (latest.message_id if latest else 1), label or "name"
        if label is None:
            message_id, _, data = self._api.first_button(chat_id)
            return message_id, data
        return self._api.button(chat_id, label)


async def _drive(driver: Driver, people: int, rate: float) -> float:
    """Run everyone's script, closed loop (``rate`` 0) or open at ``rate``; the seconds."""
    start = asyncio.get_running_loop().time()

    def schedule(n: int) -> Callable[[int], float] | None:
        return (lambda step: start + (n + step * people) / rate) if rate else None

    started = time.perf_counter()
    await asyncio.gather(*(driver.person(FIRST_PERSON + n, schedule(n)) for n in range(people)))
    return time.perf_counter() - started


async def _run_bot(directory: Path, people: int, rate: float) -> tuple[Driver, float, int]:
    api = FakeBotApi()
    settings = Settings(
        telegram=TelegramSettings(token=TOKEN, base_url="http://bench.invalid/bot"),
        storage=StorageSettings(path=directory / "bot.sqlite3"),
        limits=Limits(messages_per_minute=1000, sends_per_second=1000),
        log_level="WARNING",
    )
    transport = Transport(request=api, get_updates_request=api, rate_limiter=None)
    driver = Driver(api, press_by_label=True)
    async with running_bot(settings, transport=transport) as application:
        database = application.bot_data[SERVICES_KEY]
        assert isinstance(database, Services)
        driver.watch(application.update_processor)
        before = database.core.database.commits
        seconds = await _drive(driver, people, rate)
        commits = database.core.database.commits - before
        await _check_everyone_finished(database.core.database.connection, people)
    return driver, seconds, commits


async def _check_everyone_finished(connection: aiosqlite.Connection, people: int) -> None:
    """Each person's profile, need and survey are stored: the run measured the whole flow."""
    for table in ("participants", "needs", "survey_answers"):
        async with connection.execute(f"SELECT COUNT(*) FROM {table}") as cursor:
            row = await cursor.fetchone()
        if row is None or row[0] != people:
            raise RuntimeError(f"{table}: {row[0] if row else 0} rows for {people} people")


async def _run_floor(
    directory: Path, people: int, rate: float, *, durable: bool
) -> tuple[Driver, float, int]:
    """The floor: one ConversationHandler state per update of the script, nothing else."""
    api = FakeBotApi()
    connection = await aiosqlite.connect(directory / "floor.sqlite3", isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        await connection.execute(f"PRAGMA {pragma}")
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS answers (user_id INTEGER, step INTEGER, answer TEXT)"
    )
    commits = 0

    async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        nonlocal commits
        assert context.user_data is not None
        assert update.effective_chat is not None
        position = int(context.user_data.get("step", 0))
        answer = update.callback_query.data if update.callback_query else update.effective_message
        if update.callback_query is not None:
            await update.callback_query.answer()
        if durable:  # autocommit: this statement is its own transaction, fsynced
            await connection.execute(
                "INSERT INTO answers VALUES (?, ?, ?)",
                (update.effective_chat.id, position, str(answer)),
            )
            commits += 1
        context.user_data["step"] = position + 1
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])
        await context.bot.send_message(
            update.effective_chat.id, f"Step {position + 2}", reply_markup=keyboard
        )
        return position + 1 if position + 1 < len(SCRIPT) else ConversationHandler.END

    anything: list[BaseHandler[Update, Any, object]] = [
        MessageHandler(filters.ALL, step),
        CallbackQueryHandler(step),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)  # concurrent updates: one per person
        conversation = ConversationHandler(
            entry_points=[CommandHandler("start", step)],
            states={position: anything for position in range(1, len(SCRIPT))},
            fallbacks=[],
        )
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url("http://bench.invalid/bot")
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(4096)
        .build()
    )
    application.add_handler(conversation)
    driver = Driver(api, press_by_label=False)
    try:
        async with application:
            updater = application.updater
            assert updater is not None
            await updater.start_polling(poll_interval=0.0, timeout=10)
            await application.start()
            driver.watch(application.update_processor)
            seconds = await _drive(driver, people, rate)
            await updater.stop()
            await application.stop()
    finally:
        await connection.close()
    return driver, seconds, commits


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def measure(variant: str, people: int, rate: float = 0.0) -> FlowResult:
    """One run of ``variant`` with ``people``, in this process (``rate``: see the module)."""
    with tempfile.TemporaryDirectory() as directory:
        if variant == "bot":
            driver, seconds, commits = await _run_bot(Path(directory), people, rate)
        else:
            durable = variant == "floor-durable"
            driver, seconds, commits = await _run_floor(
                Path(directory), people, rate, durable=durable
            )
    ordered = sorted(driver.latencies)
    return FlowResult(
        variant=variant,
        people=people,
        updates=len(ordered),
        seconds=seconds,
        p50_ms=statistics.median(ordered) * 1000,
        p95_ms=_percentile(ordered, 0.95) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        commits=commits,
        rate=rate,
    )


def run_flows(variant: str, people: int, rate: float = 0.0) -> FlowResult:
    """One run in a fresh process, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.flows", variant, str(people), str(rate)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return FlowResult(**json.loads(output.splitlines()[-1]))


def main(arguments: list[str]) -> None:
    variant, people = arguments[0], int(arguments[1])
    rate = float(arguments[2]) if len(arguments) > 2 else 0.0
    result = asyncio.run(measure(variant, people, rate))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main(sys.argv[1:])
