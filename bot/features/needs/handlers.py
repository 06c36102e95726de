"""/needs: a member's own needs, or for staff the needs in their areas (list, filters, the
whole need, Acknowledge, Reply, Mark done); /retag and /themes for admins."""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass, replace

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.context import Context, sender, services
from bot.core import Core
from bot.features.broadcast import service as broadcast
from bot.features.needs import service
from bot.roles import REFUSALS, Role
from conversations.forms import check_text, shortened
from conversations.need import NEED
from conversations.themes import UnknownThemes, parse_theme_keys
from storage.contributions import Need, NeedStatus
from storage.need_inbox import NeedEvent, NeedFilter

STATUS_WORDS = {
    "new": "New: waiting for a commissioner to read it",
    "acknowledged": "Read by a commissioner",
    "responded": "A commissioner has replied",
    "done": "Done",
}
STAFF_STATUS = service.STAFF_STATUS
PREVIEW_LENGTH = 80
REPLY_PREVIEW = 300
# Room for the list in one Telegram message (4,096 characters), with the heading.
MESSAGE_BUDGET = 3800
REPLY_LIMIT = 2000
RETAG_USAGE = (
    "Use: /retag REFERENCE THEME,THEME (for example /retag N-0042 "
    "community_engagement,partnership_working), or /retag REFERENCE none.\n\nThemes: "
)


async def needs_command(update: Update, context: Context) -> None:
    """/needs: a member's own needs and what happened; for staff, the needs in their areas."""
    core = services(context).core
    who = sender(update)
    if core.roles.role_of(who.user.id) is not Role.MEMBER:
        await show_inbox(update, context, ListState(), edit=False)
        return
    needs, events = await service.needs_of(core, who.user.id)
    if not needs:
        await who.reply(
            context,
            "You haven't voiced any needs yet.",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("Voice a local need", callback_data=f"menu:{NEED}")
            ),
        )
        return
    blocks = [_member_block(core, need, events[need.id]) for need in needs]
    shown: list[str] = []
    while blocks and sum(map(len, shown)) + len(blocks[-1]) < MESSAGE_BUDGET:
        shown.insert(0, blocks.pop())
    heading = (
        "Your needs:" if not blocks else f"The latest {len(shown)} of your {len(needs)} needs:"
    )
    await who.reply(context, heading + "\n\n" + "\n\n".join(shown))


def _place(core: Core, need: Need) -> str:
    area_names = {area.key: area.name for area in core.settings.programme.areas}
    return need.neighbourhood or area_names.get(need.area, need.area)


def _member_block(core: Core, need: Need, events: list[NeedEvent]) -> str:
    preview = html.escape(shortened(need.description, PREVIEW_LENGTH))
    place = html.escape(_place(core, need))
    lines = [
        f"<b>{need.reference}</b> · {place} · {need.created_at:%d %b %Y}",
        preview,
        f"<i>{STATUS_WORDS[need.status]}</i>",
    ]
    replies = [event for event in events if event.kind == "replied" and event.text]
    if replies:
        latest = replies[-1]
        lines.append(
            f"{html.escape(latest.actor_name)} replied on {latest.created_at:%d %b}: "
            f"“{html.escape(shortened(latest.text or '', REPLY_PREVIEW))}”"
        )
    return "\n".join(lines)


async def retag_command(update: Update, context: Context) -> None:
    """/retag REF THEMES: set a need's or challenge answer's themes by hand, for good."""
    core = services(context).core
    who = sender(update)
    themes = {theme.key: theme.name for theme in core.settings.programme.themes}
    usage = RETAG_USAGE + ", ".join(themes)
    if not context.args or len(context.args) != 2:
        await who.reply(context, html.escape(usage))
        return
    reference, wanted = context.args
    try:
        chosen = parse_theme_keys(wanted, list(themes))
    except UnknownThemes as error:
        await who.reply(
            context, html.escape(f"Unknown theme: {', '.join(error.unknown)}. {usage}")
        )
        return
    if not await service.retag(core, reference, chosen, who.user.id):
        await who.reply(context, html.escape(f"There is no need or answer {reference}."))
        return
    names = ", ".join(themes[theme] for theme in chosen) or "no themes"
    await who.reply(
        context,
        html.escape(f"{reference.upper()} is now tagged: {names}. This stays as you set it."),
    )


THEMES_USAGE = "Use: /themes REFERENCE (for example /themes N-0042)."
# The themes explained, closest first: enough to see why, short enough for a phone.
THEMES_EXPLAINED = 3


async def themes_command(update: Update, context: Context) -> None:
    """/themes REF: why a need or challenge answer has its themes."""
    core = services(context).core
    who = sender(update)
    if not context.args or len(context.args) != 1:
        await who.reply(context, THEMES_USAGE)
        return
    found = await service.explain(core, context.args[0])
    if found is None:
        await who.reply(context, html.escape(f"There is no need or answer {context.args[0]}."))
        return
    names = {theme.key: theme.name for theme in core.settings.programme.themes}
    tagged = ", ".join(names.get(key, key) for key in found.themes) or "no theme"
    how = "set by an admin with /retag" if found.by_admin else "found by the tagger"
    lines = [f"<b>{found.reference}</b>: {html.escape(tagged)} ({how})", ""]
    explanation = found.explanation
    lines.append(f"<i>Read again now: {html.escape(explanation.reason)}.</i>")
    for score in explanation.scores[:THEMES_EXPLAINED]:
        lines += ["", f"<b>{html.escape(names.get(score.key, score.key))}</b>: {score.score:.2f}"]
        if score.terms:
            lines.append("Words that count: " + html.escape(", ".join(score.terms)))
        elif score.keywords:
            lines.append("Keywords: " + html.escape(", ".join(score.keywords)))
        if score.nearest:
            nearest = score.nearest[0]
            lines.append(
                f"Nearest example ({nearest.similarity:.2f}): "
                f"“{html.escape(shortened(nearest.example.text, PREVIEW_LENGTH))}”"
            )
    await who.reply(context, "\n".join(lines))


# --- The commissioners' and admins' inbox -------------------------------------------------

INBOX_OPEN = r"inbox:(\d{1,9})"
INBOX_LIST = r"inbox:l:(\d{1,4}(?:\.\d{1,3}){4})"
INBOX_FILTER = r"inbox:f:([atsu]):(\d{1,4}(?:\.\d{1,3}){4})"
INBOX_ACTION = r"inbox:(ack|reply|done):(\d{1,9})"
INBOX_STOP_REPLY = r"inbox:stop"
STATUSES: tuple[NeedStatus, ...] = ("new", "acknowledged", "responded", "done")
NOT_YOURS = "That need is not in your areas, or no longer exists."
DIMENSIONS = {"a": "Area", "t": "Theme", "s": "Status", "u": "Urgency"}


@dataclass(frozen=True)
class ListState:
    """Where the inbox list is: its page and filters (0: any; n: the n-th option)."""

    page: int = 0
    area: int = 0
    theme: int = 0
    status: int = 0
    urgency: int = 0

    def encode(self) -> str:
        return ".".join(
            str(n) for n in (self.page, self.area, self.theme, self.status, self.urgency)
        )

    @classmethod
    def decode(cls, text: str) -> ListState:
        page, area, theme, status, urgency = (int(part) for part in text.split("."))
        return cls(page, area, theme, status, urgency)

    def choosing(self, dimension: str, value: int) -> ListState:
        field = {"a": "area", "t": "theme", "s": "status", "u": "urgency"}[dimension]
        return replace(self, page=0, **{field: value})

    def chosen(self, dimension: str) -> int:
        return {"a": self.area, "t": self.theme, "s": self.status, "u": self.urgency}[dimension]


def _options(core: Core, dimension: str) -> list[tuple[str, str]]:
    """(key, label) of each option of a filter, in the config's order."""
    programme = core.settings.programme
    if dimension == "a":
        return [(area.key, area.name) for area in programme.areas]
    if dimension == "t":
        return [(theme.key, theme.name) for theme in programme.themes]
    if dimension == "s":
        return [(status, STAFF_STATUS[status]) for status in STATUSES]
    return [(option.key, option.label) for option in programme.need_form.urgency_options]


def _picked(core: Core, state: ListState, dimension: str) -> tuple[str, str] | None:
    options = _options(core, dimension)
    index = state.chosen(dimension) - 1
    return options[index] if 0 <= index < len(options) else None


def _filter_of(core: Core, state: ListState) -> NeedFilter:
    def key(dimension: str) -> str | None:
        picked = _picked(core, state, dimension)
        return picked[0] if picked else None

    status = key("s")
    return NeedFilter(
        areas=None,
        area=key("a"),
        theme=key("t"),
        status=next((s for s in STATUSES if s == status), None),
        urgency=key("u"),
    )


async def show_inbox(update: Update, context: Context, state: ListState, *, edit: bool) -> None:
    """One page of the needs in the person's areas, with buttons to open and filter them."""
    core = services(context).core
    who = sender(update)
    found = await service.inbox_page(core, who.user.id, _filter_of(core, state), state.page)
    urgency = dict(_options(core, "u"))
    scope = "every area" if core.roles.role_of(who.user.id) is Role.ADMIN else "your areas"
    filters_on = [
        f"{DIMENSIONS[d].lower()} {picked[1]}"
        for d in DIMENSIONS
        if (picked := _picked(core, state, d)) is not None
    ]
    lines = [f"<b>Needs raised in {scope}</b>: {found.total}"]
    if filters_on:
        lines.append(f"<i>Showing only: {html.escape(', '.join(filters_on))}</i>")
    if found.pages > 1:
        lines.append(f"Page {found.page + 1} of {found.pages}, newest first.")
    if not found.needs:
        lines.append("\nNo needs to show." if filters_on else "\nNo needs have been raised yet.")
    rows: list[list[InlineKeyboardButton]] = []
    for need in found.needs:
        how_urgent = html.escape(urgency.get(need.urgency, need.urgency))
        lines.append(
            f"\n<b>{need.reference}</b> · {html.escape(_place(core, need))} · {how_urgent} · "
            f"{STAFF_STATUS[need.status]}\n"
            + html.escape(shortened(need.description, PREVIEW_LENGTH))
        )
        rows.append(
            [InlineKeyboardButton(f"Open {need.reference}", callback_data=f"inbox:{need.id}")]
        )
    pages = []
    if state.page > 0:
        pages.append(_list_button("Newer", replace(state, page=state.page - 1)))
    if state.page + 1 < found.pages:
        pages.append(_list_button("Older", replace(state, page=state.page + 1)))
    if pages:
        rows.append(pages)
    rows.append(
        [
            InlineKeyboardButton(label, callback_data=f"inbox:f:{d}:{state.encode()}")
            for d, label in DIMENSIONS.items()
        ]
    )
    if filters_on:
        rows.append([_list_button("Show all", ListState())])
    await _show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=edit)


def _list_button(label: str, state: ListState) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"inbox:l:{state.encode()}")


async def _show(
    update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup, *, edit: bool
) -> None:
    """Edit the message whose button was pressed, or send a new one."""
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # not modified: a double tap
            await query.message.edit_text(text, reply_markup=keyboard)
        return
    await sender(update).reply(context, text, reply_markup=keyboard)


async def _staff_only(update: Update, context: Context, query: CallbackQuery) -> bool:
    """Members who press an inbox button (a forged one) are refused."""
    if services(context).core.roles.role_of(sender(update).user.id) is not Role.MEMBER:
        return True
    await query.answer(REFUSALS[Role.COMMISSIONER], show_alert=True)
    return False


def _pressed(update: Update, pattern: str) -> tuple[CallbackQuery, re.Match[str]]:
    """The button press a handler was registered for, and its data's parts."""
    query = update.callback_query
    match = re.fullmatch(pattern, query.data or "") if query else None
    if query is None or match is None:
        raise ValueError(f"update {update.update_id} is not a press matching {pattern}")
    return query, match


async def on_inbox_list(update: Update, context: Context) -> None:
    query, match = _pressed(update, INBOX_LIST)
    if not await _staff_only(update, context, query):
        return
    await query.answer()
    await show_inbox(update, context, ListState.decode(match[1]), edit=True)


async def on_inbox_filter(update: Update, context: Context) -> None:
    """The choices of one filter, each leading back to the list."""
    query, match = _pressed(update, INBOX_FILTER)
    if not await _staff_only(update, context, query):
        return
    await query.answer()
    dimension, state = match[1], ListState.decode(match[2])
    core = services(context).core
    rows = [[_list_button(f"Any {DIMENSIONS[dimension].lower()}", state.choosing(dimension, 0))]]
    rows += [
        [_list_button(label, state.choosing(dimension, n))]
        for n, (_, label) in enumerate(_options(core, dimension), 1)
    ]
    text = f"<b>Needs</b> · show only one {DIMENSIONS[dimension].lower()}:"
    await _show(update, context, text, InlineKeyboardMarkup(rows), edit=True)


async def on_inbox_open(update: Update, context: Context) -> None:
    """All of a need, its evidence sent again, and what can be done with it."""
    query, match = _pressed(update, INBOX_OPEN)
    await query.answer()
    core = services(context).core
    who = sender(update)
    need = await service.need_for_staff(core, who.user.id, int(match[1]))
    if need is None:
        await who.reply(context, NOT_YOURS)
        return
    await _send_need(update, context, need)


async def _send_need(update: Update, context: Context, need: Need) -> None:
    core = services(context).core
    who = sender(update)
    events = (await core.need_inbox.events_of([need.id]))[need.id]
    participant = await core.participants.get(need.user_id) if need.user_id else None
    form = core.settings.programme.need_form
    labels = {
        option.key: option.label
        for option in (*form.who_options, *form.urgency_options, *form.help_options)
    }
    sectors = {sector.key: sector.name for sector in core.settings.programme.sectors}
    themes = {theme.key: theme.name for theme in core.settings.programme.themes}
    sector = sectors.get(participant.sector or "", "not known") if participant else "not known"
    evidence = need.evidence or {}
    facts = {
        "Who is affected": ", ".join(labels.get(key, key) for key in need.affected),
        "How urgent": labels.get(need.urgency, need.urgency),
        "Could the group help deliver": labels.get(need.can_help, need.can_help),
        "Themes": ", ".join(themes.get(key, key) for key in need.themes) or "none",
        "Raised by": sector,
    }
    lines = [
        f"<b>{need.reference}</b> · {html.escape(_place(core, need))} · "
        f"{need.created_at:%d %b %Y} · {STAFF_STATUS[need.status]}",
        "",
        html.escape(need.description),
        "",
        *(f"<b>{label}</b>: {html.escape(value)}" for label, value in facts.items()),
    ]
    if evidence.get("text"):
        lines.append(f"<b>How they know</b>: {html.escape(str(evidence['text']))}")
    for event in events:
        what = {"acknowledged": "read it", "replied": "replied", "done": "marked it done"}
        lines.append(
            f"\n<i>{event.created_at:%d %b %H:%M} · {html.escape(event.actor_name)} "
            f"{what[event.kind]}</i>" + (f": {html.escape(event.text)}" if event.text else "")
        )
    actions = []
    if need.status == "new":
        actions.append(InlineKeyboardButton("Acknowledge", callback_data=f"inbox:ack:{need.id}"))
    actions.append(InlineKeyboardButton("Reply", callback_data=f"inbox:reply:{need.id}"))
    if need.status != "done":
        actions.append(InlineKeyboardButton("Mark done", callback_data=f"inbox:done:{need.id}"))
    text = shortened("\n".join(lines), MessageLimit.MAX_TEXT_LENGTH)
    await who.reply(context, text, reply_markup=InlineKeyboardMarkup([actions]))
    await _send_evidence(context, who.chat_id, evidence)


async def _send_evidence(context: Context, chat_id: int, evidence: dict[str, object]) -> None:
    """The photo, voice note or file the member gave as evidence, sent again."""
    file_id, kind = evidence.get("file_id"), evidence.get("kind")
    if not isinstance(file_id, str):
        return
    if kind == "photo":
        await context.bot.send_photo(chat_id, file_id, caption="Their evidence")
    elif kind == "voice":
        await context.bot.send_voice(chat_id, file_id, caption="Their evidence")
    elif kind == "document":
        await context.bot.send_document(chat_id, file_id, caption="Their evidence")


async def on_inbox_action(update: Update, context: Context) -> None:
    """Acknowledge, Reply or Mark done."""
    query, match = _pressed(update, INBOX_ACTION)
    core = services(context).core
    who = sender(update)
    need = await service.need_for_staff(core, who.user.id, int(match[2]))
    if need is None:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    name = service.actor_name(core, who.user.id, who.user.first_name)
    action = match[1]
    if action == "reply":
        # The next message typed is the reply: never a broadcast's text as well.
        dropped = await broadcast.discard_untyped(core, who.user.id)
        await core.need_inbox.start_reply(who.user.id, need.id, core.clock())
        await query.answer()
        lines = [
            f"Type your reply to <b>{need.reference}</b>: the next message you type here goes "
            f"to the group that raised it, signed “{html.escape(name)}”."
        ]
        if dropped:
            lines.append("The broadcast you had started is cancelled: send /broadcast again.")
        await who.reply(
            context,
            "\n\n".join(lines),
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("Don't reply", callback_data="inbox:stop")
            ),
        )
        return
    if action == "ack":
        done = await service.acknowledge(core, need, who.user.id, name)
        await query.answer("They have been told you've read it." if done else "Already read.")
    else:
        await service.mark_done(core, need, who.user.id, name)
        await query.answer(f"{need.reference} is marked done.")
    services(context).sender.wake()
    refreshed = await service.need_for_staff(core, who.user.id, need.id)
    if refreshed is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):
            await query.message.edit_reply_markup(reply_markup=None)
        await _send_need(update, context, refreshed)


async def on_stop_reply(update: Update, context: Context) -> None:
    query, _ = _pressed(update, INBOX_STOP_REPLY)
    await query.answer()
    await services(context).core.need_inbox.end_reply(sender(update).user.id)
    with contextlib.suppress(BadRequest):
        await query.edit_message_text("No reply sent.")


async def take_typed_reply(update: Update, context: Context) -> None:
    """A commissioner's or admin's message while a reply is open is that reply."""
    shared = services(context)
    core = shared.core
    who = sender(update)
    text = who.message.text if who.message else None
    if text is None or core.roles.role_of(who.user.id) is Role.MEMBER:
        return
    need_id = await core.need_inbox.pending_reply(who.user.id)
    if need_id is None:
        return
    need = await service.need_for_staff(core, who.user.id, need_id)
    if need is None:
        await core.need_inbox.end_reply(who.user.id)
        await who.reply(context, NOT_YOURS)
        raise ApplicationHandlerStop
    problem = check_text(text, min_length=2, max_length=REPLY_LIMIT)
    if problem:
        await who.reply(context, html.escape(problem) + " Your reply has not been sent yet.")
        raise ApplicationHandlerStop
    name = service.actor_name(core, who.user.id, who.user.first_name)
    await service.reply(core, need, who.user.id, name, text.strip())
    shared.sender.wake()
    recipient = "the group that raised it" if need.user_id else "nobody: they have left"
    await who.reply(
        context, f"Your reply to <b>{need.reference}</b> is on its way to {recipient}."
    )
    raise ApplicationHandlerStop
