"""Local needs: the form, a person's own needs, and setting themes by hand. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Settings
from bot.core import Core
from conversations.forms import Choice, Form
from conversations.need import need_form, place_value
from storage.contributions import Need

__all__ = ["forms", "needs_of", "places", "retag"]


def places(settings: Settings) -> list[Choice]:
    """Where a need can be: each neighbourhood, then each area as a whole."""
    areas = settings.programme.areas
    choices = []
    for area in areas:
        prefix = f"{area.name}: " if len(areas) > 1 else ""
        choices += [
            Choice(place_value(area.key, hood), prefix + hood) for hood in area.neighbourhoods
        ]
        choices.append(Choice(place_value(area.key), f"Across {area.name}"))
    return choices


async def needs_of(core: Core, user_id: int) -> list[Need]:
    """The person's needs, oldest first."""
    return await core.contributions.needs_of(user_id)


async def retag(core: Core, reference: str, themes: list[str]) -> bool:
    """Set a need's or challenge answer's themes by hand, kept from then on; False: no such."""
    return await core.contributions.retag(reference, themes)


def forms(core: Core) -> Sequence[Form]:
    programme = core.settings.programme
    return [
        need_form(programme.need_form, places(core.settings), core.contributions, core.themes_of)
    ]
