"""Joining and the profile: consent, follow-ups, the onboarding form. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core import Core, follow_up_time
from conversations.forms import Choice, Form
from conversations.onboarding import onboarding_form
from storage.outbox import Outgoing
from storage.participants import PROFILE_FIELDS, Participant

__all__ = [
    "EXPIRIES",
    "NUDGES",
    "consented",
    "follow_up_forms",
    "forms",
    "participant",
    "profile_answers",
    "record_consent",
    "resume_follow_ups",
    "signed_up",
]

# Outbox key prefixes of the follow-ups this queues for members (the feature declares them,
# so /stop withdraws those still waiting).
NUDGES = "nudge:"
EXPIRIES = "expired:"


async def participant(core: Core, user_id: int) -> Participant | None:
    return await core.participants.get(user_id)


def consented(core: Core, person: Participant | None) -> bool:
    """Whether the person has agreed to the privacy notice as it is now."""
    version = core.settings.programme.privacy.version
    return person is not None and person.consent_version >= version


async def signed_up(core: Core, user_id: int) -> bool:
    """Whether the person has agreed to the current notice and saved their profile."""
    person = await participant(core, user_id)
    return consented(core, person) and person is not None and person.onboarded


async def record_consent(core: Core, user_id: int) -> Participant:
    """Store the person's agreement to the current notice (creating them on first consent)."""
    version = core.settings.programme.privacy.version
    await core.participants.record_consent(user_id, version, core.clock())
    stored = await core.participants.get(user_id)
    assert stored is not None  # just written
    return stored


async def resume_follow_ups(core: Core, person: Participant) -> bool:
    """Turn reminders back on after /stop; True if they had been off."""
    if person.follow_ups:
        return False
    await core.participants.set_follow_ups(person.user_id, True)
    return True


def profile_answers(person: Participant) -> dict[str, object]:
    """The saved profile, as the onboarding form's answers (for /profile)."""
    return {field: getattr(person, field) for field in PROFILE_FIELDS}


def forms(core: Core) -> Sequence[Form]:
    programme = core.settings.programme
    return [
        onboarding_form(
            sectors=[Choice(sector.key, sector.name) for sector in programme.sectors],
            areas=[Choice(area.key, area.name) for area in programme.areas],
            participants=core.participants,
            organisation_hint=programme.organisation_hint,
        )
    ]


SECOND_NUDGE_AFTER = timedelta(hours=72)
NUDGE = (
    "You started a form and haven't finished it yet. Everything you answered is saved: "
    "tap Continue to carry on where you left off."
)
EXPIRED = (
    "The form you started {days} days ago was never finished, so we've cleared it: nothing "
    "from it was kept. Send /menu to start again whenever you like."
)


async def follow_up_forms(core: Core, now: datetime) -> None:
    """Due work: nudge unfinished forms (after ``nudge_after_hours``, again after 72 hours,
    then never) and discard those untouched for ``draft_expiry_days``, saying so. Nothing for
    people who sent /stop; nothing in the quiet hours (it waits for them to end)."""
    schedules = core.settings.programme.schedules
    expiry = timedelta(days=schedules.draft_expiry_days)
    at = follow_up_time(core, now)
    for draft in await core.drafts.idle_since(now - timedelta(hours=schedules.nudge_after_hours)):
        idle = now - draft.updated_at
        if idle >= expiry:
            await core.drafts.discard(draft.id)
            if draft.follow_ups:
                text = EXPIRED.format(days=schedules.draft_expiry_days)
                await core.outbox.enqueue(
                    f"{EXPIRIES}{draft.id}", draft.user_id, Outgoing(text=text), now, not_before=at
                )
        elif draft.follow_ups:
            which = 2 if idle >= SECOND_NUDGE_AFTER else 1
            await core.outbox.enqueue(
                f"{NUDGES}{draft.id}:{which}",
                draft.user_id,
                Outgoing(text=NUDGE, buttons=[[("Continue", "menu:resume")]]),
                now,
                not_before=at,
            )
