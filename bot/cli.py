"""The ``coproduce`` command: run the bot, try it in the simulator, look after the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.app import running_bot, until_signalled
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from storage.database import Database, SchemaTooNewError

EXIT_USAGE = 2

NO_TOKEN = (
    "coproduce: no Telegram bot token. Create a bot with @BotFather in Telegram "
    "(https://t.me/BotFather), then put its token in telegram.token in your config file or in "
    "the COPRODUCE_TELEGRAM__TOKEN environment variable. To try the bot without a token, "
    "run `make demo`."
)


def _fail(message: str) -> int:
    print(f"coproduce: {message}", file=sys.stderr)
    return EXIT_USAGE


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot against Telegram until SIGINT or SIGTERM."""
    if not settings.telegram.token.get_secret_value():
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE

    async def serve() -> None:
        async with running_bot(settings):
            await until_signalled()

    asyncio.run(serve())
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot against the embedded simulator, with a web chat page."""
    from bot.simulator.demo import run_demo

    port = settings.simulator.port if args.port is None else args.port
    try:
        asyncio.run(run_demo(settings, data_dir=args.data_dir, port=port))
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


def cmd_tag(settings: Settings, args: argparse.Namespace) -> int:
    """Tag each line of standard input with its themes (highest first, tab-separated)."""
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
    "tag": cmd_tag,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coproduce",
        description="A Telegram bot for co-producing children's centre services.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="TOML config file (default: config.toml, else config.example.toml)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, function in COMMANDS.items():
        commands.add_parser(name, help=(function.__doc__ or "").strip().splitlines()[0])
    demo = commands.choices["demo"]
    demo.add_argument("--port", type=int, default=None, help="web page port (default: config)")
    demo.add_argument(
        "--data-dir", type=Path, default=Path("demo-data"), help="where the demo database lives"
    )
    commands.choices["backup"].add_argument("path", type=Path, help="new file to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coproduce`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings, warnings = load_settings(args.config)
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
