"""The commissioners' weekly digest: when it is due, what it says, and queueing it in the
outbox. No Telegram here.

A digest is due at ``schedules.digest_weekday`` and ``digest_time`` in the programme's time
zone, computed in local time and then converted, so a 09:00 digest stays at 09:00 across the
clock changes. It covers the week up to that time. The tick queues it under
``digest:<user id>:<local date>``, so a second tick, a restart or a missed tick never doubles
it, and a digest missed while the bot was down goes out once when it is back.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core import Core
from bot.features.surveys import service as surveys
from bot.logs import log_event
from storage.contributions import answers_text
from storage.digests import DigestAnswer, DigestNeed, DigestStore
from storage.outbox import Outgoing

__all__ = [
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "Digest",
    "Period",
    "compose",
    "due_digests",
    "latest_scheduled",
    "preview",
    "queue_digest",
    "send_now",
]

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Telegram's limits: a message's text, and a photo's caption.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
NEEDS_LISTED = 10
DESCRIPTION_CHARS = 160
QUOTES = 3
QUOTE_CHARS = 120
EMPTY_LINE = "no new needs or challenge answers this week."


@dataclass(frozen=True)
class Period:
    """A digest's week: ``start < moment <= end``; ``previous`` is the week before."""

    start: datetime
    end: datetime
    previous_start: datetime


@dataclass(frozen=True)
class Digest:
    """What one person is sent: text (HTML), the Open buttons, and a chart (PNG) if any."""

    text: str
    buttons: list[list[tuple[str, str]]]
    chart: bytes | None
    empty: bool

    def messages(self) -> list[tuple[str, Outgoing]]:
        """As outbox messages, each with the suffix of its key: one photo with its caption if
        the text fits a caption, else the text and then the chart."""
        if self.chart is None:
            return [("", Outgoing(text=self.text, buttons=self.buttons))]
        photo = self.chart
        if len(self.text) <= CAPTION_LIMIT:
            return [("", Outgoing(text=self.text, buttons=self.buttons, photo=photo))]
        return [
            (":text", Outgoing(text=self.text, buttons=self.buttons)),
            (":chart", Outgoing(photo=photo)),
        ]


def scheduled_at(settings: Settings) -> tuple[int, time]:
    """The digest's weekday (0 is Monday) and local time, from the config."""
    schedules = settings.programme.schedules
    hour, minute = (int(part) for part in schedules.digest_time.split(":"))
    return WEEKDAYS.index(schedules.digest_weekday), time(hour, minute)


def latest_scheduled(now: datetime, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The latest digest time at or before ``now``: ``weekday`` (0 Monday) at ``at`` local.

    Counted in local dates, then converted: across a clock change it is still ``at`` local.
    """
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    candidate = datetime.combine(day, at, tzinfo=tz)
    if candidate > now:
        candidate = datetime.combine(day - WEEK, at, tzinfo=tz)
    return candidate


def period_ending(end: datetime, tz: ZoneInfo) -> Period:
    """The week up to ``end``, a week in local dates (so 167 or 169 hours at a clock change)."""
    local = end.astimezone(tz)
    start = datetime.combine(local.date() - WEEK, local.time(), tzinfo=tz)
    before = datetime.combine(local.date() - 2 * WEEK, local.time(), tzinfo=tz)
    return Period(start=start, end=end, previous_start=before)


def _area_names(settings: Settings, areas: Collection[str] | None) -> str:
    known = settings.programme.areas
    if areas is None:
        return "all areas"
    return ", ".join(a.name for a in known if a.key in areas) or "no areas"


def _place(settings: Settings, need: DigestNeed) -> str:
    area = next((a.name for a in settings.programme.areas if a.key == need.area), need.area)
    return f"{area}: {need.neighbourhood}" if need.neighbourhood else f"across {area}"


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _quote(answer: DigestAnswer) -> str:
    return _short(answers_text(answer.answers), QUOTE_CHARS)


def _urgency_rank(settings: Settings) -> dict[str, int]:
    """Higher is more urgent: the options are listed least urgent first."""
    options = settings.programme.need_form.urgency_options
    return {option.key: index for index, option in enumerate(options)}


async def compose(
    core: Core,
    period: Period,
    *,
    areas: Collection[str] | None,
    min_group_size: int | None,
) -> Digest:
    """The digest of ``period`` for ``areas`` (None: all), surveys under ``min_group_size``
    withheld (None: none)."""
    settings = core.settings
    programme = settings.programme
    tz = settings.tz
    store = DigestStore(core.database)
    needs = await store.needs_between(period.start, period.end, areas)
    earlier = await store.needs_between(period.previous_start, period.start, areas)
    answers = await store.answers_between(period.start, period.end, areas)
    shown_as = "%a %d %b %H:%M"
    span = f"{period.start.astimezone(tz):{shown_as}} to {period.end.astimezone(tz):{shown_as}}"
    where = html.escape(_area_names(settings, areas))
    if not needs and not answers:
        week = f"{period.end.astimezone(tz):%d %b}"
        text = f"Your weekly digest ({where}, week to {week}): {EMPTY_LINE}"
        return Digest(text=text, buttons=[], chart=None, empty=True)

    urgency = _urgency_rank(settings)
    urgency_label = {o.key: o.label for o in programme.need_form.urgency_options}
    help_label = {o.key: o.label for o in programme.need_form.help_options}
    theme_name = {t.key: t.name for t in programme.themes}
    ordered = sorted(needs, key=lambda n: (-urgency.get(n.urgency, -1), n.id))

    def need_lines(need: DigestNeed) -> list[str]:
        themes = ", ".join(theme_name.get(t, t) for t in need.themes) or "no theme yet"
        urgent = html.escape(urgency_label.get(need.urgency, need.urgency))
        can_help = html.escape(help_label.get(need.can_help, need.can_help))
        return [
            f"• <b>{need.reference}</b> · {urgent} · {html.escape(_place(settings, need))}",
            f"  {html.escape(_short(need.description, DESCRIPTION_CHARS))}",
            f"  <i>Themes: {html.escape(themes)}. Could help deliver: {can_help}</i>",
        ]

    head = [f"<b>Your weekly digest</b> · {where}", f"<i>{span}</i>", ""]
    head.append(f"<b>New needs: {len(needs)}</b>" + (", most urgent first" if needs else ""))
    now_counts = Counter(theme for need in needs for theme in need.themes)
    then_counts = Counter(theme for need in earlier for theme in need.themes)
    tail = ["", "<b>Needs by theme</b> (change from the week before)"]
    shown = [t for t in programme.themes if now_counts[t.key] or then_counts[t.key]]
    for theme in shown:
        change = now_counts[theme.key] - then_counts[theme.key]
        tail.append(f"{html.escape(theme.name)}: {now_counts[theme.key]} ({change:+d})")
    if not shown:
        tail.append("No themes yet.")
    tail += ["", f"<b>Challenge answers: {len(answers)}</b>"]
    tail += [f"“{html.escape(_quote(a))}”" for a in answers[:QUOTES] if _quote(a)]
    # One chart fits a digest: the first group's (the report's lists every group in words).
    report = await surveys.survey_report(
        core, areas=areas, min_group_size=min_group_size, charts=1
    )
    tail += ["", *report.text.splitlines()]
    chart = report.charts[0][1] if report.charts else None

    listed = ordered[:NEEDS_LISTED]
    while True:  # never over Telegram's limit: list fewer needs until it fits
        body = [line for need in listed for line in need_lines(need)]
        if len(ordered) > len(listed):
            body.append(f"…and {len(ordered) - len(listed)} more.")
        text = "\n".join([*head, *body, *tail])
        if len(text) <= TEXT_LIMIT or not listed:
            break
        listed = listed[:-1]
    buttons = [[(f"Open {need.reference}", f"inbox:{need.id}")] for need in listed]
    return Digest(text=text[:TEXT_LIMIT], buttons=buttons, chart=chart, empty=False)


def _commissioners(core: Core) -> dict[int, set[str]]:
    return {
        row.user_id: set(row.areas) for row in core.roles.staff() if row.role == "commissioner"
    }


class _Digests:
    """One period's digests, composed once per set of areas: commissioners who cover the same
    areas get the same digest, and its queries and chart are its cost."""

    def __init__(self, core: Core, period: Period) -> None:
        self._core = core
        self._period = period
        self._composed: dict[frozenset[str], Digest] = {}

    async def of(self, areas: set[str]) -> Digest:
        key = frozenset(areas)
        if key not in self._composed:
            self._composed[key] = await compose(
                self._core,
                self._period,
                areas=areas,
                min_group_size=self._core.settings.programme.min_group_size,
            )
        return self._composed[key]


async def queue_digest(core: Core, user_id: int, key: str, digest: Digest, now: datetime) -> bool:
    """Queue ``digest`` for ``user_id`` under ``key`` (and its ``:text``/``:chart`` parts);
    False if nothing new was queued."""
    queued = False
    for suffix, body in digest.messages():
        queued = await core.outbox.enqueue(key + suffix, user_id, body, now) or queued
    return queued


async def _already_queued(store: DigestStore, key: str) -> bool:
    # The last row each shape queues: a crash between a text and its chart finishes next tick.
    return await store.queued([key, f"{key}:chart"])


async def due_digests(core: Core, now: datetime) -> None:
    """The tick's due work: queue each commissioner's digest for the latest scheduled time,
    once, if it falls after the bot first looked for digests."""
    settings = core.settings
    weekday, at = scheduled_at(settings)
    slot = latest_scheduled(now, weekday, at, settings.tz)
    store = DigestStore(core.database)
    if slot < await store.since(now) or now - slot >= WEEK:
        return
    digests = _Digests(core, period_ending(slot, settings.tz))
    label = slot.astimezone(settings.tz).date().isoformat()
    for user_id, areas in _commissioners(core).items():
        key = f"digest:{user_id}:{label}"
        if await _already_queued(store, key):
            continue
        digest = await digests.of(areas)
        if digest.empty and settings.programme.schedules.empty_digest == "nothing":
            continue
        await queue_digest(core, user_id, key, digest, now)
        log_event(logger, "digest_queued", user=user_id, period=label, empty=digest.empty)


async def preview(core: Core) -> Digest:
    """An admin's own digest now: the last week, all areas, no survey figures withheld."""
    now = core.clock()
    period = period_ending(now, core.settings.tz)
    return await compose(core, period, areas=None, min_group_size=None)


@dataclass(frozen=True)
class SendNow:
    """What ``/digest send`` did: who should get one, and their outbox keys."""

    keys: dict[int, list[str]]
    commissioners: int


async def send_now(core: Core, actor_id: int) -> SendNow:
    """Queue every commissioner's digest of the last week now, once per minute at most, as the
    admin ``actor_id`` asked (audited)."""
    settings = core.settings
    now = core.clock()
    digests = _Digests(core, period_ending(now, settings.tz))
    stamp = now.astimezone(settings.tz).strftime("%Y-%m-%dT%H:%M")
    commissioners = _commissioners(core)
    # Made first (charts take a while), then queued and audited in one transaction: all of
    # them or none.
    made = {user_id: await digests.of(areas) for user_id, areas in commissioners.items()}
    keys: dict[int, list[str]] = {}
    async with core.database.transaction():
        for user_id, digest in made.items():
            if digest.empty and settings.programme.schedules.empty_digest == "nothing":
                continue
            key = f"digest:{user_id}:now-{stamp}"
            await queue_digest(core, user_id, key, digest, now)
            keys[user_id] = [key + suffix for suffix, _ in digest.messages()]
        await core.audit.record(actor_id, "digest_send", now, {"digests": len(keys)})
    return SendNow(keys=keys, commissioners=len(commissioners))


async def delivered(core: Core, sent: SendNow) -> int:
    """How many of those people have been sent every part of their digest."""
    store = DigestStore(core.database)
    statuses = await store.statuses([key for keys in sent.keys.values() for key in keys])
    return sum(
        1 for keys in sent.keys.values() if all(statuses.get(key) == "sent" for key in keys)
    )
