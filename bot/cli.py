"""The ``coproduce`` command: run the bot, try it in the simulator, look after the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.app import running_bot, until_signalled
from bot.config import ConfigError, Settings, TelegramSettings, load_settings
from bot.logs import configure_logging, log_event, records_dropped
from storage.database import Database, SchemaTooNewError

logger = logging.getLogger(__name__)

EXIT_USAGE = 2

NO_TOKEN = (
    "coproduce: no Telegram bot token. Create a bot with @BotFather in Telegram "
    "(https://t.me/BotFather), then put its token in telegram.token in your config file or in "
    "the COPRODUCE_TELEGRAM__TOKEN environment variable. To try the bot without a token, "
    "run `make demo`."
)

# When the Bot API cannot be reached at start-up, `coproduce run` tries again, waiting
# FIRST_RETRY_SECONDS, then twice as long each time up to LONGEST_RETRY_SECONDS, for
# `--retry-for` seconds (default RETRY_FOR_SECONDS) before giving up.
RETRY_FOR_SECONDS = 60.0
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 15.0

DEFAULT_BASE_URL = TelegramSettings().base_url
DEMO_DATA_DIR = Path("demo-data")
# What @BotFather hands out: the bot's id, a colon, then letters, digits, _ and -.
TOKEN_SHAPE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"


class StartupFailure(Exception):
    """The bot could not start; the message is one line saying why and what to do."""


def _fail(message: str) -> int:
    print(f"coproduce: {message}", file=sys.stderr)
    return EXIT_USAGE


def _redacted(text: str, settings: Settings) -> str:
    """``text`` on one line, with the token (and any webhook secret) never spelled out."""
    for secret in (settings.telegram.token, settings.telegram.webhook_secret):
        if secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), "<token>")
    return " ".join(text.split())


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _server(base_url: str) -> str:
    """``https://api.telegram.org``: where the Bot API is, without the path."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else base_url


def _rejected(exc: InvalidToken, settings: Settings) -> str:
    """What a 401 or 404 from the Bot API at start-up means, and what to do about it."""
    answers = " ".join(str(e) for e in _causes(exc))
    token = settings.telegram.token.get_secret_value()
    base_url = settings.telegram.base_url
    if "Not Found" in answers or "404" in answers:
        if base_url == DEFAULT_BASE_URL or not TOKEN_SHAPE.fullmatch(token):
            return (
                "Telegram answered 404 Not Found: the bot token is malformed. A token from "
                "@BotFather looks like 123456789:AAE...; copy it again into telegram.token or "
                "COPRODUCE_TELEGRAM__TOKEN"
            )
        return (
            f"the Bot API address is wrong: {base_url} answered 404 Not Found. Check "
            f"telegram.base_url in the config (for Telegram it is {DEFAULT_BASE_URL}, "
            "with the token left off) or remove it to use Telegram's"
        )
    return (
        "Telegram rejected the bot token (401 Unauthorized): it is mistyped or has been "
        "revoked. In Telegram, @BotFather's /mybots shows your bot's current token; put it in "
        "telegram.token or COPRODUCE_TELEGRAM__TOKEN"
    )


def _bad_address(exc: NetworkError) -> bool:
    """Whether the error comes from a base_url that is not a usable address at all."""
    return any(isinstance(e, httpx.UnsupportedProtocol | httpx.InvalidURL) for e in _causes(exc))


def _why_unreachable(exc: NetworkError, settings: Settings) -> str:
    for cause in _causes(exc):
        if isinstance(cause, httpx.TimeoutException):
            return "it did not answer in time"
        if isinstance(cause, httpx.HTTPError) and str(cause):
            return _redacted(str(cause), settings)
    return _redacted(exc.message, settings)[:200]


async def _start_bot(settings: Settings, stack: AsyncExitStack, retry_for: float) -> None:
    """Enter ``running_bot``, retrying while the Bot API cannot be reached.

    Raises :class:`StartupFailure` with one line for a rejected token, a wrong address,
    an unexpected answer, or no connection after ``retry_for`` seconds.
    """
    telegram = settings.telegram
    server = _redacted(_server(telegram.base_url), settings)
    loop = asyncio.get_running_loop()
    deadline: float | None = None  # the retry window opens when the first attempt fails
    delay = FIRST_RETRY_SECONDS
    attempt = 1
    while True:
        try:
            # A wrong address answers with a web page, not JSON: reported below, in one line.
            with records_dropped(PTB_REQUEST_LOGGER, "Can not load invalid JSON data"):
                await stack.enter_async_context(running_bot(settings))
            return
        except InvalidToken as exc:
            raise StartupFailure(_rejected(exc, settings)) from None
        except BadRequest as exc:  # a NetworkError, but retrying will not help
            raise StartupFailure(
                f"the Bot API at {server} refused the bot's start-up request "
                f"({_redacted(exc.message, settings)[:200]}); check telegram.base_url"
            ) from None
        except NetworkError as exc:
            if _bad_address(exc):
                raise StartupFailure(
                    f"the Bot API address is wrong: telegram.base_url "
                    f"{_redacted(telegram.base_url, settings)!r} is not a web address; for "
                    f"Telegram it is {DEFAULT_BASE_URL}"
                ) from None
            why = _why_unreachable(exc, settings)
            if deadline is None:
                deadline = loop.time() + retry_for
            remaining = deadline - loop.time()
            if remaining <= 0:
                tried = f", tried for {retry_for:g} seconds" if retry_for > 0 else ""
                raise StartupFailure(
                    f"cannot reach the Telegram Bot API at {server} ({why}){tried}: check "
                    "this machine's internet connection, firewall or proxy, and "
                    "telegram.base_url; then start it again"
                ) from None
            if attempt == 1:
                print(
                    f"coproduce: cannot reach the Telegram Bot API at {server} ({why}); "
                    f"trying again for up to {retry_for:g} seconds (Ctrl-C to stop)",
                    file=sys.stderr,
                    flush=True,
                )
            wait = round(min(delay, remaining), 1)
            log_event(
                logger, "bot_api_unreachable", logging.WARNING, attempt=attempt, retry_in=wait
            )
            await asyncio.sleep(wait)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)
            attempt += 1
        except TelegramError as exc:
            raise StartupFailure(
                f"the Bot API at {server} gave an answer the bot does not understand "
                f"({_redacted(exc.message, settings)[:200]}); check telegram.base_url"
            ) from None


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot against Telegram until SIGINT or SIGTERM."""
    if not settings.telegram.token.get_secret_value():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE

    async def serve() -> None:
        async with AsyncExitStack() as stack:
            await _start_bot(settings, stack, args.retry_for)
            await until_signalled()

    try:
        asyncio.run(serve())
    except StartupFailure as exc:
        return _fail(_redacted(str(exc), settings))
    return 0


def _this_command(args: argparse.Namespace) -> str:
    """How the person started us, to suggest the same command with another option."""
    program = sys.argv[0] if Path(sys.argv[0]).name == "coproduce" else "coproduce"
    config = getattr(args, "config", None)
    return f"{program} --config {config}" if config is not None else program


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot against the embedded simulator, with a web chat page."""
    from bot.simulator.demo import NotDemoData, reset_demo, run_demo

    if args.reset:
        try:
            deleted = reset_demo(settings, args.data_dir)
        except NotDemoData as exc:
            return _fail(str(exc))
        if deleted:
            print(f"coproduce demo: starting afresh: deleted {deleted}", flush=True)
    port = settings.simulator.port if args.port is None else args.port
    data_dir = "" if args.data_dir == DEMO_DATA_DIR else f" --data-dir {args.data_dir}"
    try:
        asyncio.run(
            run_demo(
                settings,
                data_dir=args.data_dir,
                port=port,
                afresh=f"{_this_command(args)} demo{data_dir} --reset",
            )
        )
    except OSError as exc:
        return _fail(f"cannot start the simulator on port {port}: {exc.strerror}; try --port")
    return 0


def cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    """Validate the config and summarise what it sets up."""
    programme = settings.programme
    token = "set" if settings.telegram.token.get_secret_value() else "not set"
    print(
        f"config OK: {len(programme.areas)} area(s), {len(programme.sectors)} sector(s), "
        f"{len(programme.themes)} theme(s), {len(programme.survey.items)} survey item(s), "
        f"{len(settings.admins)} admin(s); token {token}; database {settings.storage.path}"
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Bring the database schema up to date."""

    async def migrate() -> None:
        database = await Database.open(settings.storage.path, migrate=False)
        try:
            applied = await database.migrate()
            version = await database.schema_version()
        finally:
            await database.close()
        for migration in applied:
            print(f"applied migration {migration.version:04d} {migration.name}")
        print(f"database {settings.storage.path} is at schema version {version}")

    asyncio.run(migrate())
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Copy the database to PATH, safely while the bot is running."""
    target: Path = args.path
    if target.exists():
        return _fail(f"{target} already exists; choose a new file name")

    def report(status: int, remaining: int, total: int) -> None:
        print(f"backup: {total - remaining} of {total} pages copied", file=sys.stderr)

    async def backup() -> None:
        database = await Database.open(settings.storage.path, migrate=False)
        try:
            await database.backup(target, progress=report)
        finally:
            await database.close()

    asyncio.run(backup())
    print(f"backed up {settings.storage.path} to {target}")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Export the data to a file (as /export does), made readable by its owner only."""
    from bot.core import Core
    from bot.features.exports import service

    target: Path = args.out
    if target.exists():
        return _fail(f"{target} already exists; choose a new file name")
    if not settings.storage.path.exists():
        return _fail(f"there is no database at {settings.storage.path}; check storage.path")
    try:
        request = service.ExportRequest(
            what=args.what,
            format=args.format,
            area=args.area,
            since=service.parse_request([f"since={args.since}"]).since if args.since else None,
            event=args.event,
            contacts=args.contacts,
        )
    except service.ExportProblem as problem:
        return _fail(problem.message.split("\n")[0])

    async def export() -> service.Exported:
        database = await Database.open(settings.storage.path)
        try:
            core = Core.open(settings, database)
            plan = await service.plan(core, service.CLI_ACTOR, request)
            with tempfile.TemporaryDirectory(prefix="coproduce-export-") as directory:
                exported = await service.export(core, plan, Path(directory))
                service.deliver_to(exported.files, target)
            return exported
        finally:
            await database.close()

    try:
        exported = asyncio.run(export())
    except service.ExportProblem as problem:
        return _fail(problem.message.split("\n")[0])
    print(f"{exported.summary()}\nwritten to {target} (audited as actor 0, via cli)")
    return 0


def cmd_tag(settings: Settings, args: argparse.Namespace) -> int:
    """Tag each line of standard input with its themes (highest first, separated by tabs)."""
    from bot.theme_tagging import tagger_for
    from conversations.themes import NO_THEME

    tagger = tagger_for(settings.programme)
    for line in sys.stdin:
        print("\t".join(tagger.tag(line.rstrip("\n"))) or NO_THEME, flush=True)
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": cmd_run,
    "demo": cmd_demo,
    "check-config": cmd_check_config,
    "migrate": cmd_migrate,
    "backup": cmd_backup,
    "export": cmd_export,
    "tag": cmd_tag,
}


class Argument:
    """One option of a command, as ``ArgumentParser.add_argument`` takes it."""

    def __init__(self, *flags: str, **options: Any) -> None:
        self.flags = flags
        self.options = options


# Each command's own options, every one with a one-line help; every command takes --config.
ARGUMENTS: dict[str, tuple[Argument, ...]] = {
    "run": (
        Argument(
            "--retry-for",
            type=float,
            default=RETRY_FOR_SECONDS,
            metavar="SECONDS",
            help="how long to keep trying if Telegram cannot be reached at start-up "
            f"(default: {RETRY_FOR_SECONDS:g})",
        ),
    ),
    "demo": (
        Argument("--port", type=int, default=None, help="web page port (default: config)"),
        Argument(
            "--data-dir",
            type=Path,
            default=DEMO_DATA_DIR,
            metavar="DIR",
            help=f"where the demo database lives (default: {DEMO_DATA_DIR})",
        ),
        Argument(
            "--reset", action="store_true", help="start afresh: delete the demo's database first"
        ),
    ),
    "backup": (Argument("path", type=Path, metavar="PATH", help="new file to write"),),
    "export": (
        Argument(
            "--what",
            choices=["all", "needs", "challenges", "surveys", "participants"],
            default="all",
            help="which data (default: all)",
        ),
        Argument(
            "--format",
            choices=["xlsx", "csv", "json"],
            default="xlsx",
            help="file format (default: xlsx); csv writes a zip of one CSV per sheet",
        ),
        Argument("--out", type=Path, required=True, metavar="FILE", help="new file to write"),
        Argument("--area", default=None, metavar="KEY", help="one area only"),
        Argument("--since", default=None, metavar="YYYY-MM-DD", help="rows from this date on"),
        Argument("--event", default=None, metavar="CODE", help="attendees of this event only"),
        Argument("--contacts", action="store_true", help="add names and Telegram ids (audited)"),
    ),
}

CONFIG_HELP = "TOML config file (default: config.toml, else config.example.toml)"


def _parser() -> argparse.ArgumentParser:
    # --config goes before or after the command; SUPPRESS keeps one from hiding the other.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, metavar="FILE", help=CONFIG_HELP
    )
    parser = argparse.ArgumentParser(
        prog="coproduce",
        description="A Telegram bot for co-producing children's centre services.",
        parents=[config],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, function in COMMANDS.items():
        summary = (function.__doc__ or "").strip().splitlines()[0]
        command = commands.add_parser(name, help=summary, description=summary, parents=[config])
        for argument in ARGUMENTS.get(name, ()):
            command.add_argument(*argument.flags, **argument.options)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coproduce`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings, warnings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"coproduce: config error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    for warning in warnings:
        print(f"coproduce: warning: {warning}", file=sys.stderr)
    configure_logging(settings.log_level, secret=settings.telegram.token.get_secret_value())
    try:
        return COMMANDS[args.command](settings, args)
    except SchemaTooNewError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
