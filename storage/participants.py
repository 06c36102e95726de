"""Participants: consent, profile, follow-up preference and last activity."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from storage.database import Database, Rider, Writes, fetch_one

PROFILE_FIELDS = ("name", "organisation", "sector", "area")


class Participant(BaseModel):
    user_id: int
    name: str | None
    organisation: str | None
    sector: str | None
    area: str | None
    consent_version: int
    consented_at: datetime
    follow_ups: bool
    onboarded_at: datetime | None
    last_active_at: datetime
    # A deep link scanned before sign-up was finished, followed once it is.
    pending_link: str | None = None

    @property
    def onboarded(self) -> bool:
        return self.onboarded_at is not None


class ParticipantStore:
    """Reads and writes the ``participants`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, user_id: int) -> Participant | None:
        row = await fetch_one(
            self._database.connection, "SELECT * FROM participants WHERE user_id = ?", (user_id,)
        )
        return Participant.model_validate(dict(row)) if row else None

    async def record_consent(self, user_id: int, version: int, now: datetime) -> None:
        """Create the participant on consent, or record their agreement to a newer notice."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "INSERT INTO participants (user_id, consent_version, consented_at,"
                " last_active_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET consent_version = excluded.consent_version,"
                " consented_at = excluded.consented_at, last_active_at = excluded.last_active_at",
                (user_id, version, now.isoformat(), now.isoformat()),
            )

    async def save_profile(self, user_id: int, profile: dict[str, str], now: datetime) -> None:
        """Store the profile answers; the first complete profile marks them onboarded."""
        unknown = set(profile) - set(PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        assignments = "".join(f"{field} = :{field}, " for field in profile)
        async with self._database.transaction() as connection:
            await connection.execute(
                f"UPDATE participants SET {assignments}"
                " onboarded_at = COALESCE(onboarded_at, :now), last_active_at = :now"
                " WHERE user_id = :user_id",
                {**profile, "now": now.isoformat(), "user_id": user_id},
            )

    async def set_follow_ups(self, user_id: int, wanted: bool) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE participants SET follow_ups = ? WHERE user_id = ?", (wanted, user_id)
            )

    async def remember_link(self, user_id: int, payload: str) -> None:
        """Keep a deep link the person scanned before finishing sign-up, to follow after it."""
        async with self._database.transaction() as connection:
            await connection.execute(
                "UPDATE participants SET pending_link = ? WHERE user_id = ?", (payload, user_id)
            )

    async def take_link(self, user_id: int) -> str | None:
        """The deep link waiting for the person's sign-up, cleared as it is taken."""
        async with self._database.transaction() as connection:
            row = await fetch_one(
                connection, "SELECT pending_link FROM participants WHERE user_id = ?", (user_id,)
            )
            await connection.execute(
                "UPDATE participants SET pending_link = NULL WHERE user_id = ?", (user_id,)
            )
        return row[0] if row else None

    def active(self, user_id: int, now: datetime, *, every: timedelta) -> Rider:
        """A rider recording that the person was active: retention counts from it.

        Written at most once per ``every``; someone who is not a participant stays unknown.
        """

        def stamp(writes: Writes) -> None:
            writes.execute(
                "UPDATE participants SET last_active_at = ? WHERE user_id = ?"
                " AND last_active_at < ?",
                (now.isoformat(), user_id, (now - every).isoformat()),
            )

        return stamp

    async def inactive_since(self, cutoff: datetime) -> list[int]:
        """Participants not active since ``cutoff``: their data has passed its retention."""
        return [
            row[0]
            for row in await self._database.connection.execute_fetchall(
                "SELECT user_id FROM participants WHERE last_active_at < ?", (cutoff.isoformat(),)
            )
        ]

    async def still_inactive(self, user_id: int, cutoff: datetime) -> bool:
        """Whether the person is still a participant with no activity since ``cutoff``.

        Called inside the erasing transaction: someone who came back is not erased.
        """
        return (
            await fetch_one(
                self._database.connection,
                "SELECT 1 FROM participants WHERE user_id = ? AND last_active_at < ?",
                (user_id, cutoff.isoformat()),
            )
            is not None
        )

    async def count_by(self, field: str) -> dict[str, int]:
        """How many onboarded participants have each value of a profile field."""
        if field not in PROFILE_FIELDS:
            raise ValueError(f"not a profile field: {field}")
        return {
            row[0]: row[1]
            for row in await self._database.connection.execute_fetchall(
                f"SELECT {field}, COUNT(*) FROM participants WHERE onboarded_at IS NOT NULL"
                f" GROUP BY {field} ORDER BY {field}"
            )
        }
