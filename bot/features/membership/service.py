"""Joining and the profile: consent, follow-ups, the onboarding form. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import Core
from conversations.forms import Choice, Form
from conversations.onboarding import onboarding_form
from storage.participants import PROFILE_FIELDS, Participant

__all__ = [
    "consented",
    "forms",
    "participant",
    "profile_answers",
    "record_consent",
    "resume_follow_ups",
]


async def participant(core: Core, user_id: int) -> Participant | None:
    return await core.participants.get(user_id)


def consented(core: Core, person: Participant | None) -> bool:
    """Whether the person has agreed to the privacy notice as it is now."""
    version = core.settings.programme.privacy.version
    return person is not None and person.consent_version >= version


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
