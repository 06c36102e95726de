"""/digest preview and /digest send, for admins."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction

from bot.context import Context, sender, services
from bot.features.digests import service
from bot.messaging.outbox import deliver

USAGE = (
    "/digest preview: your own copy of the weekly digest now, all areas.\n"
    "/digest send: send every commissioner their digest now."
)


async def digest_command(update: Update, context: Context) -> None:
    """/digest preview | send."""
    action = [arg.lower() for arg in context.args or []][:1]
    if action == ["preview"]:
        await preview(update, context)
    elif action == ["send"]:
        await send(update, context)
    else:
        await sender(update).reply(context, USAGE)


async def preview(update: Update, context: Context) -> None:
    core = services(context).core
    who = sender(update)
    await context.bot.send_chat_action(who.chat_id, ChatAction.UPLOAD_PHOTO)
    digest = await service.preview(core)
    for _, body in digest.messages():
        await deliver(context.bot, who.chat_id, body)


async def send(update: Update, context: Context) -> None:
    shared = services(context)
    who = sender(update)
    sent = await service.send_now(shared.core, who.user.id)
    await shared.sender.drain()
    got = await service.delivered(shared.core, sent)
    await who.reply(
        context,
        f"Digests sent: {got} of {sent.commissioners} commissioners got one."
        + (" See /outbox for the others." if got < sent.commissioners else ""),
    )
