"""Digests: each commissioner's weekly digest for their areas, queued by the scheduler tick;
/digest preview and /digest send for admins. Its own tables: none (it reads needs, challenge
answers and surveys, and queues in the outbox)."""

from bot.features import ADMINS, Command, Feature
from bot.features.digests import handlers, service

FEATURE = Feature(
    name="digests",
    commands=(
        Command(
            "digest",
            "Weekly digest: /digest preview, /digest send",
            ADMINS,
            handlers.digest_command,
        ),
    ),
    due=(service.due_digests,),
)
