"""Membership: consent, the profile form, the main menu, /start, /menu, /profile, /cancel,
/help. Its tables: ``participants`` and ``drafts`` (the forms people are filling in)."""

from bot.features import EVERYONE, Button, Command, Feature, PersonalData
from bot.features.membership import handlers, service

FEATURE = Feature(
    name="membership",
    commands=(
        Command(
            "start", "Join the programme, or pick up where you left off", EVERYONE, handlers.start
        ),
        Command("menu", "Buttons for everything you can do", EVERYONE, handlers.menu_command),
        Command("profile", "See or change your profile", EVERYONE, handlers.profile_command),
        Command("cancel", "Stop the form you are filling in", EVERYONE, handlers.cancel_command),
        Command("help", "What you can do here", EVERYONE, handlers.help_command),
    ),
    buttons=(
        Button(handlers.CONSENT_PATTERN, handlers.on_consent),
        Button(handlers.MENU_PATTERN, handlers.on_menu_button),
    ),
    forms=service.forms,
    personal_data=(PersonalData("drafts"), PersonalData("participants")),
)
