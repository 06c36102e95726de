"""Webhook delivery: pending updates POSTed one at a time, in order, to a loopback URL.

As Telegram does, an update is forgotten only once the bot answers it with a 2xx; any other
answer (or no answer) is recorded for getWebhookInfo and the same update is retried after a
short backoff. The emulator never sends traffic off the machine: setWebhook refuses any host
that is not loopback, a name must resolve to loopback addresses only, and redirects are not
followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import socket
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.simulator.state import JSON, SimState

LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Bounded and quick, so a test that makes the bot fail once sees the retry at once.
FIRST_RETRY_SECONDS = 0.2
MAX_RETRY_SECONDS = 2.0
DELIVERY_TIMEOUT_SECONDS = 10.0
# How long the idle loop sleeps between re-checks when nothing announces a change.
IDLE_SECONDS = 60.0


def is_loopback(host: str) -> bool:
    """Whether `host` is "localhost" or a loopback IP address literal."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_problem(url: str) -> str | None:
    """Why the emulator will not deliver to `url`, or None when it will."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "invalid webhook URL specified"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "invalid webhook URL specified"
    if not is_loopback(parts.hostname):
        return (
            f"the emulator delivers to loopback addresses only, not {parts.hostname!r} "
            "(use 127.0.0.1, ::1 or localhost)"
        )
    return None


class _LoopbackResolver(ThreadedResolver):
    """Resolves names to their loopback addresses only, so "localhost" cannot leave the host."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = [
            r
            for r in await super().resolve(host, port, family)
            if ipaddress.ip_address(r["host"]).is_loopback
        ]
        if not results:
            raise OSError(f"{host} does not resolve to a loopback address")
        return results


class WebhookDelivery:
    """The background task that pushes SimState's updates to the webhook while one is set."""

    def __init__(self, state: SimState) -> None:
        self._state = state
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Starts the delivery task on the running loop (idle until a webhook is set)."""
        if self._task is not None:
            return
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=_LoopbackResolver()),
            timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS),
        )
        self._task = asyncio.create_task(self._run(), name="sim-webhook-delivery")

    async def stop(self) -> None:
        """Cancels the task, abandoning any request in flight, and closes the HTTP session."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _next_update(self) -> JSON | None:
        if not self._state.webhook.url:
            return None
        updates = self._state.deliverable_updates()
        return updates[0] if updates else None

    async def _run(self) -> None:
        state = self._state
        backoff = FIRST_RETRY_SECONDS
        while True:
            await state.wait_for(lambda: self._next_update() is not None, IDLE_SECONDS)
            if state.closing:
                return
            update = self._next_update()
            if update is None:
                continue
            webhook = state.webhook
            url, secret, generation = webhook.url, webhook.secret_token, webhook.generation
            error = await self._post(url, secret, update)
            if error is None:
                state.confirm_update(update["update_id"])
                backoff = FIRST_RETRY_SECONDS
                continue
            if state.webhook.generation == generation:
                state.webhook_failed(error)
            LOGGER.info(
                "event=sim_webhook_failed update_id=%s error=%r retry_in=%s",
                update["update_id"],
                error,
                backoff,
            )
            if await self._changed_within(generation, backoff):
                backoff = FIRST_RETRY_SECONDS
            else:
                backoff = min(backoff * 2, MAX_RETRY_SECONDS)

    async def _changed_within(self, generation: int, seconds: float) -> bool:
        """Waits out a backoff, cut short by a new setWebhook or deleteWebhook (then True)."""
        state = self._state
        await state.wait_for(lambda: state.webhook.generation != generation, seconds)
        return state.webhook.generation != generation

    async def _post(self, url: str, secret: str | None, update: JSON) -> str | None:
        """POSTs one update; None when the bot took it, else the error getWebhookInfo shows."""
        if self._session is None or webhook_url_problem(url) is not None:
            return "webhook URL refused by the emulator"
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with self._session.post(
                url, data=json.dumps(update), headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except (aiohttp.ClientError, OSError) as exc:
            return f"Connection failed: {type(exc).__name__}"
