"""`coproduce run` as a real process: it serves, stops gracefully on a signal, and never
writes the bot token to its logs, even at DEBUG."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.simulator import BotApiEmulator, SimulatorClient
from tests.harness import TOKEN, start_coproduce_process


@pytest.mark.parametrize(("level", "signum"), [("DEBUG", signal.SIGTERM), ("INFO", signal.SIGINT)])
async def test_run_serves_stops_on_signal_and_never_logs_the_token(
    emulator: BotApiEmulator,
    sim: SimulatorClient,
    tmp_path: Path,
    level: str,
    signum: signal.Signals,
) -> None:
    process = await start_coproduce_process(emulator, tmp_path, log_level=level)
    try:
        user = sim.user(3001, "Pat")
        await user.send("/help")
        assert "/help - What you can do here" in (await user.next_reply(timeout=30)).text
        process.send_signal(signum)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    logs = stderr.decode()
    assert process.returncode == 0, logs
    assert "event=bot_started mode=polling" in logs
    assert "event=bot_stopped" in logs
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs
    assert ("level=DEBUG" in logs) == (level == "DEBUG")
    assert "Traceback" not in logs


def test_url_logging_libraries_are_kept_at_warning() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", secret=TOKEN)
    try:
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
