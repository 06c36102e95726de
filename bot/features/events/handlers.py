"""/event new, /event close, /events for admins; the ``ev_<code>`` link people scan."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Context, sender, services
from bot.features.events import service
from bot.features.membership import service as membership
from bot.roles import Role

USAGE = (
    "Use /event new NAME to create an event and get its QR code (for example "
    "/event new Autumn listening workshop), or /event close CODE when it is over "
    "(for example /event close k3x9p2qa). /events lists them."
)
NAME_LIMIT = 100
TAKE_BEFORE = "Take the before survey (1 minute)"


async def event_command(update: Update, context: Context) -> None:
    """/event new NAME | /event close CODE."""
    who = sender(update)
    args = context.args or []
    action = args[0].lower() if args else ""
    if action == "new" and len(args) > 1:
        await _new(update, context, " ".join(args[1:]))
    elif action == "close" and len(args) == 2:
        await _close(update, context, args[1].lower())
    else:
        await who.reply(context, html.escape(USAGE))


async def _new(update: Update, context: Context, name: str) -> None:
    core = services(context).core
    who = sender(update)
    if len(name) > NAME_LIMIT:
        await who.reply(
            context, f"Please give the event a shorter name: up to {NAME_LIMIT} characters."
        )
        return
    event = await service.create(core, name, who.user.id)
    link = service.deep_link(context.bot.username, event.code)
    await context.bot.send_photo(
        who.chat_id,
        service.qr_png(link),
        caption=f"<b>{html.escape(event.name)}</b>\n{link}",
    )
    await who.reply(
        context,
        f"Event <b>{html.escape(event.name)}</b> is open, code <code>{event.code}</code>.\n"
        "Put the QR code on a slide: whoever scans it joins (signing up first if they are "
        "new), is recorded as attending and is offered the before survey.\n"
        f"When it is over: /event close {event.code}",
    )


async def _close(update: Update, context: Context, code: str) -> None:
    shared = services(context)
    who = sender(update)
    closing = await service.close(shared.core, code, who.user.id)
    if closing.event is None:
        await who.reply(context, html.escape(closing.problem))
        return
    shared.sender.wake()
    lines = [f"<b>{html.escape(closing.event.name)}</b> is closed."]
    if closing.after_closed:
        lines.append("The after survey is closed for everyone (/wave), so nobody was invited.")
    else:
        people = "attendee was" if closing.invited == 1 else "attendees were"
        lines.append(f"{closing.invited} {people} invited to the after survey.")
        if closing.not_invited:
            lines.append(
                f"{closing.not_invited} not invited: staff, people who sent /stop, and those "
                "who never took the before survey or have taken the after one."
            )
    await who.reply(context, "\n".join(lines))


async def events_command(update: Update, context: Context) -> None:
    """/events: every event with its code, status, attendance and surveys answered."""
    core = services(context).core
    who = sender(update)
    summaries = await service.summaries(core)
    if not summaries:
        await who.reply(
            context,
            "No events yet. Create one with /event new NAME, e.g. /event new Autumn workshop",
        )
        return
    tz = core.settings.tz
    lines = ["<b>Events</b>, newest first"]
    for summary in summaries:
        event = summary.event
        status = (
            f"closed {event.closed_at.astimezone(tz):%-d %b}"
            if event.closed_at
            else f"open since {event.created_at.astimezone(tz):%-d %b}"
        )
        lines.append(
            f"\n<code>{event.code}</code> <b>{html.escape(event.name)}</b>: {status}\n"
            f"{summary.attended} attended; surveys answered: {summary.answered_before} before, "
            f"{summary.answered_after} after"
        )
    await who.reply_lines(context, lines)


async def on_event_link(update: Update, context: Context, code: str) -> None:
    """``/start ev_<code>``: join the event (signing up first if new), be recorded once, and
    be offered the before survey. Staff are recorded, never sent through sign-up."""
    shared = services(context)
    core = shared.core
    who = sender(update)
    event, problem = await service.event_to_join(core, code)
    if event is None:
        await who.reply(context, html.escape(problem))
        return
    name = html.escape(event.name)
    role = core.roles.role_of(who.user.id)
    if role is Role.MEMBER and not await membership.signed_up(core, who.user.id):
        await who.reply(
            context, f"Welcome to <b>{name}</b>! First, a quick sign-up: then you're in."
        )
        await shared.links.sign_up_first(update, context, f"{service.LINK_PREFIX}_{code}")
        return
    first_time = await service.record_attendance(core, event.code, who.user.id)
    welcome = (
        f"Welcome to <b>{name}</b>: you're recorded as attending."
        if first_time
        else f"You're already recorded at <b>{name}</b>."
    )
    if role is not Role.MEMBER:
        await who.reply(context, welcome)
        return
    offer, answered_at = await service.before_survey_offer(core, who.user.id)
    if offer:
        await who.reply(
            context,
            welcome + "\n\nBefore we start: a quick survey on how confident you feel now.",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton(TAKE_BEFORE, callback_data="menu:survey")
            ),
        )
    elif answered_at is not None:
        await who.reply(
            context,
            welcome + f"\n\nYou answered the before survey on "
            f"{answered_at.astimezone(core.settings.tz):%-d %B}: thank you.",
        )
    else:
        await who.reply(context, welcome)
