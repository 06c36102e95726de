"""BotApiEmulator: the aiohttp server that plays api.telegram.org for the unmodified bot."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.simulator.bot_api import ApiError, BotApi, Call, Upload, decode_params
from bot.simulator.control_api import ControlApi
from bot.simulator.limits import SendingLimits
from bot.simulator.state import JSON, Fault, Persona, SimState, User
from bot.simulator.webhook import WebhookDelivery, is_loopback

LOGGER = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
# Telegram accepts uploads of up to 50 MB from bots.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == "blocked":
        return ApiError(403, "Forbidden: bot was blocked by the user")
    if fault.kind == "retry_after":
        return ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
    return ApiError(500, "Internal Server Error")


async def _read_call(request: web.Request) -> Call:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body and request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        raw.update(body)
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(value.filename, value.content_type, value.file.read())
            elif isinstance(value, str):
                raw[name] = value
            else:
                raw[name] = bytes(value).decode()
    return Call(decode_params(raw), uploads)


class BotApiEmulator:
    """A loopback Bot API server with a control API and a web chat page.

    Point python-telegram-bot at it with ``ApplicationBuilder().base_url(emu.api_base_url)``.
    """

    def __init__(
        self,
        token: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "coproduce_bot",
        personas: Sequence[Persona] = (),
        limits: SendingLimits | None = None,
    ) -> None:
        """``limits``: enforce Telegram's sending limits (429 with ``retry_after`` beyond)."""
        if not is_loopback(host):
            raise ValueError(f"the emulator binds loopback addresses only, not {host!r}")
        self._token = token
        self._host = host
        self._port = port
        bot_id, _, _ = token.partition(":")
        bot_name = bot_username.removesuffix("_bot").replace("_", " ").title()
        bot_user = User(int(bot_id) if bot_id.isdigit() else 1, bot_name, bot_username, True)
        self._state = SimState(bot_user, tuple(personas))
        self._bot_api = BotApi(self._state)
        self._app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        self._app.add_routes(
            [
                web.route("*", "/bot{token}/{method}", self._bot_call),
                web.get("/file/bot{token}/{file_path:.+}", self._download),
                web.get("/", self._index),
                web.static("/static", STATIC_DIR),
                *ControlApi(self._state).routes(),
            ]
        )
        self._runner: web.AppRunner | None = None
        self._webhook = WebhookDelivery(self._state)
        self.limits = limits

    @property
    def url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:PORT (the web page lives here)."""
        if self._runner is None:
            raise RuntimeError("the emulator is not started")
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"

    @property
    def api_base_url(self) -> str:
        """What PTB's base_url() takes; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """What PTB's base_file_url() takes."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Binds and serves; port 0 picks a free port."""
        # No access log: request URLs contain the bot token.
        runner = web.AppRunner(
            self._app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self._webhook.start()

    async def stop(self) -> None:
        """Stops webhook delivery, releases long polls and shuts the server down."""
        if self._runner is None:
            return
        self._state.close()
        await self._webhook.stop()
        await self._runner.cleanup()
        self._runner = None

    def _take_fault(self, method: str, call: Call) -> Fault | None:
        """The injected fault this call hits, if any, spending one of its count."""
        chat_id = call.params.get("chat_id")
        # A blocked chat fails whatever else is injected.
        for fault in sorted(self._state.faults, key=lambda f: f.kind != "blocked"):
            if fault.matches(method.lower(), chat_id):
                if fault.kind != "blocked":
                    fault.count -= 1
                    if fault.count <= 0:
                        self._state.faults.remove(fault)
                return fault
        return None

    async def _bot_call(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        entry: JSON = {"method": name, "params": {}, "status": None, "at": time.time()}
        self._state.calls.append(entry)
        try:
            if request.match_info["token"] != self._token:
                raise ApiError(401, "Unauthorized")
            known = self._bot_api.methods.get(name.lower())
            if known is None:
                # Real Telegram may know the method: say so, as PTB reports a 404 as a bad token.
                LOGGER.warning("event=sim_unknown_method method=%s", name)
                raise ApiError(404, "Not Found")
            entry["method"], handler = known
            call = await _read_call(request)
            entry["params"] = call.loggable()
            fault = self._take_fault(entry["method"], call)
            if fault is not None and fault.kind == "slow":
                entry["fault"] = fault.kind
                await asyncio.sleep(fault.delay)  # a slow network: the call then goes through
            elif fault is not None:
                entry["fault"] = fault.kind
                error = _fault_error(fault)
                entry["status"] = error.code
                if fault.kind == "timeout":
                    await asyncio.sleep(fault.delay)
                raise error
            wait = self._over_limits(entry["method"], call)
            if wait is not None:
                raise ApiError(
                    429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                )
            result = await handler(call)
        except ApiError as exc:
            entry["status"] = exc.code
            return web.json_response(exc.envelope(), status=exc.code)
        entry["status"] = 200
        return web.json_response({"ok": True, "result": result})

    def _over_limits(self, method: str, call: Call) -> int | None:
        if self.limits is None:
            return None
        return self.limits.retry_after(method, call.params.get("chat_id"))

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self._token:
            return web.json_response(ApiError(401, "Unauthorized").envelope(), status=401)
        stored = self._state.file_by_path(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").envelope(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")
