"""Onboarding: the profile form people fill in after agreeing to the privacy notice.

The consent itself comes before any form (nothing is stored without it); ``/profile``
reopens this same form at its summary, with the saved answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from conversations.forms import Choice, ChoiceStep, Form, Person, Submission, TextStep
from storage.participants import PROFILE_FIELDS, ParticipantStore

ONBOARDING = "onboarding"


def telegram_name(person: Person) -> str | None:
    """The name on the person's Telegram profile, offered as a one-tap answer."""
    return person.full_name.strip() or None


def onboarding_form(
    sectors: Sequence[Choice],
    areas: Sequence[Choice],
    participants: ParticipantStore,
    organisation_hint: str = "",
) -> Form:
    """The profile form: name, organisation, sector, area."""

    async def save_profile(submission: Submission) -> str:
        before = await participants.get(submission.person.id)
        profile = {key: str(submission.answers[key]) for key in PROFILE_FIELDS}
        await participants.save_profile(submission.person.id, profile, datetime.now(UTC))
        if before is not None and before.onboarded:
            return "Your profile is saved."
        return f"Thank you, {profile['name']}: you're signed up."

    return Form(
        name=ONBOARDING,
        title="Your profile",
        intro="Four quick questions about you and your group.",
        confirm_label="Save",
        steps=(
            TextStep(
                key="name",
                label="Name",
                prompt="What should we call you?",
                max_length=80,
                suggest=telegram_name,
            ),
            TextStep(
                key="organisation",
                label="Organisation",
                prompt="Which group or organisation are you part of?",
                hint=organisation_hint,
                max_length=120,
            ),
            ChoiceStep(
                key="sector",
                label="Sector",
                prompt="Which of these best describes your organisation?",
                choices=tuple(sectors),
            ),
            ChoiceStep(
                key="area",
                label="Area",
                prompt="Which area does your group mostly work in?",
                choices=tuple(areas),
            ),
        ),
        on_submit=save_profile,
    )
