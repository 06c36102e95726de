"""Invites: /invite makes a single-use link (``inv_<code>``, 7 days) that makes whoever opens
it a commissioner; /commissioners lists them; /revoke ends an invited one's role. Its table:
``invites``; roles themselves are in ``roles`` (bot/roles.py)."""

from bot.features import ADMINS, Command, DeepLink, Feature, PersonalData
from bot.features.invites import handlers, service

FEATURE = Feature(
    name="invites",
    commands=(
        Command(
            "invite",
            "Invite a commissioner: /invite commissioner AREAS",
            ADMINS,
            handlers.invite_command,
        ),
        Command(
            "commissioners",
            "The commissioners and their areas",
            ADMINS,
            handlers.commissioners_command,
        ),
        Command(
            "revoke",
            "End an invited commissioner's role: /revoke ID",
            ADMINS,
            handlers.revoke_command,
        ),
    ),
    deep_links=(DeepLink(service.INVITE_PREFIX, handlers.open_invite),),
    personal_data=(PersonalData("invites", person_column="used_by"), PersonalData("roles")),
)
