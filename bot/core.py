"""What the features' services work with: settings, the database and its stores, the clock.

No Telegram here, so the CLI, jobs, exports and benchmarks build a :class:`Core` and call
the same service functions the handlers call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from conversations.themes import rules_from, tag
from storage.contributions import ContributionStore
from storage.database import Database
from storage.drafts import DraftStore
from storage.participants import ParticipantStore
from storage.privacy import PersonalData
from storage.surveys import SurveyStore

__all__ = ["Core", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Core:
    settings: Settings
    database: Database
    participants: ParticipantStore
    contributions: ContributionStore
    surveys: SurveyStore
    drafts: DraftStore
    # The themes a text is about, highest first: how needs and answers are tagged.
    themes_of: Callable[[str], list[str]]
    # Every table with personal data, as the registered features declare them.
    personal_data: Sequence[PersonalData] = ()
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def open(
        cls,
        settings: Settings,
        database: Database,
        personal_data: Sequence[PersonalData] = (),
        clock: Callable[[], datetime] = utc_now,
    ) -> Core:
        """The stores over ``database``, and the theme tagger from the config."""
        rules = rules_from(settings.programme.themes)

        def themes_of(text: str) -> list[str]:
            return tag(text, rules)

        return cls(
            settings=settings,
            database=database,
            participants=ParticipantStore(database),
            contributions=ContributionStore(database),
            surveys=SurveyStore(database),
            drafts=DraftStore(database),
            themes_of=themes_of,
            personal_data=tuple(personal_data),
            clock=clock,
        )
