"""The real bot in webhook mode: the emulator pushes updates to the bot's own webhook server."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import WEBHOOK_PATH
from bot.simulator import BotApiEmulator, SimulatorClient
from bot.simulator.webhook import SECRET_HEADER
from tests.harness import MEMBER_ID, RunningBot, settings_for

SECRET = "s3cret"


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def webhook_bot(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[RunningBot]:
    port = free_port()
    settings = settings_for(emulator, tmp_path / "db.sqlite3")
    telegram = settings.telegram.model_copy(
        update={
            "mode": "webhook",
            "webhook_url": f"http://127.0.0.1:{port}/{WEBHOOK_PATH}",
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_secret": SecretStr(SECRET),
        }
    )
    running = RunningBot(settings.model_copy(update={"telegram": telegram}))
    await running.start()
    yield running
    await running.stop()


async def test_updates_arrive_by_webhook_and_replies_go_out(
    webhook_bot: RunningBot, sim: SimulatorClient
) -> None:
    member = sim.user(MEMBER_ID, "Maya")
    await member.send("/help")
    reply = await member.next_reply()
    assert "/help - What you can do here" in reply.text
    [set_webhook] = await sim.calls("setWebhook")
    assert set_webhook["status"] == 200
    assert set_webhook["params"]["url"] == webhook_bot.settings.telegram.webhook_url
    assert set_webhook["params"]["secret_token"] == SECRET
    assert await sim.calls("getUpdates") == []  # really webhook mode, not polling


def command_update(update_id: int, command: str) -> dict[str, Any]:
    """An update carrying `command` from the member, as Telegram would POST it."""
    maya = {"id": MEMBER_ID, "is_bot": False, "first_name": "Maya"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": maya,
            "chat": {"id": MEMBER_ID, "type": "private", "first_name": "Maya"},
            "date": int(time.time()),
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def post(url: str, update: dict[str, Any], headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers=headers) as r:
        return r.status


@pytest.mark.parametrize("headers", [{SECRET_HEADER: "wrong"}, {}], ids=["wrong", "missing"])
async def test_a_webhook_post_without_the_secret_is_refused(
    webhook_bot: RunningBot, sim: SimulatorClient, headers: dict[str, str]
) -> None:
    member = sim.user(MEMBER_ID, "Maya")
    await member.send("/help")  # the chat exists, so any reply to a forged update could land
    assert "/help - What you can do here" in (await member.next_reply()).text
    url = webhook_bot.settings.telegram.webhook_url
    assert await post(url, command_update(900_001, "/start"), headers) == 403
    # The same route with the right secret does reach the bot: the refusal above is the secret.
    assert await post(url, command_update(900_002, "/help"), {SECRET_HEADER: SECRET}) == 200
    # Updates are handled in order, so a welcome for the forged /start would come first.
    assert "/help - What you can do here" in (await member.next_reply()).text
    replies = [m.text for m in await member.messages() if m.from_bot]
    assert len(replies) == 2
    assert not any(text.startswith("Welcome") for text in replies)
