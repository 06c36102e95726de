"""/invite, /commissioners, /revoke, and the ``inv_`` links that make someone a commissioner."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.context import Context, sender, services
from bot.features import command_menu, command_named
from bot.features.invites import service
from bot.logs import log_event
from bot.roles import Role

INVITE_USAGE = (
    "Use: /invite commissioner AREAS, with the areas' names separated by commas "
    "(for example /invite commissioner Knowsley, St Helens). Areas: {areas}."
)
logger = logging.getLogger(__name__)

REVOKE_USAGE = "Use: /revoke ID, with the id /commissioners shows (for example /revoke 1234567)."
REFUSED = {
    "unknown": "This invite link isn't one we know. Please ask for a new one.",
    "used": "This invite link has been used already. Please ask for a new one.",
    "expired": "This invite link has expired. Please ask for a new one.",
    "staff already": "You already have a role here, set by the programme's settings: "
    "the invite is still unused.",
}


def _area_names(context: Context, keys: Iterable[str]) -> str:
    names = {area.key: area.name for area in services(context).core.settings.programme.areas}
    return " and ".join(names.get(key, key) for key in keys)


async def invite_command(update: Update, context: Context) -> None:
    """/invite commissioner AREAS: a single-use link that makes whoever opens it a commissioner."""
    core = services(context).core
    who = sender(update)
    areas = core.settings.programme.areas
    usage = INVITE_USAGE.format(areas=", ".join(area.name for area in areas))
    args = context.args or []
    if len(args) < 2 or args[0].lower() != "commissioner":
        await who.reply(context, html.escape(usage))
        return
    try:
        keys = service.parse_areas(core, args[1:])
    except service.UnknownAreas as error:
        await who.reply(context, html.escape(f"Unknown area: {error}. {usage}"))
        return
    invite = await service.invite_commissioner(core, keys, who.user.id)
    link = f"https://t.me/{context.bot.username}?start={service.INVITE_PREFIX}_{invite.code}"
    expires = invite.expires_at.astimezone(core.settings.tz).strftime("%-d %B %Y")
    await who.reply(
        context,
        f"Invite for a commissioner for {html.escape(_area_names(context, keys))}:\n\n"
        f"{html.escape(link)}\n\n"
        f"Send it to them: the first person to open it becomes a commissioner. It works once, "
        f"until {expires}.",
    )


async def open_invite(update: Update, context: Context, code: str) -> None:
    """``/start inv_<code>``: become a commissioner, then the commissioner's welcome and help."""
    shared = services(context)
    who = sender(update)
    accepted = await service.accept(shared.core, code, who.user.id, who.user.full_name)
    if not isinstance(accepted, service.Accepted):
        await who.reply(context, REFUSED[accepted])
        return
    if accepted.again:
        areas = html.escape(_area_names(context, accepted.role.areas))
        await who.reply(
            context, f"You're already a commissioner for {areas}. /help shows what you can do."
        )
        return
    await context.bot.set_my_commands(
        command_menu(shared.features, Role.COMMISSIONER), scope=BotCommandScopeChat(who.chat_id)
    )
    context.args = []
    for name in ("start", "help"):  # the welcome and the help every commissioner gets
        command = command_named(shared.features, name)
        if command is not None:
            await command.callback(update, context)


async def commissioners_command(update: Update, context: Context) -> None:
    """/commissioners: everyone with the role, their areas, and how they got it."""
    core = services(context).core
    who = sender(update)
    rows = service.commissioners(core)
    if not rows:
        await who.reply(context, "There are no commissioners yet. Invite one: /invite")
        return
    lines = [f"<b>Commissioners</b> ({len(rows)})"]
    for row in rows:
        name = html.escape(row.name or "(named in the settings)")
        how = (
            "from the settings"
            if row.source == "config"
            else f"invited, since {row.granted_at.astimezone(core.settings.tz):%-d %b %Y}"
        )
        lines.append(
            f"{name}, id {row.user_id}: {html.escape(_area_names(context, row.areas))}; {how}"
        )
    lines.append("\nEnd an invited commissioner's role with /revoke ID.")
    await who.reply_lines(context, lines)


async def revoke_command(update: Update, context: Context) -> None:
    """/revoke ID: end an invited commissioner's role."""
    shared = services(context)
    who = sender(update)
    args = context.args or []
    if len(args) != 1 or not args[0].isdecimal():
        await who.reply(context, REVOKE_USAGE)
        return
    user_id = int(args[0])
    ended = await service.revoke(shared.core, user_id, who.user.id)
    if ended is None:
        current = shared.core.roles.get(user_id)
        await who.reply(
            context,
            f"{user_id} has no role an invite gave: nothing changed."
            if current is None
            else f"{user_id}'s role is set in the programme's settings: change it there.",
        )
        return
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as error:  # they may have blocked the bot: the role has gone anyway
        log_event(logger, "revoke_menu_not_reset", logging.WARNING, error=type(error).__name__)
    await who.reply(
        context,
        f"{html.escape(ended.name or str(user_id))} is no longer a commissioner. "
        "They can still use the bot as a member.",
    )
