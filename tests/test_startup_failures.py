"""`coproduce run` as a real process when it cannot start: one line naming the problem and
what to do, exit code 2, never the token, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.simulator import BotApiEmulator, SimulatorClient
from tests.harness import ADMIN_ID, TOKEN

SECRET = TOKEN.split(":")[1]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def start_run(
    directory: Path, base_url: str, *options: str, token: str = TOKEN, log_level: str = "INFO"
) -> asyncio.subprocess.Process:
    config = directory / "config.toml"
    config.write_text(f"admins = [{ADMIN_ID}]\n")
    environment = {
        **os.environ,
        "COPRODUCE_TELEGRAM__TOKEN": token,
        "COPRODUCE_TELEGRAM__BASE_URL": base_url,
        "COPRODUCE_STORAGE__PATH": str(directory / "coproduce.sqlite3"),
        "COPRODUCE_LOG_LEVEL": log_level,
    }
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config), "run", *options),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=environment,
    )


async def run_to_the_end(
    directory: Path, base_url: str, *options: str, token: str = TOKEN, log_level: str = "INFO"
) -> tuple[int, str, str]:
    process = await start_run(directory, base_url, *options, token=token, log_level=log_level)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=40)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_one_line_failure(code: int, out: str, err: str, *phrases: str) -> None:
    assert code == 2, err
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("coproduce: ")
    for phrase in phrases:
        assert phrase in err
    assert_no_secrets(out + err)


def assert_no_secrets(text: str) -> None:
    assert SECRET not in text
    assert "Traceback" not in text


async def test_a_rejected_token_is_one_line_without_the_token(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    revoked = "4242424242:a-revoked-token-nobody-may-see"
    code, out, err = await run_to_the_end(tmp_path, emulator.api_base_url, token=revoked)
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("coproduce: Telegram rejected the bot token (401 Unauthorized)")
    assert "@BotFather" in err
    assert "COPRODUCE_TELEGRAM__TOKEN" in err
    assert revoked.split(":")[1] not in out + err
    assert "Traceback" not in err


async def test_a_rejected_token_stays_hidden_even_in_debug_logs(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    revoked = "4242424242:a-revoked-token-nobody-may-see"
    code, out, err = await run_to_the_end(
        tmp_path, emulator.api_base_url, token=revoked, log_level="DEBUG"
    )
    assert code == 2
    assert "level=DEBUG" in err
    # The database's worker thread may log its last DEBUG line as the failure is printed.
    assert err.count("coproduce: ") == 1
    assert "coproduce: Telegram rejected the bot token (401 Unauthorized)" in err
    assert revoked.split(":")[1] not in out + err
    assert "Traceback" not in err


async def test_a_wrong_bot_api_address_is_one_line(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    wrong = f"{emulator.url}/not-the-bot-api/bot"
    code, out, err = await run_to_the_end(tmp_path, wrong)
    assert_one_line_failure(
        code,
        out,
        err,
        f"the Bot API address is wrong: {wrong} answered 404 Not Found",
        "telegram.base_url",
        "https://api.telegram.org/bot",
    )


async def test_a_base_url_that_is_no_address_fails_at_once(tmp_path: Path) -> None:
    code, out, err = await run_to_the_end(tmp_path, "api.telegram.org/bot")
    assert_one_line_failure(
        code, out, err, "telegram.base_url 'api.telegram.org/bot' is not a web address"
    )


async def test_no_connection_is_one_line_when_not_retrying(tmp_path: Path) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    code, out, err = await run_to_the_end(tmp_path, f"{server}/bot", "--retry-for", "0")
    assert_one_line_failure(
        code,
        out,
        err,
        f"cannot reach the Telegram Bot API at {server}",
        "internet connection",
    )


async def test_no_connection_retries_saying_so_then_gives_up_in_one_line(
    tmp_path: Path,
) -> None:
    server = f"http://127.0.0.1:{closed_port()}"
    code, out, err = await run_to_the_end(tmp_path, f"{server}/bot", "--retry-for", "1.5")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == (
        f"coproduce: cannot reach the Telegram Bot API at {server} (All connection attempts "
        "failed); trying again for up to 1.5 seconds (Ctrl-C to stop)"
    )
    # How many retries fit in 1.5 s depends on how busy the machine is: at least one does.
    retries = [line for line in lines if "event=bot_api_unreachable" in line]
    assert retries
    assert lines[-1].startswith(f"coproduce: cannot reach the Telegram Bot API at {server}")
    assert "tried for 1.5 seconds" in lines[-1]
    assert len(lines) == 2 + len(retries)
    assert_no_secrets(out + err)


async def test_the_bot_starts_once_the_bot_api_can_be_reached(tmp_path: Path) -> None:
    port = closed_port()
    process = await start_run(tmp_path, f"http://127.0.0.1:{port}/bot", "--retry-for", "30")
    emulator = BotApiEmulator(TOKEN, port=port)
    try:
        assert process.stderr is not None
        first = await asyncio.wait_for(process.stderr.readline(), timeout=20)
        assert b"trying again for up to 30 seconds" in first
        await emulator.start()
        seen = b""
        while b"event=bot_started" not in seen:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=20)
            assert line, seen.decode()
            seen += line
        async with SimulatorClient(emulator.url) as sim:
            user = sim.user(3001, "Pat")
            await user.send("/help")
            assert "/help" in (await user.next_reply(timeout=30)).text
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await emulator.stop()
    assert process.returncode == 0
    assert_no_secrets((first + seen + rest).decode())
