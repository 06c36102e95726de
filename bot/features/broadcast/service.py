"""Broadcasts: an admin's message to everyone, an area, a sector or an event's attendees, queued
in the outbox one row per recipient; the admin is told how it went once every row is settled.
No Telegram here."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from bot.core import Core, follow_up_time
from conversations.forms import check_text
from storage.broadcasts import Audience, Broadcast
from storage.outbox import Outgoing

__all__ = [
    "BROADCASTS",
    "TEXT_LIMIT",
    "Sending",
    "audience_name",
    "choices",
    "count_for",
    "discard_untyped",
    "draft_of",
    "get",
    "report_broadcasts",
    "send",
    "set_text",
    "start",
]

# Room for the escaped text in one Telegram message (4,096 characters).
TEXT_LIMIT = 3000
# How many events an admin can pick an audience from: the newest.
EVENT_CHOICES = 8

# Outbox key prefixes of the follow-ups this queues for members (the feature declares them,
# so /stop withdraws those still waiting).
BROADCASTS = "broadcast:"


async def start(core: Core, admin_id: int) -> Broadcast:
    """A new broadcast for the admin to type, replacing any unsent one of theirs."""
    return await core.broadcasts.start(admin_id, core.clock())


async def draft_of(core: Core, admin_id: int) -> Broadcast | None:
    return await core.broadcasts.draft_of(admin_id)


async def discard_untyped(core: Core, admin_id: int) -> bool:
    """Drop the admin's broadcast still waiting for its text, as their next message is for
    something else now (a reply to a need); False if there was none."""
    draft = await core.broadcasts.draft_of(admin_id)
    return draft is not None and draft.text is None and await core.broadcasts.discard(draft.id)


async def get(core: Core, broadcast_id: int) -> Broadcast | None:
    return await core.broadcasts.get(broadcast_id)


async def set_text(core: Core, broadcast: Broadcast, text: str) -> str | None:
    """Keep the typed text; or why it cannot be sent."""
    problem = check_text(text, min_length=2, max_length=TEXT_LIMIT)
    if problem is None:
        await core.broadcasts.set_text(broadcast.id, text.strip())
    return problem


async def choices(core: Core, kind: str) -> list[tuple[str, Audience]]:
    """The audiences of one kind to pick from (areas, sectors, events), with their labels."""
    programme = core.settings.programme
    if kind == "area":
        return [(area.name, Audience(kind="area", key=area.key)) for area in programme.areas]
    if kind == "sector":
        return [
            (sector.name, Audience(kind="sector", key=sector.key)) for sector in programme.sectors
        ]
    return [
        (summary.event.name, Audience(kind="event", key=summary.event.code))
        for summary in (await core.events.summaries())[:EVENT_CHOICES]
    ]


async def audience_name(core: Core, audience: Audience) -> str:
    """Who the audience is, in words: "everyone", "people in Knowsley"..."""
    programme = core.settings.programme
    if audience.kind == "area":
        names = {area.key: area.name for area in programme.areas}
        return f"people in {names.get(audience.key, audience.key)}"
    if audience.kind == "sector":
        names = {sector.key: sector.name for sector in programme.sectors}
        return f"people in the sector {names.get(audience.key, audience.key)}"
    if audience.kind == "event":
        event = await core.events.get(audience.key)
        return f"the attendees of {event.name if event else audience.key}"
    return "everyone"


async def count_for(core: Core, broadcast: Broadcast, audience: Audience) -> int:
    """Aim the broadcast at ``audience``; how many it would reach (not people who sent /stop)."""
    await core.broadcasts.set_audience(broadcast.id, audience)
    return len(await core.broadcasts.recipients(audience))


@dataclass(frozen=True)
class Sending:
    """A broadcast queued: how many people, and when it starts (after the quiet hours)."""

    recipients: int
    starts_at: datetime


async def send(core: Core, broadcast: Broadcast, admin_id: int) -> Sending:
    """Queue the broadcast for every recipient (key ``broadcast:<id>:<user>``, so a second
    Confirm sends nothing twice) and mark it sent; audited. All in one transaction: a failure
    part-way queues nobody, and the broadcast can be sent again."""
    if broadcast.text is None or broadcast.audience is None:
        raise ValueError(f"broadcast {broadcast.id} has no text or no audience yet")
    now = core.clock()
    audience = Audience.decode(broadcast.audience)
    at = follow_up_time(core, now)
    body = Outgoing(text=html.escape(broadcast.text))
    async with core.database.transaction():
        people = await core.broadcasts.recipients(audience)
        for user_id in people:
            await core.outbox.enqueue(
                f"{BROADCASTS}{broadcast.id}:{user_id}", user_id, body, now, not_before=at
            )
        if await core.broadcasts.queued(broadcast.id, len(people), now):
            await core.audit.record(
                admin_id,
                "broadcast",
                now,
                {"broadcast": broadcast.id, "audience": broadcast.audience, "count": len(people)},
            )
    return Sending(len(people), at)


async def report_broadcasts(core: Core, now: datetime) -> int:
    """Due work: tell each admin how their broadcast went once every message of it is settled
    ("Broadcast 3: delivered 41, blocked 2, failed 0"), with those not sent because the person
    sent /stop, or /forget (their message erased with them), while it waited. Returns how many
    were reported."""
    reported = 0
    for broadcast in await core.broadcasts.unreported():
        tally = await core.outbox.tally(f"{BROADCASTS}{broadcast.id}:")
        if tally.get("pending") or tally.get("sending"):
            continue
        text = (
            f"Broadcast {broadcast.id}: delivered {tally.get('sent', 0)}, "
            f"blocked {tally.get('blocked', 0)}, failed {tally.get('failed', 0)}"
        )
        if tally.get("uncertain"):
            text += f", uncertain {tally['uncertain']} (see /outbox)"
        if tally.get("stopped"):
            text += f", stopped {tally['stopped']} (they sent /stop before it went)"
        erased = (broadcast.recipients or 0) - sum(tally.values())
        if erased > 0:
            text += f", erased {erased} (they asked to be forgotten)"
        await core.outbox.enqueue(
            f"broadcast-report:{broadcast.id}", broadcast.created_by, Outgoing(text=text), now
        )
        await core.broadcasts.reported(broadcast.id, now)
        reported += 1
    return reported
