"""``coproduce demo``: the unmodified bot against the embedded simulator, with a web chat."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from pydantic import SecretStr

from bot.app import running_bot, until_signalled
from bot.config import Settings
from bot.simulator import BotApiEmulator, Persona

DEMO_TOKEN = "123456789:coproduce-demo-token"
DEMO_DATABASE = "coproduce-demo.sqlite3"
# SQLite's companions of a database file, deleted with it.
_COMPANIONS = ("-wal", "-shm", "-journal")


class NotDemoData(Exception):
    """``--reset`` found something at the demo's path that it will not delete."""


def demo_database(data_dir: Path) -> Path:
    """Where the demo keeps its database."""
    return data_dir / DEMO_DATABASE


def _is_coproduce_database(path: Path) -> bool:
    """Whether ``path`` is an SQLite file with coproduce's migrations table, read-only."""
    try:
        with path.open("rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                return False
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
    except (OSError, sqlite3.Error):
        return False
    return found is not None


def reset_demo(settings: Settings, data_dir: Path) -> Path | None:
    """Delete the demo's database under ``data_dir``, once sure it is the demo's.

    Returns the file deleted, or None when there was none. Raises :class:`NotDemoData`,
    deleting nothing, if the file is the bot's own database (``storage.path``) or is not a
    coproduce database at all.
    """
    database = demo_database(data_dir)
    if not database.exists():
        return None
    if database.resolve() == settings.storage.path.resolve():
        raise NotDemoData(
            f"{database} is the bot's own database (storage.path), not the demo's: "
            "not deleting it; give the demo another --data-dir"
        )
    if not database.is_file() or not _is_coproduce_database(database):
        raise NotDemoData(
            f"{database} is not a coproduce demo database: not deleting it; "
            "move it away or give the demo another --data-dir"
        )
    for companion in _COMPANIONS:
        database.with_name(database.name + companion).unlink(missing_ok=True)
    database.unlink()
    return database


def demo_settings(settings: Settings, emulator: BotApiEmulator, data_dir: Path) -> Settings:
    """``settings`` pointed at the simulator, with the database under ``data_dir``."""
    telegram = settings.telegram.model_copy(
        update={
            "token": SecretStr(DEMO_TOKEN),
            "base_url": emulator.api_base_url,
            "base_file_url": emulator.file_base_url,
            "mode": "polling",
        }
    )
    storage = settings.storage.model_copy(update={"path": demo_database(data_dir)})
    return settings.model_copy(update={"telegram": telegram, "storage": storage})


def personas_of(settings: Settings) -> list[Persona]:
    """The simulator's personas as the config describes them."""
    return [Persona(**persona.model_dump()) for persona in settings.simulator.personas]


async def run_demo(
    settings: Settings, *, data_dir: Path, port: int, afresh: str = "coproduce demo --reset"
) -> None:
    """Serve the simulator on ``port`` and run the bot against it until Ctrl-C.

    ``afresh`` is the command that starts the demo again with none of this run's data.
    """
    emulator = BotApiEmulator(DEMO_TOKEN, port=port, personas=personas_of(settings))
    await emulator.start()
    try:
        async with running_bot(demo_settings(settings, emulator, data_dir)):
            print(f"coproduce demo is running: open {emulator.url}/ in your browser.", flush=True)
            print("Pick a persona at the top of the page. Press Ctrl-C here to stop.", flush=True)
            print(
                f"What you do is kept in {demo_database(data_dir)}; to start afresh, stop it "
                f"and run: {afresh}",
                flush=True,
            )
            await until_signalled()
    finally:
        await emulator.stop()
    print("coproduce demo stopped.")
