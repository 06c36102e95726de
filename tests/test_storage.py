"""The database: pragmas, private file, migrations, refusing newer schemas, online backup."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot.cli import main
from storage import database as database_module
from storage.database import (
    Database,
    Migration,
    SchemaTooNewError,
    bundled_migrations,
    fetch_one,
)


async def test_new_database_is_private_and_durable(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    database = await Database.open(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        pragmas = {}
        for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
            async with database.connection.execute(f"PRAGMA {name}") as cursor:
                row = await cursor.fetchone()
                assert row is not None
                pragmas[name] = row[0]
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "synchronous": 2,  # FULL
        }
    finally:
        await database.close()


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path, migrate=False)
    try:
        applied = await database.migrate()
        assert [m.version for m in applied] == [m.version for m in bundled_migrations()]
        assert await database.migrate() == []
        assert await database.schema_version() == bundled_migrations()[-1].version
    finally:
        await database.close()
    with sqlite3.connect(path) as connection:
        recorded = connection.execute("SELECT version, name FROM schema_migrations").fetchall()
    assert recorded == [(m.version, m.name) for m in bundled_migrations()]


async def test_a_failing_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = bundled_migrations()
    broken = Migration(
        good[-1].version + 1,
        "broken",
        "CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    monkeypatch.setattr(database_module, "bundled_migrations", lambda: [*good, broken])
    database = await Database.open(tmp_path / "bot.sqlite3", migrate=False)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await database.migrate()
        assert await database.schema_version() == good[-1].version
        async with database.connection.execute(
            "SELECT name FROM sqlite_master WHERE name = 'half_done'"
        ) as cursor:
            assert await cursor.fetchall() == []
    finally:
        await database.close()


def _stamp_future_version(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO schema_migrations VALUES (999, 'from_the_future', '2030-01-01')"
        )


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await Database.open(path)).close()
    _stamp_future_version(path)
    with pytest.raises(SchemaTooNewError, match="schema version 999 is newer than this"):
        await Database.open(path)


def test_a_newer_database_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("COPRODUCE_STORAGE__PATH", str(path))
    config = tmp_path / "config.toml"
    config.write_text("")
    assert main(["--config", str(config), "migrate"]) == 0
    _stamp_future_version(path)
    capsys.readouterr()
    assert main(["--config", str(config), "migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "newer than this coproduce" in err
    assert "Traceback" not in err


async def test_backup_is_consistent_while_writes_go_on(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite3")
    target = tmp_path / "backup.sqlite3"
    try:
        async with database.transaction() as connection:
            await connection.execute("CREATE TABLE numbers (n INTEGER)")
            await connection.executemany(
                "INSERT INTO numbers VALUES (?)", [(n,) for n in range(5000)]
            )

        async def keep_writing() -> None:
            for n in range(50):
                async with database.transaction() as connection:
                    await connection.execute("INSERT INTO numbers VALUES (?)", (10_000 + n,))

        await asyncio.gather(keep_writing(), database.backup(target))
        with pytest.raises(FileExistsError):
            await database.backup(target)
    finally:
        await database.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = copy.execute("SELECT COUNT(*) FROM numbers").fetchone()
    assert 5000 <= count <= 5050


def test_backup_command_copies_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COPRODUCE_STORAGE__PATH", str(tmp_path / "bot.sqlite3"))
    config = tmp_path / "config.toml"
    config.write_text("")
    assert main(["--config", str(config), "migrate"]) == 0
    assert main(["--config", str(config), "backup", str(tmp_path / "copy.sqlite3")]) == 0
    assert "pages copied" in capsys.readouterr().err
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (
            bundled_migrations()[-1].version,
        )
    assert main(["--config", str(config), "backup", str(tmp_path / "copy.sqlite3")]) == 2
    assert "already exists" in capsys.readouterr().err


def test_statements_split_on_real_ends_only() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (note TEXT DEFAULT 'a;b');\n"
        "INSERT INTO t VALUES ('x;y');\n"
        "-- trailing comment\n"
    )
    statements = database_module._statements(script)
    assert len(statements) == 2
    assert statements[1] == "INSERT INTO t VALUES ('x;y');"
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        database_module._statements("CREATE TABLE t (x INTEGER)")


async def test_concurrent_transactions_share_a_commit_and_a_failure_stays_its_own(
    tmp_path: Path,
) -> None:
    """Group commit: people writing at once share one commit; one failing block undoes only
    itself, and each block's work is on disk (seen by another connection) once it returns."""
    path = tmp_path / "bot.sqlite3"
    database = await Database.open(path)
    await database.connection.execute("CREATE TABLE answers (person INTEGER)")
    committed: list[int] = []

    async def answer(person: int) -> None:
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO answers VALUES (?)", (person,))
            if person == 3:
                raise ValueError("this person's handler failed")
        with sqlite3.connect(path) as other:
            stored = {row[0] for row in other.execute("SELECT person FROM answers")}
        assert person in stored  # durable before the caller goes on
        committed.append(person)

    try:
        before = database.commits
        results = await asyncio.gather(*(answer(n) for n in range(8)), return_exceptions=True)
        assert [type(r).__name__ for r in results].count("ValueError") == 1
        assert sorted(committed) == [0, 1, 2, 4, 5, 6, 7]
        assert database.commits - before < 7
    finally:
        await database.close()
    with sqlite3.connect(path) as connection:
        stored = sorted(row[0] for row in connection.execute("SELECT person FROM answers"))
    assert stored == [0, 1, 2, 4, 5, 6, 7]


async def write_then_fail(database: Database) -> None:
    async with database.transaction() as connection:
        await connection.execute("INSERT INTO digest_state VALUES ('lost', 'x')")
        raise RuntimeError("the handler failed")


async def test_a_lone_failed_write_leaves_no_transaction_open(tmp_path: Path) -> None:
    """With nobody else writing, a failed block must not keep SQLite's write lock: another
    process (``coproduce export``, ``migrate``) can write at once."""
    path = tmp_path / "lone.sqlite3"
    database = await Database.open(path)
    with pytest.raises(RuntimeError):
        await write_then_fail(database)
    assert not database.connection.in_transaction
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        assert other.execute(
            "SELECT COUNT(*) FROM digest_state WHERE key = 'lost'"
        ).fetchone() == (0,)
    finally:
        other.close()
    await database.close()


async def test_a_checkpoint_a_reader_holds_back_is_owed_not_waited_for(tmp_path: Path) -> None:
    """An export's snapshot keeps part of the WAL: the checkpoint gives up at once (no writer
    stalls behind it) and is owed until a later one succeeds."""
    path = tmp_path / "checkpoint.sqlite3"
    database = await Database.open(path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM digest_state").fetchone()  # the snapshot begins
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO digest_state VALUES ('erased', 'text')")
        async with asyncio.timeout(1):
            assert await database.checkpoint() is False
        assert database.checkpoint_owed
        reader.execute("COMMIT")
        assert await database.checkpoint() is True
        assert not database.checkpoint_owed
        assert (path.parent / (path.name + "-wal")).stat().st_size == 0
    finally:
        reader.close()
    await database.close()


async def test_run_takes_a_transactions_statements_to_the_database_thread(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "run.sqlite3")
    try:
        with pytest.raises(RuntimeError, match="statements of a transaction"):
            await database.run(lambda connection: connection.execute("SELECT 1"))
        async with database.transaction():
            thread, rows = await database.run(
                lambda connection: (
                    threading.get_ident(),
                    connection.execute(
                        "INSERT INTO audit_log (actor_id, action, details,"
                        " created_at) VALUES (1, 'test', '{}', 'now') RETURNING id"
                    ).fetchall(),
                )
            )
        assert thread != threading.get_ident()  # aiosqlite's, not the event loop's
        assert len(rows) == 1
        count = await fetch_one(database.connection, "SELECT COUNT(*) FROM audit_log")
        assert count is not None
        assert count[0] == 1
    finally:
        await database.close()
