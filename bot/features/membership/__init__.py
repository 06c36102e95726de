"""Membership: consent, the profile form, the main menu, /start, /menu, /profile, /cancel,
/help. Its tables: ``participants`` and ``drafts`` (the forms people are filling in)."""

from bot.features import EVERYONE, Button, Command, Feature, PersonalData
from bot.features.membership import handlers, service
from bot.roles import Role

MEMBERS = frozenset({Role.MEMBER})

FEATURE = Feature(
    name="membership",
    commands=(
        Command(
            "start",
            "Join the programme, or pick up where you left off",
            EVERYONE,
            handlers.start,
            descriptions={
                Role.COMMISSIONER: "Your welcome, and buttons for your work",
                Role.ADMIN: "Your welcome, and buttons for your work",
            },
        ),
        Command(
            "menu",
            "Buttons for everything you can do",
            EVERYONE,
            handlers.menu_command,
            descriptions={
                Role.COMMISSIONER: "Buttons for your work",
                Role.ADMIN: "Buttons for your work",
            },
        ),
        # Members only in /help and the menus; anyone may still send it.
        Command("profile", "See or change your profile", MEMBERS, handlers.profile_command),
        Command("cancel", "Stop the form you are filling in", MEMBERS, handlers.cancel_command),
        Command("help", "What you can do here", EVERYONE, handlers.help_command),
    ),
    buttons=(
        Button(handlers.CONSENT_PATTERN, handlers.on_consent),
        Button(handlers.MENU_PATTERN, handlers.on_menu_button),
        Button(handlers.COMMAND_PATTERN, handlers.on_command_button),
    ),
    forms=service.forms,
    due=(service.follow_up_forms,),
    follow_ups=(service.NUDGES, service.EXPIRIES),
    personal_data=(PersonalData("drafts"), PersonalData("participants")),
)
