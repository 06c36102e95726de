"""The two programme challenges, as forms worded from the config. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import Core
from conversations.challenges import challenge_form
from conversations.forms import Form

__all__ = ["forms"]


def forms(core: Core) -> Sequence[Form]:
    return [
        challenge_form(challenge, core.contributions, core.participants, core.themes_of)
        for challenge in core.settings.programme.challenges
    ]
