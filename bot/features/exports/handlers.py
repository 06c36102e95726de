"""/export: the data as files, for commissioners (their areas) and admins."""

from __future__ import annotations

import asyncio
import contextlib
import html
import tempfile
from pathlib import Path

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest

from bot.context import Context, sender, services
from bot.features.exports import service


async def export_command(update: Update, context: Context) -> None:
    """/export [what] [format] [options]: check the request, write the files with one
    message showing the progress, send them, and delete them."""
    core = services(context).core
    who = sender(update)
    try:
        request = service.parse_request(context.args or [])
        plan = await service.plan(core, service.actor_of(core, who.user.id), request)
    except service.ExportProblem as problem:
        await who.reply(context, html.escape(problem.message))
        return
    status = await who.reply(context, "Exporting… 0%")
    shown = service.ProgressShown(asyncio.get_running_loop().time)

    async def progress(percent: int) -> None:
        if shown.due(percent):
            with contextlib.suppress(BadRequest):  # the message was deleted: carry on
                await status.edit_text(f"Exporting… {percent}%")

    with tempfile.TemporaryDirectory(prefix="coproduce-export-") as directory:
        exported = await service.export(
            core,
            plan,
            Path(directory),
            progress=progress,
            upload_limit=service.MAX_UPLOAD_BYTES,
        )
        await status.edit_text(html.escape(exported.summary()))
        await context.bot.send_chat_action(who.chat_id, ChatAction.UPLOAD_DOCUMENT)
        for path in exported.files:
            if path.name in exported.too_big:
                continue
            with path.open("rb") as file:
                await context.bot.send_document(who.chat_id, InputFile(file, filename=path.name))
