"""One SQLite database file: the connection, its pragmas, transactions, migrations, backup.

All SQL of the project lives in ``storage/``; this module owns the connection and the schema,
the repositories beside it own their queries.

Public surface: :class:`Database` (``open``, ``transaction``, ``unit_of_work``, ``finish``,
``run``, ``later``, ``flush_later``, ``checkpoint``, ``migrate``, ``backup``, ``close``),
:class:`UnitOfWork`, :data:`Rider`, :class:`Writes`, :func:`fetch_one`,
:class:`SchemaTooNewError`.

aiosqlite runs each call on its own thread, and every hand-over to it costs more than a simple
statement: a read is one call (:func:`fetch_one`, or ``execute_fetchall``; a cursor costs three),
a transaction's riders run in one call with its release, and a store whose statements need
no awaiting in between runs them in one call (:meth:`Database.run`).

One update, one transaction: the bot handles each update inside :meth:`Database.unit_of_work`
with *riders* (the inbox's "handled" mark, the person's activity stamp). The first transaction
the update commits carries them, so what the update changed and the mark that it was handled
land together; an update that writes nothing commits just its riders in :meth:`Database.finish`.
Transactions nest: a store's ``transaction()`` inside a flow's joins the flow's.

Group commit: concurrent people's transactions share one SQLite transaction and its fsync,
each in its own savepoint (a failure undoes only its own), and each returns only once the
shared commit is on disk. So every answer is durable before it is acknowledged, at a fraction
of a commit each when many people write at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

BUSY_TIMEOUT_MS = 5000
# SQLite skips its busy timeout in some cases (another process opening, closing or
# checkpointing the WAL): starting a write transaction is tried again this many times.
BEGIN_ATTEMPTS = 8

Parameters = Sequence[object] | Mapping[str, object]
T = TypeVar("T")


class Writes:
    """Statements riders add to a transaction, run together just before it is released."""

    def __init__(self) -> None:
        self._statements: list[Callable[[sqlite3.Connection], object]] = []

    def execute(self, sql: str, parameters: Parameters = ()) -> None:
        self._statements.append(lambda connection: connection.execute(sql, parameters))

    def executemany(self, sql: str, rows: Sequence[Parameters]) -> None:
        self._statements.append(lambda connection: connection.executemany(sql, rows))

    def run(self, connection: sqlite3.Connection) -> None:
        """Execute them in order (on the database's thread)."""
        for statement in self._statements:
            statement(connection)


Rider = Callable[[Writes], None]
"""A write that rides along in another transaction: it adds its statements just before that
one is released (called on the event loop; the statements run on the database's thread)."""


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, parameters: Parameters = ()
) -> aiosqlite.Row | None:
    """The query's first row, or None: one hand-over to the database's thread. (A plain tuple
    on a connection with no row factory, such as an export's snapshot.)"""
    rows = await connection.execute_fetchall(sql, parameters)
    return next(iter(rows), None)


class UnitOfWork:
    """The writes of one update: its riders go into the first transaction it commits."""

    def __init__(self, riders: Sequence[Rider]) -> None:
        self.riders = list(riders)

    @property
    def committed(self) -> bool:
        """Whether the riders have landed."""
        return not self.riders


_UNIT: ContextVar[UnitOfWork | None] = ContextVar("coproduce_unit_of_work", default=None)


class SchemaTooNewError(Exception):
    """The database was written by a newer coproduce than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The numbered ``NNNN_name.sql`` files shipped in ``storage/migrations``, in order."""
    migrations = []
    for entry in resources.files("storage.migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            migrations.append(
                Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8"))
            )
    migrations.sort(key=lambda m: m.version)
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return migrations


def _create_private_file(path: Path, *, must_be_new: bool = False) -> None:
    """Create the file readable by its owner only, before SQLite opens it.

    An existing file is left as it is, unless ``must_be_new`` (then FileExistsError).
    """
    os.makedirs(path.parent, exist_ok=True)
    flags = os.O_CREAT | os.O_WRONLY | (os.O_EXCL if must_be_new else 0)
    os.close(os.open(path, flags, 0o600))


class Database:
    """The open database. Writes go through :meth:`transaction`, one at a time."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self._write_lock = asyncio.Lock()
        self._writer: asyncio.Task[object] | None = None
        self._later: list[Rider] = []
        self._queued = 0  # tasks waiting for the write lock: they join the open group
        self._group: asyncio.Future[None] | None = None  # the shared transaction, once begun
        self.commits = 0  # transactions committed since opening (the benchmarks count them)
        self.checkpoint_owed = False  # a checkpoint a reader held back: erased text in the WAL

    @classmethod
    async def open(cls, path: Path, *, migrate: bool = True) -> Database:
        """Open (creating with mode 0600) and, unless told otherwise, migrate the database."""
        _create_private_file(path)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # FULL, not WAL's usual NORMAL: every answer a participant gives must survive a power
        # cut, and the bot writes at the pace people type, so the extra fsync costs nothing.
        await connection.execute("PRAGMA synchronous = FULL")
        # Erased text is overwritten, not left in free pages (nor, after a checkpoint, the WAL).
        await connection.execute("PRAGMA secure_delete = ON")
        database = cls(connection, path)
        try:
            if migrate:
                await database.migrate()
            else:
                await database.check_schema_version()
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        """Write what waits in :meth:`later`, then close."""
        await self.flush_later()
        async with self._write_lock:
            await self._commit_group()
        await self.connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run the block as one unit that lands whole or not at all, and return once it is
        committed (on disk: ``synchronous=FULL``).

        Inside another transaction of the same task, the block joins it. The outermost one
        also runs the writes waiting in :meth:`later` and the current unit of work's riders.
        Group commit: blocks of different tasks run one at a time, each in its own savepoint of
        one shared ``BEGIN IMMEDIATE`` transaction, committed (one fsync) by the last block of
        those queued together; each task returns only after that commit. A block that fails is
        rolled back to its savepoint alone: the others' work still commits.
        """
        task = asyncio.current_task()
        if task is not None and self._writer is task:
            yield self.connection
            return
        self._queued += 1
        try:
            await self._write_lock.acquire()
        finally:
            self._queued -= 1
        try:
            self._writer = task
            group = await self._enter_block()
            later, self._later = self._later, []
            unit = _UNIT.get()
            try:
                yield self.connection
                writes = Writes()
                for rider in (*later, *(unit.riders if unit else ())):
                    rider(writes)
                writes.execute("RELEASE unit")
                await self.run(writes.run)
            except BaseException:
                self._later[:0] = later
                await self._undo_unit()
                if not self._queued:  # nobody will come to commit the group: end it now
                    with contextlib.suppress(sqlite3.Error):  # its members are told by it
                        await self._commit_group()
                raise
            if not self._queued:  # nobody else to join this group: commit it now
                await self._commit_group()
        finally:
            self._writer = None
            self._write_lock.release()
        await self._committed(group)
        if unit is not None:
            unit.riders.clear()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` (plain sqlite3 statements) on aiosqlite's thread: one hand-over for
        several statements (aiosqlite has no public call for this). Only inside
        :meth:`transaction` (of this task): outside, a write would join another's."""
        if self._writer is None or self._writer is not asyncio.current_task():
            raise RuntimeError("Database.run is for the statements of a transaction")
        hand_over = cast(Callable[[Callable[[], T]], Awaitable[T]], self.connection._execute)
        connection = self.connection._conn
        return await hand_over(lambda: work(connection))

    async def _enter_block(self) -> asyncio.Future[None]:
        """The block's savepoint in the shared transaction, begun first if none is open (one
        hand-over either way); the group it joined."""
        if self._group is None:
            await self._begin()
            self._group = asyncio.get_running_loop().create_future()
        else:
            await self.connection.execute("SAVEPOINT unit")
        return self._group

    async def _undo_unit(self) -> None:
        """Roll back the failed block alone; if SQLite already undid more, the group fails."""
        try:
            await self.connection.execute("ROLLBACK TO unit")
            await self.connection.execute("RELEASE unit")
        except sqlite3.Error as error:
            await self._abandon_group(error)

    async def _commit_group(self) -> None:
        """Commit the open group, if any (with the write lock held), and tell its members."""
        group, self._group = self._group, None
        if group is None:
            return
        try:
            await self.connection.execute("COMMIT")
        except BaseException as error:
            # A failed COMMIT (disk full): never leave the connection mid-way.
            self._group = group
            await self._abandon_group(error)
            raise
        self.commits += 1
        group.set_result(None)

    async def _abandon_group(self, error: BaseException) -> None:
        """Roll the whole group back: every block in it fails with ``error``."""
        group, self._group = self._group, None
        if self.connection.in_transaction:
            await self.connection.execute("ROLLBACK")
        if group is not None and not group.done():
            if isinstance(error, Exception):
                group.set_exception(error)
            else:
                group.cancel()

    async def _committed(self, group: asyncio.Future[None]) -> None:
        """Wait for the group to be committed; if nobody else did, commit it now."""
        if not group.done():
            async with self._write_lock:
                if not group.done() and self._group is group:
                    await self._commit_group()
        await group

    async def _begin(self) -> None:
        """``BEGIN IMMEDIATE`` and the first block's savepoint."""
        for attempt in range(BEGIN_ATTEMPTS):
            try:
                await self.run(_begin_with_savepoint)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == BEGIN_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.01 * 2**attempt)

    @contextmanager
    def unit_of_work(self, riders: Sequence[Rider]) -> Iterator[UnitOfWork]:
        """Handle one update: its first committed transaction carries ``riders``."""
        unit = UnitOfWork(riders)
        token = _UNIT.set(unit)
        try:
            yield unit
        finally:
            _UNIT.reset(token)

    async def finish(self, unit: UnitOfWork) -> None:
        """Commit the riders of an update that wrote nothing itself."""
        if unit.committed:
            return
        token = _UNIT.set(unit)
        try:
            async with self.transaction():
                pass
        finally:
            _UNIT.reset(token)

    def later(self, rider: Rider) -> None:
        """A write that may wait for the next transaction (bookkeeping a crash may lose)."""
        self._later.append(rider)

    async def flush_later(self) -> None:
        """Commit the writes waiting in :meth:`later` now, if there are any."""
        if self._later:
            async with self.transaction():
                pass

    async def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it: erased text leaves both.

        A reader on another connection (an export's snapshot) may still need part of the WAL:
        rather than stall every writer until it ends, this gives up at once and returns False,
        and :attr:`checkpoint_owed` stays set until a later call (the scheduler tick's) succeeds.
        """
        async with self._write_lock:
            await self._commit_group()
            await self.connection.execute("PRAGMA busy_timeout = 0")
            try:
                row = await fetch_one(self.connection, "PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.checkpoint_owed = row is None or row[0] != 0
        return not self.checkpoint_owed

    async def schema_version(self) -> int:
        """The newest migration applied, 0 for a new database."""
        await self.connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        row = await fetch_one(
            self.connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
        )
        return int(row[0]) if row else 0

    async def check_schema_version(self) -> int:
        """Refuse a database written by a newer schema than this code knows."""
        current = await self.schema_version()
        known = len(bundled_migrations())
        if current > known:
            raise SchemaTooNewError(
                f"{self.path}: database schema version {current} is newer than this coproduce "
                f"(which knows up to {known}); upgrade coproduce or use another database file"
            )
        return current

    async def migrate(self) -> list[Migration]:
        """Apply pending migrations, each in its own transaction; return those applied."""
        current = await self.check_schema_version()
        applied = []
        for migration in bundled_migrations():
            if migration.version <= current:
                continue
            async with self.transaction() as connection:
                for statement in _statements(migration.sql):
                    await connection.execute(statement)
                await connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    (migration.version, migration.name),
                )
            applied.append(migration)
        return applied

    async def backup(
        self, target: Path, progress: Callable[[int, int, int], None] | None = None
    ) -> None:
        """Copy the live database to ``target`` with SQLite's online backup API.

        One step under the write lock: a consistent snapshot even while other processes write
        (a stepwise copy restarts whenever they do), and never across our own open transaction.
        """
        _create_private_file(target, must_be_new=True)
        destination = sqlite3.connect(target, check_same_thread=False)
        try:
            async with self._write_lock:
                await self._commit_group()
                await self.connection.backup(destination, pages=0, progress=progress)
        finally:
            destination.close()


def _begin_with_savepoint(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("SAVEPOINT unit")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements, so they run inside our transaction.

    ``executescript`` would commit first, which is exactly what a migration must not do.
    """
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    leftover = [line for line in pending.splitlines() if not line.strip().startswith("--")]
    if "".join(leftover).strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")
    return statements
