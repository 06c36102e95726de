"""Audit: /audit shows the latest admin actions (exports, invites, role changes, broadcasts,
waves, retags, digests sent). Each feature writes its own entries (``core.audit.record``) in
the same transaction as the action; the table is ``audit_log``."""

from bot.features import ADMINS, Command, Feature
from bot.features.audit import handlers

FEATURE = Feature(
    name="audit",
    commands=(
        Command(
            "audit", "The latest admin actions: /audit or /audit N", ADMINS, handlers.audit_command
        ),
    ),
)
