"""/wave: open or close a survey wave for everyone, or see where things stand."""

from __future__ import annotations

from telegram import Update

from bot.context import Context, sender, services
from bot.features.surveys import service
from conversations.survey import FORM_NAMES
from storage.surveys import Wave, WaveState

WAVE_USAGE = "Use: /wave before|after open|close, or /wave to see where things stand."


async def wave_command(update: Update, context: Context) -> None:
    """/wave WAVE open|close: open a wave for everyone now, or close it."""
    core = services(context).core
    who = sender(update)
    args = [arg.lower() for arg in context.args or []]
    if args and (len(args) != 2 or args[0] not in FORM_NAMES or args[1] not in ("open", "close")):
        await who.reply(context, WAVE_USAGE)
        return
    invited = None
    if args:
        wave: Wave = "before" if args[0] == "before" else "after"
        state: WaveState = "open" if args[1] == "open" else "closed"
        await service.set_wave(core, wave, state, who.user.id)
        if wave == "after" and state == "open":
            invited = await service.invite_to_after_survey(core, core.clock())
            services(context).sender.wake()
    status = await service.wave_status(core)
    if invited is not None:
        people = "person was" if invited == 1 else "people were"
        status += f"\n{invited} {people} invited to take it."
    await who.reply(context, status)
