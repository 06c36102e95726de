"""The runtime, declared like a feature for what it owns: the ``inbox`` table (people's
messages as they arrived) and the ``outbox`` and ``unreachable`` tables (what the bot sends
them on its own, and whether they blocked it), all erased with them and not part of their copy
of their data; the daily job that prunes handled updates, and the scheduler tick that runs
every feature's due work."""

from __future__ import annotations

import html
import logging
from datetime import time, timedelta

from telegram import Update

from bot.context import Context, sender, services
from bot.features import ADMINS, Command, Feature, Job, PersonalData
from bot.logs import log_event
from storage.inbox import InboxStore

logger = logging.getLogger(__name__)

KEEP_HANDLED = timedelta(days=1)
TICK_EVERY = timedelta(minutes=1)


async def prune_inbox(context: Context) -> None:
    """Delete updates handled more than a day ago: replay never needs them."""
    core = services(context).core
    pruned = await InboxStore(core.database).prune(core.clock() - KEEP_HANDLED)
    log_event(logger, "inbox_pruned", updates=pruned)


async def tick(context: Context) -> None:
    """The one scheduler tick: each feature's due work asks the database what is due now and
    queues it in the outbox (so a restart neither loses nor doubles it); then send."""
    shared = services(context)
    now = shared.core.clock()
    for feature in shared.features:
        for work in feature.due:
            try:
                await work(shared.core, now)
            except Exception:  # one feature's failure must not stop the others' work
                logger.exception("event=tick_failed feature=%s", feature.name)
    if shared.core.database.checkpoint_owed:  # erased text an export's snapshot held back
        await shared.core.database.checkpoint()
    shared.sender.wake()


PROBLEMS_SHOWN = 5
STATUS_WORDS = {
    "pending": "waiting to be sent",
    "sending": "being sent now",
    "sent": "sent",
    "failed": "failed",
    "blocked": "not sent: the person blocked the bot",
    "uncertain": "uncertain: the bot stopped while sending (not sent again)",
}


async def outbox_command(update: Update, context: Context) -> None:
    """/outbox: what the bot has sent on its own, by status, and the latest problems."""
    outbox = services(context).core.outbox
    counts = await outbox.counts()
    lines = ["<b>Messages the bot sends on its own</b>", ""]
    lines += [
        f"{words}: {counts[status]}" for status, words in STATUS_WORDS.items() if status in counts
    ]
    if not counts:
        lines.append("Nothing yet.")
    problems = await outbox.latest_problems(PROBLEMS_SHOWN)
    if problems:
        lines += ["", "<b>Latest problems</b>"]
        lines += [
            f"{row.created_at:%d %b %H:%M} · {html.escape(row.key)} · "
            f"{html.escape(row.last_error or row.status)}"
            for row in problems
        ]
    await sender(update).reply(context, "\n".join(lines))


MESSAGING = Feature(
    name="messaging",
    commands=(
        Command(
            "outbox",
            "Messages the bot sends on its own: sent, waiting, failed",
            ADMINS,
            outbox_command,
        ),
    ),
    jobs=(
        Job("prune-inbox", prune_inbox, daily_at=time(3, 0)),
        Job("tick", tick, every=TICK_EVERY),
    ),
    personal_data=(
        PersonalData("inbox", person_column="person", shown=False),
        PersonalData("outbox", person_column="chat_id", shown=False),
        PersonalData("unreachable", person_column="chat_id", shown=False),
    ),
)
