"""Figures for staff: sign-ups by sector and area. No Telegram here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import Core

__all__ = ["Signups", "signups"]


@dataclass(frozen=True)
class Signups:
    """Onboarded participants by sector and by area, named as the programme names them."""

    by_sector: dict[str, int]
    by_area: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_sector.values())


async def signups(core: Core) -> Signups:
    programme = core.settings.programme
    sector_names = {sector.key: sector.name for sector in programme.sectors}
    area_names = {area.key: area.name for area in programme.areas}
    by_sector = await core.participants.count_by("sector")
    by_area = await core.participants.count_by("area")
    return Signups(
        by_sector={sector_names.get(key, key): count for key, count in by_sector.items()},
        by_area={area_names.get(key, key): count for key, count in by_area.items()},
    )
