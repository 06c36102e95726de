"""Needs: voicing a local need (the form), /needs, and for admins /retag (which teaches the
theme tagger) and /themes. Its tables with personal data: ``needs`` (the evidence, a photo or
voice note, identifies the person) and ``theme_examples``."""

from bot.features import ADMINS, EVERYONE, Button, Command, Feature, PersonalData
from bot.features.needs import handlers, service
from bot.roles import Role

FEATURE = Feature(
    name="needs",
    commands=(
        Command(
            "needs",
            "The needs you have voiced, and what happened",
            EVERYONE,
            handlers.needs_command,
            descriptions={
                Role.COMMISSIONER: "Needs raised in your areas",
                Role.ADMIN: "Needs raised in every area",
            },
            menu_labels={Role.COMMISSIONER: "Needs in my areas", Role.ADMIN: "Needs raised"},
        ),
        Command("retag", "Set the themes of a need or answer", ADMINS, handlers.retag_command),
        Command("themes", "Why a need or answer has its themes", ADMINS, handlers.themes_command),
    ),
    buttons=(
        Button(handlers.INBOX_OPEN, handlers.on_inbox_open),
        Button(handlers.INBOX_LIST, handlers.on_inbox_list),
        Button(handlers.INBOX_FILTER, handlers.on_inbox_filter),
        Button(handlers.INBOX_ACTION, handlers.on_inbox_action),
        Button(handlers.INBOX_STOP_REPLY, handlers.on_stop_reply),
    ),
    typed_first=handlers.take_typed_reply,
    forms=service.forms,
    personal_data=(
        PersonalData("needs", contribution=True, identifying=("evidence",)),
        # The text of a retagged need or answer, kept to teach the tagger: it goes (or stays
        # anonymous) with the contribution it came from.
        PersonalData("theme_examples", contribution=True),
    ),
)
