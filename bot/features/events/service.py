"""Workshop and listening events: codes, QR codes, attendance, closing (which opens the event's
after survey for its attendees and invites them), and the list. No Telegram here."""

from __future__ import annotations

import html
import io
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

import segno

from bot.core import Core, follow_up_time
from bot.features.surveys import service as surveys
from bot.roles import Role
from conversations.survey import FORM_NAMES
from storage.events import Event, EventSummary
from storage.outbox import Outgoing

__all__ = [
    "CODE_LENGTH",
    "LINK_PREFIX",
    "Closing",
    "before_survey_offer",
    "close",
    "create",
    "deep_link",
    "event_to_join",
    "qr_png",
    "record_attendance",
    "summaries",
]

LINK_PREFIX = "ev"
CODE_LENGTH = 8
_CODE_LETTERS = string.ascii_lowercase + string.digits
# A QR code for a slide: big modules and the standard quiet zone, read from across a room.
QR_SCALE, QR_BORDER = 10, 4
TAKE_AFTER = [[("Take the after survey", "menu:survey")]]
AFTER_INVITATION = (
    "Thank you for coming to <b>{name}</b>. The after survey is open for you now: the same "
    "quick questions as before, to see what changed. It takes a minute."
)


def new_code() -> str:
    """A short code nobody can guess: 8 letters and digits (36^8, about 2.8 million million)."""
    return "".join(secrets.choice(_CODE_LETTERS) for _ in range(CODE_LENGTH))


def deep_link(bot_username: str, code: str) -> str:
    """The link that joins the event: https://t.me/<bot>?start=ev_<code>."""
    return f"https://t.me/{bot_username}?start={LINK_PREFIX}_{code}"


def qr_png(link: str) -> bytes:
    """The link as a QR code PNG, big enough for a slide."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


async def create(core: Core, name: str, admin_id: int) -> Event:
    """A new open event under a fresh code; audited in the same transaction."""
    now = core.clock()
    async with core.database.transaction():
        event = await core.events.create(new_code(), name, admin_id, now)
        await core.audit.record(admin_id, "event_new", now, {"code": event.code, "name": name})
    return event


async def event_to_join(core: Core, code: str) -> tuple[Event | None, str]:
    """The open event with ``code``, or None and why it cannot be joined."""
    event = await core.events.get(code)
    if event is None:
        return None, (
            "Sorry, I don't know that event. Please check the link or scan the QR code again."
        )
    if event.closed_at is not None:
        return None, f"The event {event.name} has finished, so it can't be joined any more."
    return event, ""


async def record_attendance(core: Core, code: str, user_id: int) -> bool:
    """Record the person at the event; False if they were recorded already."""
    return await core.events.attend(code, user_id, core.clock())


async def before_survey_offer(core: Core, user_id: int) -> tuple[bool, datetime | None]:
    """Whether to offer the before survey now, and when they answered it (if they have)."""
    answered = await core.surveys.of(user_id)
    if "before" in answered:
        return False, answered["before"].answered_at
    form, _, retake = await surveys.due_survey(core, user_id)
    return form == FORM_NAMES["before"] and not retake, None


@dataclass(frozen=True)
class Closing:
    """What closing an event did: None if there was no open event by that code (``problem``
    says why); how many attendees were invited to the after survey, and how many were not
    (``after_closed``: none, as an admin has closed the after survey for everyone)."""

    event: Event | None
    problem: str = ""
    invited: int = 0
    not_invited: int = 0
    after_closed: bool = False


async def close(core: Core, code: str, admin_id: int) -> Closing:
    """Close the event, which opens its after survey for the attendees; invite each of them
    through the outbox (not staff, nor anyone who sent /stop, never took the before survey or
    already took the after one), after the quiet hours. Audited, all in one transaction."""
    now = core.clock()
    event = await core.events.get(code)
    if event is None:
        return Closing(None, f"There is no event {code}. /events lists them.")
    # One transaction: an event is never left closed with some attendees not invited.
    async with core.database.transaction():
        if not await core.events.close(code, now):
            return Closing(None, f"{event.name} ({code}) was closed already.")
        invited = not_invited = 0
        after_closed = (await core.surveys.wave_states()).get("after") == "closed"
        at = follow_up_time(core, now)
        body = Outgoing(
            text=AFTER_INVITATION.format(name=html.escape(event.name)), buttons=TAKE_AFTER
        )
        for user_id in await core.events.attendees(code):
            person = await core.participants.get(user_id)
            answered = await core.surveys.of(user_id)
            if (
                not after_closed
                and person is not None
                and person.follow_ups
                and "before" in answered
                and "after" not in answered
                and core.roles.role_of(user_id) is Role.MEMBER
            ):
                invited += await core.outbox.enqueue(
                    surveys.event_invitation_key(event.code, user_id),
                    user_id,
                    body,
                    now,
                    not_before=at,
                )
            else:
                not_invited += 1
        await core.audit.record(
            admin_id,
            "event_close",
            now,
            {"code": code, "invited": invited, "not_invited": not_invited},
        )
    return Closing(event, invited=invited, not_invited=not_invited, after_closed=after_closed)


async def summaries(core: Core) -> list[EventSummary]:
    return await core.events.summaries()
