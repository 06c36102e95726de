"""Reports over a big programme: a generated database, one timed function per report, and
the query plans of what each report asked SQLite.

The data is written straight into SQLite (the schema the migrations build), spread over a
year: ``NEEDS`` needs by ``NEEDS // 5`` people, each with a before and an after survey, and a
challenge answer for every tenth need, and each person's way through the sign-up, need and
survey forms (most finish, some stop at a random step) for the funnel. Each size runs in its own
process (``python -m benchmarks.reports NEEDS``) so its peak RSS is its own. A report is a
function in :data:`REPORTS`, calling the feature's service as its handler does, as an admin.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Area, Commissioner, Programme, Settings, StorageSettings
from bot.core import Core
from bot.features.digests import service as digests
from bot.features.exports import service as exports
from bot.features.stats import service as stats
from bot.handlers import FEATURES
from bot.roles import Role
from conversations.forms import Form
from storage.database import Database
from storage.progress import AT_SUMMARY

__all__ = ["LARGEST_NEEDS", "REPORTS", "ReportResult", "measure", "run_reports"]

AREAS = [
    Area(key=f"area_{n}", name=f"Area {n}", neighbourhoods=[f"Ward {n}a", f"Ward {n}b"])
    for n in range(10)
]
COMMISSIONERS = 50
FIRST_COMMISSIONER = 900_000
ADMIN = exports.Actor(800_000, "admin, Telegram user 800000", Role.ADMIN)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # a Monday, just after the digests' time
YEAR = timedelta(days=365)
SECTORS = ("vcs", "childrens_centre", "local_authority")


def settings_for(path: Path) -> Settings:
    """Ten areas; fifty commissioners, each covering one area, every fifth a second one."""
    commissioners = [
        Commissioner(
            user_id=FIRST_COMMISSIONER + n,
            areas=sorted({AREAS[n % 10].key, *([AREAS[(n + 1) % 10].key] if n % 5 == 0 else [])}),
        )
        for n in range(COMMISSIONERS)
    ]
    return Settings(
        storage=StorageSettings(path=path),
        admins=[ADMIN.user_id],
        commissioners=commissioners,
        programme=Programme(areas=AREAS),
        log_level="WARNING",
    )


def _random(seed: str, salt: int) -> str:
    """SQL for a pseudo-random integer in [0, 2**31) from the integer expression ``seed``: the
    same every run (SQLite's ``random()`` takes no seed), different for each ``salt``."""
    mixed = f"((({seed}) * 1103515245 + {salt * 7919 + 12345}) % 2147483648)"
    return f"(({mixed} * 1103515245 + 12345) % 2147483648)"


def _moment(seed: str, salt: int) -> str:
    """SQL for a time in the year before ``NOW``, as ``isoformat`` writes it."""
    seconds = int(YEAR.total_seconds())
    return (
        f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {int(NOW.timestamp())}"
        f" - {_random(seed, salt)} % {seconds}, 'unixepoch')"
    )


def _moment_in_order(number: str, count: str) -> str:
    """SQL for a time in the year before ``NOW``, later for a later ``number`` of ``count``,
    as ids grow with time (and the indexes on time are written in order, as the bot writes
    them)."""
    seconds = int(YEAR.total_seconds())
    return (
        f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {int(NOW.timestamp())}"
        f" - ({count} - {number}) * {seconds} / {count}, 'unixepoch')"
    )


_COUNT_TO = (
    "WITH RECURSIVE counted (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counted WHERE n < ?)"
)
_SECTOR_OF_USER = (
    "CASE user_id % 3 "
    + " ".join(f"WHEN {n} THEN '{key}'" for n, key in enumerate(SECTORS))
    + " END"
)


async def generate(database: Database, needs: int, forms: Sequence[Form]) -> None:
    """Fill the database: people, their needs, challenge answers, both surveys, and how far
    each got through ``forms`` (80 % finish; the rest stop at a random step).

    Written by SQLite itself from a counting query, in one transaction: a million needs take
    seconds, and none of it is held in this process (its peak RSS is the reports')."""
    people = max(needs // 5, 1)
    items = [(position, item.key) for position, item in enumerate(Programme().survey.items)]
    steps = [
        (form_number, position, step, len(keys))
        for form_number, form in enumerate(forms)
        for keys in [[*(step.key for step in form.steps), AT_SUMMARY]]
        for position, step in enumerate(keys, 1)
    ]
    names = [(form_number, form.name) for form_number, form in enumerate(forms)]
    person = f"{_COUNT_TO}, people (user_id) AS (SELECT n FROM counted)"
    async with database.transaction() as connection:
        await connection.execute(
            "INSERT INTO participants (user_id, name, organisation, sector, area,"
            " consent_version, consented_at, onboarded_at, last_active_at)"
            f" {person}, joined (user_id, at) AS (SELECT user_id, {_moment('user_id', 1)}"
            " FROM people)"
            f" SELECT user_id, 'Person ' || user_id, 'Group', {_SECTOR_OF_USER},"
            " 'area_' || (user_id % 10), 1, at, at, at FROM joined",
            (people,),
        )
        await connection.execute(
            "INSERT INTO needs (draft_id, user_id, area, neighbourhood, description, affected,"
            " urgency, can_help, themes, created_at, updated_at)"
            f" {_COUNT_TO}, made (n, user_id, at) AS"
            f" (SELECT n, 1 + {_random('n', 2)} % ?, {_moment_in_order('n', '?1')} FROM counted)"
            " SELECT n, user_id, 'area_' || (user_id % 10),"
            " CASE WHEN n % 2 THEN 'Ward ' || (user_id % 10) || 'a' END,"
            " ?, '[\"families\"]', CASE n % 3 WHEN 0 THEN 'low' WHEN 1 THEN 'medium'"
            " ELSE 'high' END, 'yes', CASE WHEN n % 4 THEN '[\"community_engagement\"]'"
            " ELSE '[\"partnership_working\"]' END, at, at FROM made",
            (needs, people, "Not enough volunteers for the Saturday stay and play session " * 2),
        )
        await connection.execute(
            "INSERT INTO challenge_answers (draft_id, user_id, challenge, answers, created_at)"
            f" {_COUNT_TO} SELECT n, n, 'challenge_1',"
            ' \'{"part_1": ["more joint bids"], "part_2": "shared rooms"}\','
            f" {_moment('n', 4)} FROM counted",
            (needs // 10,),
        )
        items_sql = ", ".join("(?, ?)" for _ in items)
        await connection.execute(
            "INSERT INTO survey_answers (user_id, wave, sector, area, scores, answered_at)"
            f" {person}, items (position, key) AS (VALUES {items_sql}),"
            " waves (wave, lowest) AS (VALUES ('before', 1), ('after', 2))"
            f" SELECT user_id, wave, {_SECTOR_OF_USER}, 'area_' || (user_id % 10),"
            " (SELECT json_group_object(key, lowest"
            f" + {_random('user_id * 64 + position', 5)} % 4) FROM items),"
            f" {_moment('user_id * 2 + lowest', 6)} FROM people, waves",
            (people, *(value for item in items for value in item)),
        )
        finished = f"{_random('user_id * 16 + form_number', 7)} % 10 < 8"
        steps_sql = ", ".join("(?, ?, ?, ?)" for _ in steps)
        await connection.execute(
            "INSERT INTO form_progress (user_id, form, step_key, reached_at)"
            f" {person}, steps (form_number, position, step, total) AS (VALUES {steps_sql}),"
            f" forms (form_number, name) AS (VALUES {', '.join('(?, ?)' for _ in names)})"
            " SELECT user_id, name, step,"
            f" {_moment('user_id * 1024 + form_number * 64 + position', 8)}"
            " FROM people, forms JOIN steps USING (form_number)"
            f" WHERE {finished}"
            f" OR position <= 1 + {_random('user_id * 16 + form_number', 9)} % total",
            (people, *(v for step in steps for v in step), *(v for n in names for v in n)),
        )
        await connection.execute(
            "INSERT INTO form_submissions (user_id, form, submitted_at)"
            f" {person}, forms (form_number, name) AS"
            f" (VALUES {', '.join('(?, ?)' for _ in names)})"
            f" SELECT user_id, name, {_moment('user_id * 16 + form_number', 10)}"
            f" FROM people, forms WHERE {finished}",
            (people, *(v for n in names for v in n)),
        )
        # Digests have been due since long before: this week's is due now.
        await connection.execute(
            "INSERT INTO digest_state (key, value) VALUES ('since', ?)",
            ((NOW - YEAR).isoformat(),),
        )


async def weekly_digests(core: Core) -> str:
    """Every commissioner's weekly digest, composed and queued by the tick's own due work."""
    await digests.due_digests(core, NOW)
    queued = await core.outbox.counts()
    return f"{sum(queued.values())} outbox messages for {COMMISSIONERS} commissioners"


async def _export(core: Core, words: list[str]) -> str:
    """``/export WORDS`` as an admin: planned, written to files and audited, as the handler
    does (less sending the files)."""
    plan = await exports.plan(core, ADMIN, exports.parse_request(words))
    with tempfile.TemporaryDirectory() as directory:
        exported = await exports.export(
            core, plan, Path(directory), upload_limit=exports.MAX_UPLOAD_BYTES
        )
        size = sum(path.stat().st_size for path in exported.files)
        names = ", ".join(path.name.rsplit(".", 1)[-1] for path in exported.files)
    rows = ", ".join(f"{count:,} {name}" for name, count in exported.counts.items())
    return f"{rows} in {size / 2**20:.1f} MB ({names})"


async def csv_export(core: Core) -> str:
    return await _export(core, ["needs", "csv"])


async def xlsx_export(core: Core) -> str:
    return await _export(core, ["needs", "xlsx"])


async def stats_overview_and_funnel(core: Core) -> str:
    """``/stats`` (the overview) then ``/stats funnel``, as an admin sees them."""
    audience = await stats.audience_of(core, ADMIN.user_id, None)
    assert audience is not None
    overview = await stats.overview(core, audience)
    funnel = await stats.funnel_report(core, audience, forms_of(core))
    return f"an overview of {len(overview):,} characters and {len(funnel)} funnel messages"


def forms_of(core: Core) -> list[Form]:
    """Every feature's forms, as the application collects them."""
    return [form for feature in FEATURES if feature.forms for form in feature.forms(core)]


Report = Callable[[Core], Awaitable[str]]
REPORTS: dict[str, Report] = {
    f"weekly digests for {COMMISSIONERS} commissioners": weekly_digests,
    "CSV export of the needs": csv_export,
    "XLSX export of the needs": xlsx_export,
    "/stats overview and funnel": stats_overview_and_funnel,
}
# Reports timed only up to a size: XlsxWriter writes about 8,000 rows of needs a second, so
# an XLSX of a million needs would take two minutes of `make bench`'s ten.
LARGEST_NEEDS = {"XLSX export of the needs": 100_000}


@dataclass(frozen=True)
class ReportResult:
    needs: int
    generate_seconds: float
    seconds: dict[str, float]  # report -> time
    notes: dict[str, str]  # report -> what it produced
    plans: dict[str, list[str]]  # query shape -> EXPLAIN QUERY PLAN lines
    peak_rss_mb: float


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    """The statement with its values as ``?``: one entry per query, whatever it was asked."""
    return " ".join(_LITERALS.sub("?", sql).split())


async def _plans(database: Database, statements: set[str]) -> dict[str, list[str]]:
    plans: dict[str, list[str]] = {}
    for sql in sorted(statements):
        shape = _shape(sql)
        if shape in plans or not shape.upper().startswith("SELECT"):
            continue
        async with database.connection.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
            plans[shape] = [row[3] for row in await cursor.fetchall()]
    return plans


async def measure(needs: int) -> ReportResult:
    """Generate ``needs`` needs, then time each report and collect its query plans."""
    with tempfile.TemporaryDirectory() as directory:
        settings = settings_for(Path(directory) / "reports.sqlite3")
        database = await Database.open(settings.storage.path)
        try:
            core = Core.open(settings, database, clock=lambda: NOW)
            await core.roles.load(settings, NOW)
            started = time.perf_counter()
            await generate(database, needs, forms_of(core))
            generated = time.perf_counter() - started
            statements: set[str] = set()
            await database.connection.set_trace_callback(statements.add)
            seconds, notes = {}, {}
            for name, report in REPORTS.items():
                if needs > LARGEST_NEEDS.get(name, needs):
                    continue
                started = time.perf_counter()
                notes[name] = await report(core)
                seconds[name] = time.perf_counter() - started
            await database.connection.set_trace_callback(None)  # type: ignore[arg-type]
            plans = await _plans(database, statements)
        finally:
            await database.close()
    return ReportResult(
        needs=needs,
        generate_seconds=generated,
        seconds=seconds,
        notes=notes,
        plans=plans,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def run_reports(needs: int) -> ReportResult:
    """One size in a fresh process, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.reports", str(needs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return ReportResult(**json.loads(output.splitlines()[-1]))


if __name__ == "__main__":
    print(json.dumps(asdict(asyncio.run(measure(int(sys.argv[1]))))))
