"""Messaging: updates in (the inbox), how they are handled (per person, in order), and the
limits on what goes out. Declared like a feature for what it owns: the ``inbox`` table (people's
messages as they arrived, erased with them, not part of their copy of their data) and the
daily job that prunes handled updates."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from bot.context import Context, services
from bot.features import Feature, Job, PersonalData
from bot.logs import log_event
from storage.inbox import InboxStore

logger = logging.getLogger(__name__)

KEEP_HANDLED = timedelta(days=1)


async def prune_inbox(context: Context) -> None:
    """Delete updates handled more than a day ago: replay never needs them."""
    core = services(context).core
    pruned = await InboxStore(core.database).prune(core.clock() - KEEP_HANDLED)
    log_event(logger, "inbox_pruned", updates=pruned)


MESSAGING = Feature(
    name="messaging",
    jobs=(Job("prune-inbox", prune_inbox, daily_at=time(3, 0)),),
    personal_data=(PersonalData("inbox", person_column="person", shown=False),),
)
