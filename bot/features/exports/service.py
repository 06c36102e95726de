"""Exports: the programme's data as XLSX, CSV or JSON files, for staff and the command line.
No Telegram here: the /export handler and ``coproduce export`` call the same functions.

People are pseudonymised: a keyed hash of their Telegram id (HMAC-SHA256 under a key made
once per installation and kept in the database), the same in every export and every sheet,
so sheets join; names and ids appear only with ``contacts=yes``, in the participants sheet.
Rows stream from one database snapshot a chunk at a time. CSV and XLSX read them once (their
About is written last, with the counts; XLSX fits its column widths as it writes); JSON, its
About first, reads them once to count the rows and again to write.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import shutil
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.config import Settings
from bot.core import Core
from bot.features.exports.files import (
    FORMATS,
    About,
    Cell,
    Table,
    private_file,
    writer_for,
)
from bot.reports.uplift import GroupSpec, SurveyAnswers, group_names, person_change
from bot.roles import Role
from storage.exports import ExportedAnswer, ExportedNeed, ExportReader, ExportStore
from storage.participants import Participant
from storage.scope import Scope
from storage.surveys import SurveyRow

__all__ = [
    "CLI_ACTOR",
    "DATASETS",
    "MAX_UPLOAD_BYTES",
    "USAGE",
    "Actor",
    "ExportProblem",
    "ExportRequest",
    "Exported",
    "Plan",
    "Progress",
    "ProgressShown",
    "actor_of",
    "deliver_to",
    "export",
    "parse_request",
    "plan",
    "pseudonym",
]

DATASETS = ("participants", "needs", "challenges", "surveys")
# What a commissioner may export: the privacy notice tells people commissioners see the needs
# raised in their areas and survey figures for groups, never one person's answers or profile.
COMMISSIONER_DATASETS = ("needs", "challenges")
# Columns left out of a commissioner's sheets: with a stable pseudonym and a sector, the only
# local-authority person in an area could be singled out across answers and exports.
COMMISSIONER_LEFT_OUT = ("participant", "sector")
# Telegram's upload limit for bots; a bigger file is sent zipped. Lowered in a test.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

USAGE = (
    "/export [what] [format] [options]\n"
    "what: needs, challenges, surveys, participants or all (default all)\n"
    "format: xlsx, csv or json (default xlsx). CSV is one file per sheet plus about.csv; "
    "JSON is one file with an \u201cabout\u201d part.\n"
    "options: area=KEY, since=YYYY-MM-DD, event=CODE, contacts=yes (names and Telegram ids "
    "in the participants sheet, admins only)\n"
    "Example: /export needs csv area=knowsley since=2026-01-01"
)

Progress = Callable[[int], Awaitable[None]]
Rows = Callable[[], AsyncIterator[list[list[Cell]]]]


class ExportProblem(Exception):
    """A request that cannot be met, with what to tell the person who made it."""

    def __init__(self, message: str, *, usage: bool = True) -> None:
        super().__init__(message)
        self.message = f"{message}\n\n{USAGE}" if usage else message


@dataclass(frozen=True)
class ExportRequest:
    """What was asked for, as typed (checked against the programme by :func:`plan`)."""

    what: str = "all"
    format: str = "xlsx"
    area: str | None = None
    since: date | None = None
    event: str | None = None
    contacts: bool = False

    def filters(self) -> dict[str, str]:
        return {
            "area": self.area or "all (allowed)",
            "since": self.since.isoformat() if self.since else "any time",
            "event": self.event or "none",
            "contacts": "yes" if self.contacts else "no",
        }


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_request(words: Sequence[str]) -> ExportRequest:
    """The request in ``/export`` words; raises :class:`ExportProblem` for anything else."""
    found: dict[str, object] = {}

    def once(name: str, value: object, word: str) -> None:
        if name in found:
            raise ExportProblem(f"{word}: give one {name} only.")
        found[name] = value

    for word in words:
        key, is_option, value = word.partition("=")
        key = key.lower()
        if not is_option and key in (*DATASETS, "all"):
            once("what", key, word)
        elif not is_option and key in FORMATS:
            once("format", key, word)
        elif is_option and key == "area" and value:
            once("area", value.lower(), word)
        elif is_option and key == "since":
            once("since", _date(value), word)
        elif is_option and key == "event" and value:
            once("event", value, word)
        elif is_option and key == "contacts" and value.lower() in ("yes", "no"):
            once("contacts", value.lower() == "yes", word)
        else:
            raise ExportProblem(f"I don't understand \u201c{word}\u201d.")
    return ExportRequest(**found)  # type: ignore[arg-type]


def _date(text: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ExportProblem(f"since={text} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.")


@dataclass(frozen=True)
class Actor:
    """Who exports: their id for the audit log, how the About sheet names them, their role."""

    user_id: int
    label: str
    role: Role


# The command line has no Telegram id: it is audited as actor 0, "via": "cli".
CLI_ACTOR = Actor(0, "the command line (coproduce export)", Role.ADMIN)


def actor_of(core: Core, user_id: int) -> Actor:
    role = core.roles.role_of(user_id)
    return Actor(user_id, f"{role.value}, Telegram user {user_id}", role)


@dataclass(frozen=True)
class Plan:
    """An allowed export: its datasets, the rows it takes, what was withheld and why."""

    request: ExportRequest
    actor: Actor
    datasets: tuple[str, ...]
    rows_of: Scope
    withheld: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # columns taken out of every table


async def plan(core: Core, actor: Actor, request: ExportRequest) -> Plan:
    """Check ``request`` against the programme and what ``actor`` may see; raises
    :class:`ExportProblem` saying why not. Commissioners get their own areas only."""
    settings = core.settings
    areas = {area.key: area.name for area in settings.programme.areas}
    if request.area is not None and request.area not in areas:
        raise ExportProblem(f"There is no area {request.area}. Areas: {', '.join(areas)}.")
    if request.event is not None and await core.events.get(request.event) is None:
        raise ExportProblem(f"There is no event with the code {request.event}.")
    wanted: tuple[str, ...] = DATASETS if request.what == "all" else (request.what,)
    if request.contacts and "participants" not in wanted:
        wanted = (*wanted, "participants")
    withheld: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    chosen: set[str] | None = None
    if actor.role is Role.COMMISSIONER:
        own = core.roles.areas_of(actor.user_id)
        if request.contacts:
            raise ExportProblem(
                "contacts=yes is for programme admins: names and Telegram ids stay with the "
                "programme team.",
                usage=False,
            )
        if request.what != "all" and request.what not in COMMISSIONER_DATASETS:
            raise ExportProblem(
                f"Commissioners can export {' and '.join(COMMISSIONER_DATASETS)}: the privacy "
                "notice promises people that commissioners never see one person's survey "
                "answers or profile. /stats surveys has the survey figures for your areas.",
                usage=False,
            )
        if request.area is not None and request.area not in own:
            yours = ", ".join(f"{areas.get(key, key)} (area={key})" for key in sorted(own))
            raise ExportProblem(
                f"You can export your own areas only: {yours or 'none yet'}.", usage=False
            )
        chosen = {request.area} if request.area is not None else own
        withheld = tuple(name for name in wanted if name not in COMMISSIONER_DATASETS)
        wanted = tuple(name for name in wanted if name in COMMISSIONER_DATASETS)
        left_out = COMMISSIONER_LEFT_OUT
    elif actor.role is not Role.ADMIN:
        raise ExportProblem("Exports are for commissioners and programme admins.", usage=False)
    elif request.area is not None:
        chosen = {request.area}
    since = (
        datetime.combine(request.since, time(), tzinfo=settings.tz).astimezone(UTC)
        if request.since is not None
        else None
    )
    return Plan(
        request=request,
        actor=actor,
        datasets=wanted,
        rows_of=Scope(areas=chosen, since=since, event=request.event),
        withheld=withheld,
        left_out=left_out,
    )


def pseudonym(secret: bytes, user_id: int | None) -> str:
    """``p_3f9a1c2e7b``: the same for one person in every export of this installation, and
    no way back to their Telegram id without the key. Empty for an anonymous record."""
    if user_id is None:
        return ""
    digest = hmac.new(secret, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"p_{digest[:10]}"


PSEUDONYMS_KEPT = 1 << 16  # about 6 MB, whatever the programme's size
PERSON = ("participant", "Pseudonym of the person (the same in every sheet and export)")
ANONYMOUS = "empty: kept anonymously after the person asked to be forgotten"


class _Shaper:
    """Rows of the export from stored records: names for keys, local times, pseudonyms."""

    def __init__(self, settings: Settings, secret: bytes, plan: Plan, reader: ExportReader):
        programme = settings.programme
        self._settings = settings
        self._plan = plan
        self._reader = reader
        self._areas = {area.key: area.name for area in programme.areas}
        self._sectors = {sector.key: sector.name for sector in programme.sectors}
        self._themes = {theme.key: theme.name for theme in programme.themes}
        self._challenges = {c.key: c for c in programme.challenges}
        self._parts = [(c.key, part) for c in programme.challenges for part in c.parts]
        self._items = list(programme.survey.items)
        self._groups = [
            GroupSpec(group.name, frozenset(group.sectors)) for group in programme.report_groups
        ]
        # A person has many rows (needs, answers, waves): each pseudonym is hashed once.
        self._person = functools.lru_cache(maxsize=PSEUDONYMS_KEPT)(
            functools.partial(pseudonym, secret)
        )

    def _when(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self._settings.tz) if moment is not None else None

    def _area(self, key: str | None) -> str:
        return self._areas.get(key, key) if key else ""

    def _sector(self, key: str | None) -> str:
        return self._sectors.get(key, key) if key else ""

    def _theme_names(self, keys: Sequence[str]) -> str:
        return "; ".join(self._themes.get(key, key) for key in keys)

    def tables(self) -> list[tuple[Table, Rows]]:
        """The tables of the plan's datasets, in order, each with its rows' source."""
        made: dict[str, list[tuple[Table, Rows]]] = {
            "participants": [(self._participants_table(), self._participant_rows)],
            "needs": [(self._needs_table(), self._need_rows)],
            "challenges": [(self._challenges_table(), self._challenge_rows)],
            "surveys": [
                (self._surveys_table(), self._survey_rows),
                (self._pairs_table(), self._pair_rows),
            ],
        }
        return [
            _without(table, rows, self._plan.left_out)
            for name in DATASETS
            if name in self._plan.datasets
            for table, rows in made[name]
        ]

    # participants

    def _participants_table(self) -> Table:
        columns = [
            PERSON,
            ("organisation", "The organisation they gave"),
            ("sector", "Their sector"),
            ("area", "Their area"),
            ("joined", "When they agreed to the privacy notice (local time)"),
            ("profile completed", "When they first completed their profile (local time)"),
            ("last active", "When they last used the bot (local time)"),
            ("follow-ups", "yes: they get reminders; no: they sent /stop"),
        ]
        if self._plan.request.contacts:
            columns += [
                ("name", "The name they gave (contacts=yes only)"),
                ("user_id", "Their Telegram user id (contacts=yes only)"),
            ]
        return Table("participants", "One row per person who agreed to take part", columns)

    async def _participant_rows(self) -> AsyncIterator[list[list[Cell]]]:
        async for chunk in self._reader.participants(self._plan.rows_of):
            yield [self._participant(person) for person in chunk]

    def _participant(self, person: Participant) -> list[Cell]:
        row: list[Cell] = [
            self._person(person.user_id),
            person.organisation or "",
            self._sector(person.sector),
            self._area(person.area),
            self._when(person.consented_at),
            self._when(person.onboarded_at),
            self._when(person.last_active_at),
            "yes" if person.follow_ups else "no",
        ]
        if self._plan.request.contacts:
            row += [person.name or "", person.user_id]
        return row

    # needs

    def _needs_table(self) -> Table:
        return Table(
            "needs",
            "One row per local need voiced",
            [
                ("reference", "The need's reference, as people see it (N-0042)"),
                (PERSON[0], f"{PERSON[1]}; {ANONYMOUS}"),
                ("area", "The area it is in"),
                ("neighbourhood", "The neighbourhood, or empty for the whole area"),
                ("description", "The need, in the person's words"),
                ("affected", "Who is affected (option keys, separated by ;)"),
                ("evidence", "What they sent as evidence: photo, voice, text, or empty"),
                ("evidence text", "The evidence, when it was text"),
                ("urgency", "How urgent they said it is"),
                ("can help", "Whether their group can help"),
                ("themes", "The programme themes it is about (separated by ;)"),
                ("themes set by admin", "yes: an admin set the themes with /retag"),
                ("status", "new, acknowledged or responded (by a commissioner)"),
                ("created", "When it was voiced (local time)"),
            ],
        )

    async def _need_rows(self) -> AsyncIterator[list[list[Cell]]]:
        async for chunk in self._reader.needs(self._plan.rows_of):
            yield [self._need(need) for need in chunk]

    def _need(self, need: ExportedNeed) -> list[Cell]:
        evidence = need.evidence or {}
        return [
            need.reference,
            self._person(need.user_id),
            self._area(need.area),
            need.neighbourhood or "",
            need.description,
            "; ".join(need.affected),
            str(evidence.get("kind") or ""),
            str(evidence.get("text") or ""),
            need.urgency,
            need.can_help,
            self._theme_names(need.themes),
            "yes" if need.themes_by_admin else "no",
            need.status,
            self._when(need.created_at),
        ]

    # challenges

    def _challenges_table(self) -> Table:
        parts = [
            (f"{key}: {part.label}", f"Answer to \u201c{part.prompt}\u201d (lists separated by ;)")
            for key, part in self._parts
        ]
        return Table(
            "challenges",
            "One row per answer to a programme challenge (every answer is kept)",
            [
                ("reference", "The answer's reference (C-0007)"),
                (PERSON[0], f"{PERSON[1]}; {ANONYMOUS}"),
                ("challenge", "Which challenge"),
                ("sector", "The person's sector when they answered"),
                ("area", "The person's area now (empty once anonymous)"),
                *parts,
                ("themes", "The programme themes it is about (separated by ;)"),
                ("created", "When it was answered (local time)"),
            ],
        )

    async def _challenge_rows(self) -> AsyncIterator[list[list[Cell]]]:
        async for chunk in self._reader.challenge_answers(self._plan.rows_of):
            yield [self._challenge(answer) for answer in chunk]

    def _challenge(self, answer: ExportedAnswer) -> list[Cell]:
        challenge = self._challenges.get(answer.challenge)
        parts: list[Cell] = []
        for key, part in self._parts:
            given = answer.answers.get(part.key) if key == answer.challenge else None
            parts.append("; ".join(given) if isinstance(given, list) else str(given or ""))
        return [
            answer.reference,
            self._person(answer.user_id),
            challenge.title if challenge else answer.challenge,
            self._sector(answer.sector),
            self._area(answer.area),
            *parts,
            self._theme_names(answer.themes),
            self._when(answer.created_at),
        ]

    # surveys

    def _surveys_table(self) -> Table:
        items = [
            (item.key, f"Score 1 to 5 for \u201c{item.question}\u201d") for item in self._items
        ]
        return Table(
            "surveys",
            "One row per person and survey wave",
            [
                (PERSON[0], f"{PERSON[1]}; {ANONYMOUS}"),
                ("wave", "before or after"),
                ("sector", "Their sector when they answered"),
                ("area", "Their area when they answered"),
                ("answered", "When they answered (local time)"),
                *items,
                ("mean", "The mean of the item scores answered"),
            ],
        )

    async def _survey_rows(self) -> AsyncIterator[list[list[Cell]]]:
        async for chunk in self._reader.survey_answers(self._plan.rows_of):
            yield [self._survey(row) for row in chunk]

    def _survey(self, row: SurveyRow) -> list[Cell]:
        return [
            self._person(row.user_id),
            row.wave,
            self._sector(row.sector),
            self._area(row.area),
            self._when(row.answered_at),
            *(row.scores.get(item.key) for item in self._items),
            round(sum(row.scores.values()) / len(row.scores), 2),
        ]

    def _pairs_table(self) -> Table:
        item = self._settings.programme.survey.uplift_item
        measure = f"the score for {item}" if item else "the mean of the item scores"
        return Table(
            "pairs",
            "One row per person who answered both waves, compared as the survey report "
            f"compares them ({measure}); with since=, pairs whose after survey is on or after it",
            [
                PERSON,
                ("sector group", "The report groups their sector counts in (separated by ;)"),
                ("before mean", f"Before: {measure} (2 decimal places)"),
                ("after mean", f"After: {measure} (2 decimal places)"),
                ("change", "After minus before (2 decimal places)"),
                ("more positive", "yes: the after is higher than the before, exactly"),
            ],
        )

    async def _pair_rows(self) -> AsyncIterator[list[list[Cell]]]:
        # Pairs need both waves, so the since filter is applied to the after one, below.
        rows_of = replace(self._plan.rows_of, since=None)
        person: list[SurveyRow] = []
        async for chunk in self._reader.survey_answers(rows_of):
            paired: list[list[Cell]] = []
            for row in chunk:
                if row.user_id is None:  # anonymous answers cannot be paired
                    continue
                if person and person[0].user_id != row.user_id:
                    paired += self._pair(person)
                    person = []
                person.append(row)
            yield paired
        if person:
            yield self._pair(person)

    def _pair(self, rows: Sequence[SurveyRow]) -> list[list[Cell]]:
        seen = {
            row.wave: SurveyAnswers(row.user_id or 0, row.sector, row.wave, row.scores)
            for row in rows
        }
        change = person_change(seen, item=self._settings.programme.survey.uplift_item)
        if change is None:
            return []
        since = self._plan.rows_of.since
        after = next(row for row in rows if row.wave == "after")
        if since is not None and after.answered_at < since:
            return []
        return [
            [
                self._person(rows[0].user_id),
                "; ".join(group_names(change.sector, self._groups)),
                round(float(change.before_mean), 2),
                round(float(change.after_mean), 2),
                round(float(change.change), 2),
                "yes" if change.more_positive else "no",
            ]
        ]


def _without(table: Table, rows: Rows, left_out: Sequence[str]) -> tuple[Table, Rows]:
    """The table and its rows without the columns headed ``left_out``."""
    kept = [index for index, (header, _) in enumerate(table.columns) if header not in left_out]
    if len(kept) == len(table.columns):
        return table, rows

    async def kept_rows() -> AsyncIterator[list[list[Cell]]]:
        async for chunk in rows():
            yield [[row[index] for index in kept] for row in chunk]

    meaning = f"{table.meaning} (no {' or '.join(left_out)} column, so no one is singled out)"
    columns = [table.columns[index] for index in kept]
    return replace(table, meaning=meaning, columns=columns), kept_rows


@dataclass(frozen=True)
class Exported:
    """The files made (in the directory given), the rows in each table, and any file too big
    to send even zipped."""

    files: list[Path]
    counts: dict[str, int]
    withheld: tuple[str, ...]
    too_big: list[str]

    def summary(self) -> str:
        """What the export holds, in a few lines."""
        if not any(self.counts.values()):
            lines = ["No rows matched: the file has the column headers only."]
        else:
            rows = ", ".join(f"{name} {count}" for name, count in self.counts.items())
            lines = [f"Export ready. Rows: {rows}."]
        if self.withheld:
            lines.append(f"Not included: {', '.join(self.withheld)} (for programme admins only).")
        if self.too_big:
            lines.append(
                f"Too big to send even zipped: {', '.join(self.too_big)}. Narrow it with "
                "area=, since= or one dataset, or use coproduce export on the server."
            )
        return "\n".join(lines)


async def export(
    core: Core,
    plan: Plan,
    directory: Path,
    *,
    progress: Progress | None = None,
    upload_limit: int | None = None,
) -> Exported:
    """Write the planned export into ``directory`` (private: the caller's), audit it, and
    return the files. With ``upload_limit``, a bigger file is replaced by a zip of it."""
    now = core.clock()
    store = ExportStore(core.database)
    secret = await store.secret(now)
    request = plan.request
    async with store.snapshot() as reader:
        tables = _Shaper(core.settings, secret, plan, reader).tables()
        counts: dict[str, int] = {}
        # CSV and XLSX write their About last: they read the rows once, counting them as they
        # write. JSON starts with its About, so it counts the rows in a first pass.
        read_twice = request.format == "json"
        if read_twice:
            for table, rows in tables:
                counts[table.name] = 0
                async for chunk in rows():
                    counts[table.name] += len(chunk)
        about = About(
            made_at=now.astimezone(core.settings.tz),
            made_by=plan.actor.label,
            what=", ".join(plan.datasets),
            filters=request.filters(),
            notes=_notes(core.settings, plan),
            tables=[table for table, _ in tables],
            counts=counts,
        )
        stem = f"coproduce-{request.what}-{about.made_at:%Y%m%d-%H%M}"
        writer = writer_for(request.format, directory, stem, about)
        total = sum(counts.values()) if read_twice else await _most_rows(reader, plan)
        written, shown = 0, 0
        for table, rows in tables:
            writer.begin(table)
            counts[table.name] = 0
            async for chunk in rows():
                # Writing a chunk is CPU work: off the event loop, so others are answered.
                await asyncio.to_thread(writer.write, chunk)
                written += len(chunk)
                counts[table.name] += len(chunk)
                percent = 100 * written // total if total else 100
                if progress is not None and percent != shown:
                    shown = percent
                    await progress(percent)
            writer.end()
        files = await asyncio.to_thread(writer.finish, about)
    too_big: list[str] = []
    if upload_limit is not None:
        files = [await asyncio.to_thread(_zipped_if_over, file, upload_limit) for file in files]
        too_big = [file.name for file in files if file.stat().st_size > upload_limit]
    await core.audit.record(
        plan.actor.user_id,
        "export",
        now,
        {
            "what": request.what,
            "format": request.format,
            "filters": {"area": request.area, "since": request.since, "event": request.event},
            "contacts": request.contacts,
            "rows": counts,
            "via": "cli" if plan.actor is CLI_ACTOR else "telegram",
        },
    )
    return Exported(files=files, counts=counts, withheld=plan.withheld, too_big=too_big)


async def _most_rows(reader: ExportReader, plan: Plan) -> int:
    """The most rows the plan's tables can have, counted in SQL: the progress's whole when
    the rows are read only once. Pairs are at most half the answer sets (any time)."""
    counted = {"participants": "participants", "needs": "needs", "challenges": "challenge_answers"}
    total = 0
    for name in plan.datasets:
        if name == "surveys":
            total += await reader.count("survey_answers", plan.rows_of)
            any_time = replace(plan.rows_of, since=None)
            total += await reader.count("survey_answers", any_time) // 2
        else:
            total += await reader.count(counted[name], plan.rows_of)
    return total


class ProgressShown:
    """Whether to show the progress now: each step of about ``step`` percent, at most once a
    ``every`` seconds (by ``clock``), so a long export edits one message a few times."""

    def __init__(self, clock: Callable[[], float], *, step: int = 10, every: float = 1.0):
        self._clock = clock
        self._step = step
        self._every = every
        self._last_percent = 0
        self._last_at = clock()

    def due(self, percent: int) -> bool:
        now = self._clock()
        if percent - self._last_percent < self._step or now - self._last_at < self._every:
            return False
        self._last_percent, self._last_at = percent, now
        return True


def _notes(settings: Settings, plan: Plan) -> list[tuple[str, str]]:
    if plan.left_out:
        people = (
            f"No {' or '.join(plan.left_out)} columns: a commissioner's export leaves them out, "
            "so that no one can be singled out. No names or Telegram ids are included."
        )
    else:
        people = (
            "Each person is a pseudonym (p_ and 10 letters and digits), the same in every "
            "sheet and every export from this bot, so sheets can be joined on it. "
            + (
                "contacts=yes: the participants sheet also has names and Telegram ids."
                if plan.request.contacts
                else "No names or Telegram ids are included (contacts=yes adds them). "
                "Telegram usernames are not stored by the bot."
            )
        )
    notes = [("Times", f"Local time, {settings.timezone}"), ("People", people)]
    if plan.rows_of.areas is not None:
        notes.append(("Areas", ", ".join(sorted(plan.rows_of.areas)) or "none"))
    if plan.withheld:
        notes.append(("Not included", ", ".join(plan.withheld) + ": for programme admins only"))
    return notes


def deliver_to(files: Sequence[Path], target: Path) -> None:
    """Put the export's ``files`` at ``target`` (a new file, mode 0600): the one file as it
    is, or several (CSV) in one zip."""
    with private_file(target) as out:
        if len(files) == 1:
            with files[0].open("rb") as source:
                shutil.copyfileobj(source, out)
            return
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                archive.write(file, file.name)


def _zipped_if_over(path: Path, limit: int) -> Path:
    """``path``, or a zip of it (the original deleted) if it is over ``limit`` bytes."""
    if path.stat().st_size <= limit:
        return path
    zipped = path.with_name(path.name + ".zip")
    with private_file(zipped) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, path.name)
    path.unlink()
    return zipped
