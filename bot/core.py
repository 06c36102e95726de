"""What the features' services work with: settings, the database and its stores, the clock.

No Telegram here, so the CLI, jobs, exports and benchmarks build a :class:`Core` and call
the same service functions the handlers call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from bot.roles import StaffRoles
from bot.theme_tagging import tagger_for
from bot.timing import after_quiet_hours, clock_time
from conversations.themes import ThemeTagger
from storage.audit import AuditLog
from storage.broadcasts import BroadcastStore
from storage.contributions import ContributionStore
from storage.database import Database
from storage.drafts import DraftStore
from storage.events import EventStore
from storage.need_inbox import NeedInboxStore
from storage.outbox import OutboxStore
from storage.participants import ParticipantStore
from storage.privacy import PersonalData
from storage.roles import RoleStore
from storage.stats import StatsStore
from storage.surveys import SurveyStore
from storage.themes import ThemeExample, ThemeExampleStore

__all__ = ["Core", "follow_up_time", "utc_now"]


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
    outbox: OutboxStore
    need_inbox: NeedInboxStore
    theme_examples: ThemeExampleStore
    # Who is an admin or a commissioner: loaded from the database at start (StaffRoles.load).
    roles: StaffRoles
    audit: AuditLog
    events: EventStore
    stats: StatsStore
    broadcasts: BroadcastStore
    # Tags needs and answers with the programme's themes; learns from admins' corrections.
    tagger: ThemeTagger
    # Every table with personal data, as the registered features declare them.
    personal_data: Sequence[PersonalData] = ()
    clock: Callable[[], datetime] = field(default=utc_now)

    def themes_of(self, text: str) -> list[str]:
        """The themes ``text`` is about, highest first."""
        return self.tagger.tag(text)

    @classmethod
    def open(
        cls,
        settings: Settings,
        database: Database,
        personal_data: Sequence[PersonalData] = (),
        clock: Callable[[], datetime] = utc_now,
        learned: Sequence[ThemeExample] = (),
    ) -> Core:
        """The stores over ``database``, and the theme tagger from the config and what it
        has ``learned`` (the admins' corrections, as stored)."""
        return cls(
            settings=settings,
            database=database,
            participants=ParticipantStore(database),
            contributions=ContributionStore(database),
            surveys=SurveyStore(database),
            drafts=DraftStore(database),
            outbox=OutboxStore(database),
            need_inbox=NeedInboxStore(database),
            theme_examples=ThemeExampleStore(database),
            roles=StaffRoles(RoleStore(database)),
            audit=AuditLog(database),
            events=EventStore(database),
            stats=StatsStore(database),
            broadcasts=BroadcastStore(database),
            tagger=tagger_for(settings.programme, [e.as_pair() for e in learned]),
            personal_data=tuple(personal_data),
            clock=clock,
        )


def follow_up_time(core: Core, now: datetime) -> datetime:
    """The earliest a follow-up may go out: now, or when the quiet hours end."""
    schedules = core.settings.programme.schedules
    return after_quiet_hours(
        now,
        core.settings.tz,
        clock_time(schedules.quiet_hours_start),
        clock_time(schedules.quiet_hours_end),
    )
