"""/broadcast for admins: the text (the next message they type), the audience (buttons), a
preview with the number of recipients, then Confirm or Cancel."""

from __future__ import annotations

import contextlib
import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.context import Context, sender, services
from bot.features.broadcast import service
from bot.features.needs import service as needs
from bot.roles import REFUSALS, Role
from storage.broadcasts import Audience, Broadcast

KEY = r"[a-z0-9_]{1,32}"
BROADCAST_PATTERN = (
    rf"bc:(\d{{1,9}}):(everyone|areas|sectors|events|send|cancel|area:{KEY}|sector:{KEY}"
    r"|event:[a-z0-9]{8})"
)
GONE = "This broadcast has been sent or cancelled already. Send /broadcast for a new one."
CANCELLED = "Broadcast cancelled: nothing was sent."
KINDS = {"areas": "area", "sectors": "sector", "events": "event"}


def _cancel(broadcast_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton("Cancel", callback_data=f"bc:{broadcast_id}:cancel")]


def _audiences(broadcast_id: int) -> InlineKeyboardMarkup:
    data = f"bc:{broadcast_id}:"
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Everyone", callback_data=data + "everyone")],
            [InlineKeyboardButton("An area", callback_data=data + "areas")],
            [InlineKeyboardButton("A sector", callback_data=data + "sectors")],
            [InlineKeyboardButton("An event's attendees", callback_data=data + "events")],
            _cancel(broadcast_id),
        ]
    )


async def broadcast_command(update: Update, context: Context) -> None:
    """/broadcast: start a new broadcast; the next message the admin types is its text."""
    core = services(context).core
    who = sender(update)
    # The next message typed is the broadcast's text: never a reply to a need as well.
    abandoned = await needs.abandon_reply(core, who.user.id)
    broadcast = await service.start(core, who.user.id)
    lines = [
        f"Type the message to send: the next message you type here is the broadcast (up to "
        f"{service.TEXT_LIMIT:,} characters). You'll choose who gets it and see a preview "
        "before anything is sent."
    ]
    if abandoned:
        lines.append(f"Your reply to <b>{abandoned}</b> is not sent: press Reply again later.")
    await who.reply(
        context, "\n\n".join(lines), reply_markup=InlineKeyboardMarkup([_cancel(broadcast.id)])
    )


async def take_typed_text(update: Update, context: Context) -> None:
    """An admin's message while their broadcast waits for its text is that text."""
    core = services(context).core
    who = sender(update)
    text = who.message.text if who.message else None
    if text is None or core.roles.role_of(who.user.id) is not Role.ADMIN:
        return
    broadcast = await service.draft_of(core, who.user.id)
    if broadcast is None or broadcast.text is not None:
        return
    problem = await service.set_text(core, broadcast, text)
    if problem:
        await who.reply(
            context,
            html.escape(problem) + " Nothing has been sent.",
            reply_markup=InlineKeyboardMarkup([_cancel(broadcast.id)]),
        )
    else:
        await who.reply(context, "Who should get it?", reply_markup=_audiences(broadcast.id))
    raise ApplicationHandlerStop


async def on_broadcast_button(update: Update, context: Context) -> None:
    """Audience, Confirm and Cancel. Only the admin who started the broadcast, and only
    until it is sent."""
    query = update.callback_query
    match = re.fullmatch(BROADCAST_PATTERN, query.data or "") if query else None
    if query is None or match is None:
        raise ValueError(f"update {update.update_id} is not a broadcast button")
    core = services(context).core
    who = sender(update)
    if core.roles.role_of(who.user.id) is not Role.ADMIN:
        await query.answer(REFUSALS[Role.ADMIN], show_alert=True)
        return
    broadcast = await service.get(core, int(match[1]))
    action = match[2]
    if (
        broadcast is None
        or broadcast.created_by != who.user.id
        or broadcast.queued_at is not None
        or (broadcast.text is None and action != "cancel")
    ):
        await query.answer(GONE, show_alert=True)
        return
    await query.answer()
    if action == "cancel":
        await core.broadcasts.discard(broadcast.id)
        await _show(update, context, CANCELLED, None)
    elif action in KINDS:
        options = await service.choices(core, KINDS[action])
        rows = [
            [InlineKeyboardButton(label, callback_data=f"bc:{broadcast.id}:{aim.encode()}")]
            for label, aim in options
        ]
        text = "Which one?" if options else "There are no events yet: choose another audience."
        keyboard = InlineKeyboardMarkup([*rows, _cancel(broadcast.id)]) if rows else None
        await _show(update, context, text, keyboard or _audiences(broadcast.id))
    elif action == "send":
        await _send(update, context, broadcast)
    else:
        await _preview(update, context, broadcast, Audience.decode(action))


async def _preview(
    update: Update, context: Context, broadcast: Broadcast, audience: Audience
) -> None:
    core = services(context).core
    count = await service.count_for(core, broadcast, audience)
    name = html.escape(await service.audience_name(core, audience))
    if count == 0:
        await _show(
            update,
            context,
            f"Nobody to send it to: no one among {name} can get it. Choose another audience.",
            _audiences(broadcast.id),
        )
        return
    people = "1 person" if count == 1 else f"{count:,} people"
    assert broadcast.text is not None  # buttons come only after the text
    await _show(
        update,
        context,
        f"<b>Broadcast {broadcast.id}</b> to {name}: {people} (not counting anyone who sent "
        f"/stop). It will read:\n\n{html.escape(broadcast.text)}",
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        f"Send to {people}", callback_data=f"bc:{broadcast.id}:send"
                    )
                ],
                _cancel(broadcast.id),
            ]
        ),
    )


async def _send(update: Update, context: Context, broadcast: Broadcast) -> None:
    shared = services(context)
    who = sender(update)
    if broadcast.audience is None:
        await _show(
            update,
            context,
            "Who should get it?",
            _audiences(broadcast.id),
        )
        return
    sending = await service.send(shared.core, broadcast, who.user.id)
    shared.sender.wake()
    starts = sending.starts_at.astimezone(shared.core.settings.tz)
    when = (
        f" after the quiet hours, at {starts:%H:%M}"
        if sending.starts_at > shared.core.clock()
        else ""
    )
    await _show(
        update,
        context,
        f"Broadcast {broadcast.id} is on its way to {sending.recipients:,} "
        f"{'person' if sending.recipients == 1 else 'people'}{when}. I'll tell you how it went.",
        None,
    )


async def _show(
    update: Update, context: Context, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the message whose button was pressed (or, failing that, send a new one)."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):  # not modified: a double tap
            await query.message.edit_text(text, reply_markup=keyboard)
        return
    await sender(update).reply(context, text, reply_markup=keyboard)
