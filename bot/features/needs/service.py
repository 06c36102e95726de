"""Local needs: the form, a person's own needs, and setting themes by hand. No Telegram here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.core import Core
from conversations.forms import Choice, Form
from conversations.need import need_form, place_value
from conversations.themes import Explanation
from storage.contributions import Need

__all__ = ["ThemesExplained", "explain", "forms", "needs_of", "places", "retag"]


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
    """Set a need's or challenge answer's themes by hand, kept from then on, and teach the
    tagger: its text becomes an example of those themes, at once. False: no such one."""
    contribution = await core.contributions.by_reference(reference)
    if contribution is None:
        return False
    async with core.database.transaction():
        await core.contributions.retag(contribution, themes)
        await core.theme_examples.add(
            contribution.tagged_text,
            themes,
            contribution.reference,
            core.clock(),
            user_id=contribution.user_id,
        )
    core.tagger.learn(contribution.tagged_text, themes, source=contribution.reference)
    return True


@dataclass(frozen=True)
class ThemesExplained:
    """Why a need or answer has its themes: as stored, and what the tagger sees in it now."""

    reference: str
    themes: list[str]
    by_admin: bool
    explanation: Explanation


async def explain(core: Core, reference: str) -> ThemesExplained | None:
    contribution = await core.contributions.by_reference(reference)
    if contribution is None:
        return None
    return ThemesExplained(
        contribution.reference,
        contribution.themes,
        contribution.themes_by_admin,
        core.tagger.explain(contribution.tagged_text),
    )


def forms(core: Core) -> Sequence[Form]:
    programme = core.settings.programme
    return [
        need_form(programme.need_form, places(core.settings), core.contributions, core.themes_of)
    ]
