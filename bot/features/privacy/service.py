"""Privacy in practice: a person's copy of their data, erasure on request or after the
retention period, and turning follow-ups off. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core import Core
from storage.inbox import InboxStore
from storage.privacy import erase_person, everything_about

__all__ = ["erase", "erase_expired", "everything_held", "stop_follow_ups"]


async def everything_held(core: Core, user_id: int) -> dict[str, Any] | None:
    """Everything stored about the person, by table; None if nothing is."""
    stored = await everything_about(core.database, user_id, core.personal_data)
    if not any(stored.values()):
        return None
    return {
        "telegram_user_id": user_id,
        "exported_at": core.clock().isoformat(timespec="seconds"),
        **stored,
    }


async def erase(core: Core, user_id: int) -> None:
    """Erase the person, contributions as the programme says, and leave no copy on disk."""
    await erase_person(
        core.database,
        user_id,
        core.personal_data,
        keep_anonymous_contributions=core.settings.programme.keep_anonymous_contributions,
    )
    await core.database.checkpoint()
    await _roles_as_stored(core)


async def _roles_as_stored(core: Core) -> None:
    """After an erasure: an invited commissioner's role went with them, so read the roles
    again; the config's people are seeded back (the config, not the person, decides theirs)."""
    await core.roles.load(core.settings, core.clock())


async def erase_expired(core: Core) -> int:
    """Erase people inactive for longer than ``programme.retention_days``; how many went.

    Each person's inactivity is checked again inside the erasing transaction, so someone
    who came back meanwhile is kept, and so is someone with an update still waiting in the
    inbox (sent while the bot was down, not handled yet).
    """
    cutoff = core.clock() - timedelta(days=core.settings.programme.retention_days)
    inbox = InboxStore(core.database)
    erased = 0
    for user_id in await core.participants.inactive_since(cutoff):
        async with core.database.transaction():
            if not await core.participants.still_inactive(user_id, cutoff):
                continue
            if await inbox.waiting(user_id):  # came back: their update is yet to be handled
                continue
            await erase_person(
                core.database,
                user_id,
                core.personal_data,
                keep_anonymous_contributions=core.settings.programme.keep_anonymous_contributions,
            )
            erased += 1
    if erased:
        await core.database.checkpoint()
        await _roles_as_stored(core)
    return erased


async def stop_follow_ups(core: Core, user_id: int, follow_up_keys: Sequence[str]) -> bool:
    """No more reminders or follow-ups, including those already queued under
    ``follow_up_keys`` (outbox key prefixes) and not sent yet, in one transaction; False if
    the person is not signed up.

    Replies to their own needs ("you said, we did") still reach them: they asked for those,
    and /stop promises only no more reminders and follow-ups."""
    if await core.participants.get(user_id) is None:
        return False
    async with core.database.transaction():
        await core.participants.set_follow_ups(user_id, False)
        await core.outbox.stopped(user_id, follow_up_keys)
    return True
