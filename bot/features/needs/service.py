"""Local needs: the form, a person's own needs, and setting themes by hand. No Telegram here."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from bot.config import Settings
from bot.core import Core
from bot.roles import Role
from conversations.forms import Choice, Form, shortened
from conversations.need import need_form, place_value
from conversations.themes import Explanation
from storage.contributions import Need
from storage.need_inbox import NeedEvent, NeedFilter
from storage.outbox import Outgoing

__all__ = [
    "PAGE_SIZE",
    "STAFF_STATUS",
    "InboxPage",
    "ThemesExplained",
    "abandon_reply",
    "acknowledge",
    "actor_name",
    "explain",
    "forms",
    "inbox_page",
    "mark_done",
    "need_for_staff",
    "needs_of",
    "places",
    "reply",
    "retag",
]

PAGE_SIZE = 10
# A need's status as staff read it.
STAFF_STATUS = {
    "new": "new",
    "acknowledged": "read",
    "responded": "replied",
    "done": "done",
}
# How much of a need the member is reminded of when told what happened to it.
FIRST_WORDS = 60


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


async def needs_of(core: Core, user_id: int) -> tuple[list[Need], dict[int, list[NeedEvent]]]:
    """The person's needs, oldest first, and what happened to each."""
    needs = await core.contributions.needs_of(user_id)
    return needs, await core.need_inbox.events_of([need.id for need in needs])


def _scope(core: Core, staff_id: int) -> Collection[str] | None:
    """The areas whose needs a member of staff sees: a commissioner's own, or (None) all."""
    if core.roles.role_of(staff_id) is Role.ADMIN:
        return None
    return core.roles.areas_of(staff_id)


@dataclass(frozen=True)
class InboxPage:
    needs: list[Need]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


async def inbox_page(core: Core, staff_id: int, wanted: NeedFilter, page: int) -> InboxPage:
    """The needs ``wanted`` selects within the person's areas, newest first, a page of them."""
    scoped = replace(wanted, areas=_scope(core, staff_id))
    needs, total = await core.need_inbox.page(scoped, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    return InboxPage(needs, total, page)


async def need_for_staff(core: Core, staff_id: int, need_id: int) -> Need | None:
    """The need, if it is in the person's areas; None otherwise (or if there is none)."""
    need = await core.need_inbox.get(need_id)
    areas = _scope(core, staff_id)
    if need is None or (areas is not None and need.area not in areas):
        return None
    return need


def actor_name(core: Core, staff_id: int, first_name: str) -> str:
    """How a member is told who acted: "Chris, commissioner for Knowsley"."""
    if core.roles.role_of(staff_id) is Role.ADMIN:
        return f"{first_name}, programme admin"
    names = {area.key: area.name for area in core.settings.programme.areas}
    areas = sorted(names.get(key, key) for key in core.roles.areas_of(staff_id))
    return f"{first_name}, commissioner for {' and '.join(areas)}"


async def _tell_member(core: Core, need: Need, event: NeedEvent, what: str) -> None:
    """ "You said, we did": through the outbox, once per event; nobody if they were forgotten."""
    if need.user_id is None:
        return
    words = html.escape(shortened(need.description, FIRST_WORDS))
    await core.outbox.enqueue(
        f"need-event:{event.id}",
        need.user_id,
        Outgoing(text=f"Your need <b>{need.reference}</b> ({words}): {what}"),
        core.clock(),
    )


async def acknowledge(core: Core, need: Need, staff_id: int, name: str) -> NeedEvent | None:
    """Mark a new need read and tell the member; None if it had been read already."""
    if need.status != "new":
        return None
    event = await core.need_inbox.record(
        need, "acknowledged", actor_id=staff_id, actor_name=name, text=None, now=core.clock()
    )
    await _tell_member(core, need, event, f"{html.escape(name)}, has read it.")
    return event


async def reply(core: Core, need: Need, staff_id: int, name: str, text: str) -> NeedEvent:
    """Send the member a reply to their need, and record it."""
    async with core.database.transaction():
        event = await core.need_inbox.record(
            need, "replied", actor_id=staff_id, actor_name=name, text=text, now=core.clock()
        )
        await core.need_inbox.end_reply(staff_id)
    await _tell_member(core, need, event, f"{html.escape(name)}, replied:\n\n{html.escape(text)}")
    return event


async def abandon_reply(core: Core, staff_id: int) -> str | None:
    """End the reply ``staff_id`` was typing, as their next message is for something else now
    (a broadcast): the need's reference, or None if they were not replying."""
    need_id = await core.need_inbox.pending_reply(staff_id)
    if need_id is None:
        return None
    await core.need_inbox.end_reply(staff_id)
    need = await core.need_inbox.get(need_id)
    return need.reference if need else None


async def mark_done(core: Core, need: Need, staff_id: int, name: str) -> NeedEvent:
    return await core.need_inbox.record(
        need, "done", actor_id=staff_id, actor_name=name, text=None, now=core.clock()
    )


async def retag(core: Core, reference: str, themes: list[str], actor_id: int) -> bool:
    """Set a need's or challenge answer's themes by hand (the admin ``actor_id``, audited),
    kept from then on, and teach the tagger: its text becomes an example of those themes, at
    once. False: no such one."""
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
        await core.audit.record(
            actor_id,
            "retag",
            core.clock(),
            {"reference": contribution.reference, "themes": themes},
        )
    # Refitting takes a fraction of a second: off the event loop, so nobody waits for it.
    await asyncio.to_thread(
        core.tagger.learn, contribution.tagged_text, themes, contribution.reference
    )
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
