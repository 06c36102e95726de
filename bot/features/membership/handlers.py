"""Joining and getting about: /start with consent, the main menu, /profile, /cancel, /help."""

from __future__ import annotations

import contextlib
import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import Context, sender, services
from bot.features import Command, commands_of
from bot.features.membership import service
from bot.features.surveys import service as surveys
from bot.roles import REFUSALS, Role, lowest, may
from conversations.engine import cancelled
from conversations.onboarding import ONBOARDING
from conversations.survey import SURVEY

# I agree may carry the deep link to follow once signed up (an event's): its /start payload.
CONSENT_PATTERN = r"consent:(yes:\d{1,6}(?::[a-z]{1,8}_[A-Za-z0-9_-]{1,40})?|no)"
MENU_PATTERN = r"menu:([a-z0-9_]{1,32})(:new)?"
# A staff menu button: run the command (with one word after it, as if typed).
COMMAND_PATTERN = r"cmd:([a-z0-9_]{1,32})(?::([a-z0-9_]{1,32}))?"
AGREE, NOT_NOW = "I agree", "Not now"
NOT_NOW_REPLY = "No problem: nothing about you has been stored. Send /start whenever you're ready."
NOT_SIGNED_UP = "Hello! To take part in the programme, send /start."
STAFF_WELCOME = {
    Role.COMMISSIONER: (
        "Welcome, {name}. You're set up as a commissioner for {areas}.\n\n"
        "Here you can read the needs that local groups raise in your areas, and see whether "
        "the programme is making a difference: the before and after survey results. You "
        "don't need to sign up as a member."
    ),
    Role.ADMIN: (
        "Welcome, {name}. You're a programme admin.\n\n"
        "Here you can see who has signed up, read the needs raised in every area, see the "
        "survey results, and open or close the surveys. You don't need to sign up as a member."
    ),
}
SURVEY_AGAIN, SURVEY_KEEP = "survey_again", "survey_keep"
ANSWER_AGAIN, KEEP_ANSWERS = "Answer again", "Keep my earlier answers"
STAFF_MENU = "What would you like to do? Send /help for every command."
NOTICE_CHANGED = "Our privacy notice has changed: please read it again."
KEPT_AS_AGREED = (
    "Nothing has changed: what you told us before is kept under the notice you agreed to, and "
    "you can't fill in forms until you agree to the new one. Send /start to read it again, or "
    "/forget to erase everything we hold about you."
)


async def _answer_and_drop_buttons(update: Update) -> None:
    """Stop the spinner and take the buttons off the message that was tapped."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    with contextlib.suppress(BadRequest):  # an old or deleted message: nothing to tidy
        await query.edit_message_reply_markup(reply_markup=None)


async def show_notice(update: Update, context: Context, *, note: str = "", then: str = "") -> None:
    """The welcome and privacy notice, with I agree / Not now. Nothing is stored yet, so a
    deep link to follow after sign-up (``then``) rides in the I agree button."""
    programme = services(context).core.settings.programme
    version = programme.privacy.version
    welcome = f"Welcome to the <b>{html.escape(programme.name)}</b>. " + html.escape(
        programme.welcome
    )
    parts = [f"<i>{html.escape(note)}</i>"] if note else []
    parts += [welcome, html.escape(programme.privacy_notice), "Are you happy to go ahead?"]
    await sender(update).reply(
        context,
        "\n\n".join(parts),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        AGREE,
                        callback_data=":".join(filter(None, ("consent:yes", str(version), then))),
                    )
                ],
                [InlineKeyboardButton(NOT_NOW, callback_data="consent:no")],
            ]
        ),
    )


async def start(update: Update, context: Context) -> None:
    """/start [payload]: deep links first; then consent, sign-up, or the menu."""
    shared = services(context)
    if context.args and await shared.links.route(update, context, context.args[0]):
        return
    who = sender(update)
    role = shared.core.roles.role_of(who.user.id)
    if role is not Role.MEMBER:
        await show_staff_welcome(update, context, role)
        return
    person = await service.participant(shared.core, who.user.id)
    if person is None:
        await show_notice(update, context)
        return
    if not service.consented(shared.core, person):
        await show_notice(update, context, note=NOTICE_CHANGED)
        return
    if await service.resume_follow_ups(shared.core, person):
        await who.reply(context, "Welcome back: reminders and follow-ups are on again.")
    if not person.onboarded:
        await shared.forms.begin(update, context, ONBOARDING)
    elif not await shared.forms.resume(update, context):
        await show_menu(update, context)


async def on_consent(update: Update, context: Context) -> None:
    """I agree (for the notice version shown) or Not now."""
    shared = services(context)
    who = sender(update)
    data = update.callback_query.data if update.callback_query else None
    await _answer_and_drop_buttons(update)
    if data == "consent:no":
        known = await service.participant(shared.core, who.user.id) is not None
        await who.reply(context, KEPT_AS_AGREED if known else NOT_NOW_REPLY)
        return
    _, _, version, *then = (data or "").split(":", 3)
    link = then[0] if then else ""
    if int(version) != shared.core.settings.programme.privacy.version:
        await show_notice(
            update, context, note="The notice has changed: please read it again.", then=link
        )
        return
    person = await service.record_consent(shared.core, who.user.id)
    if person.onboarded:
        await who.reply(context, "Thank you: your agreement is recorded.")
        if link and await shared.links.route(update, context, link):
            return
        if not await shared.forms.resume(update, context):
            await show_menu(update, context)
    else:
        if link:
            await shared.core.participants.remember_link(who.user.id, link)
        await shared.forms.begin(update, context, ONBOARDING)


async def sign_up_then(update: Update, context: Context, link: str) -> None:
    """Sign-up (consent, then the profile form) for someone who scanned a members' deep link;
    the link is followed once their profile is saved (:func:`after_form`)."""
    shared = services(context)
    who = sender(update)
    person = await service.participant(shared.core, who.user.id)
    if not service.consented(shared.core, person):
        await show_notice(update, context, note=NOTICE_CHANGED if person else "", then=link)
        return
    await shared.core.participants.remember_link(who.user.id, link)
    await shared.forms.begin(update, context, ONBOARDING)


async def after_form(update: Update, context: Context) -> None:
    """When a form is done: the deep link waiting for sign-up, if it is now complete, or
    the main menu."""
    shared = services(context)
    who = sender(update)
    person = await service.participant(shared.core, who.user.id)
    if person is not None and person.onboarded and person.pending_link:
        link = await shared.core.participants.take_link(who.user.id)
        if link and await shared.links.route(update, context, link):
            return
    await show_menu(update, context)


def _staff_buttons(commands: list[Command], role: Role) -> InlineKeyboardMarkup:
    """A button for each of the role's commands that has one: pressing it runs the command."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"cmd:{command.name}")]
        for command in commands
        if (label := command.menu_label(role))
    ]
    return InlineKeyboardMarkup(rows)


async def show_staff_welcome(update: Update, context: Context, role: Role) -> None:
    """A commissioner's or admin's welcome: their job here, and their buttons."""
    shared = services(context)
    who = sender(update)
    names = {area.key: area.name for area in shared.core.settings.programme.areas}
    areas = sorted(names.get(key, key) for key in shared.core.roles.areas_of(who.user.id))
    text = STAFF_WELCOME[role].format(
        name=who.user.first_name, areas=" and ".join(areas) or "no areas yet"
    )
    await who.reply(
        context,
        html.escape(text),
        reply_markup=_staff_buttons(commands_of(shared.features, role), role),
    )


async def show_staff_menu(update: Update, context: Context, role: Role) -> None:
    shared = services(context)
    await sender(update).reply(
        context,
        STAFF_MENU,
        reply_markup=_staff_buttons(commands_of(shared.features, role), role),
    )


async def on_command_button(update: Update, context: Context) -> None:
    """A staff menu button: run its command for the person, as if they had typed it."""
    shared = services(context)
    who = sender(update)
    query = update.callback_query
    data = query.data if query else None
    choice = re.fullmatch(COMMAND_PATTERN, data or "")
    command = next(
        (c for c in commands_of(shared.features) if choice and c.name == choice.group(1)), None
    )
    await _answer_and_drop_buttons(update)
    if choice is None or command is None:
        await show_menu(update, context)
        return
    needed = lowest(command.roles)
    if not may(shared.core.roles.role_of(who.user.id), needed):
        await who.reply(context, REFUSALS.get(needed, "Sorry, you can't use that here."))
        return
    context.args = [choice.group(2)] if choice.group(2) else []
    await command.callback(update, context)


async def show_menu(update: Update, context: Context) -> None:
    """The main menu: the forms a member can fill in, their profile, their data; for staff,
    the buttons of their commands."""
    shared = services(context)
    who = sender(update)
    role = shared.core.roles.role_of(who.user.id)
    if role is not Role.MEMBER:
        await show_staff_menu(update, context, role)
        return
    person = await service.participant(shared.core, who.user.id)
    if person is None:
        await who.reply(context, NOT_SIGNED_UP)
        return
    if not person.onboarded:
        await who.reply(
            context,
            "You haven't finished signing up yet.",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("Finish signing up", callback_data=f"menu:{ONBOARDING}")
            ),
        )
        return
    rows = []
    open_form = await shared.forms.open_form(person.user_id)
    if open_form is not None:
        rows.append(
            [InlineKeyboardButton(f"Carry on: {open_form.title}", callback_data="menu:resume")]
        )
    survey_waiting = await surveys.survey_due(shared.core, person.user_id)
    survey_row = [
        InlineKeyboardButton(
            "Take the confidence survey (1 minute)" if survey_waiting else "Confidence survey",
            callback_data=f"menu:{SURVEY}",
        )
    ]
    form_rows = [
        [InlineKeyboardButton(form.menu_label, callback_data=f"menu:{form.name}")]
        for form in shared.forms.forms.values()
        if form.menu_label
    ]
    rows += [survey_row, *form_rows] if survey_waiting else [*form_rows, survey_row]
    rows.append([InlineKeyboardButton("My profile", callback_data="menu:profile")])
    rows.append([InlineKeyboardButton("Privacy and my data", callback_data="menu:privacy")])
    await who.reply(context, "What would you like to do?", reply_markup=InlineKeyboardMarkup(rows))


async def on_menu_button(update: Update, context: Context) -> None:
    data = update.callback_query.data if update.callback_query else None
    choice = re.fullmatch(MENU_PATTERN, data or "")
    await _answer_and_drop_buttons(update)
    if choice is None:
        await show_menu(update, context)
        return
    await open_item(update, context, choice.group(1), replace=bool(choice.group(2)))


async def _form_for(
    update: Update, context: Context, item: str
) -> tuple[str, dict[str, object] | None] | None:
    """The form a menu item opens, with answers to start from; None: nothing to open."""
    shared = services(context)
    who = sender(update)
    person = await service.participant(shared.core, who.user.id)
    if person is None or not person.onboarded or item == ONBOARDING:
        return ONBOARDING, None
    if item == "profile":
        return ONBOARDING, service.profile_answers(person)
    if item in (SURVEY, SURVEY_AGAIN):
        form, note, retake = await surveys.due_survey(shared.core, person.user_id)
        if retake and item == SURVEY:  # never replace earlier answers at one tap: ask first
            await who.reply(
                context,
                f"{html.escape(note)}\n\nWould you like to answer it again?",
                reply_markup=InlineKeyboardMarkup(
                    [
                        [InlineKeyboardButton(ANSWER_AGAIN, callback_data=f"menu:{SURVEY_AGAIN}")],
                        [InlineKeyboardButton(KEEP_ANSWERS, callback_data=f"menu:{SURVEY_KEEP}")],
                    ]
                ),
            )
            return None
        if note and not retake:
            await who.reply(context, html.escape(note))
        return (form, None) if form else None
    if item == SURVEY_KEEP:
        await who.reply(context, "Fine: your earlier answers are kept as they are.")
        await show_menu(update, context)
        return None
    form_named = shared.forms.forms.get(item)
    if form_named is not None and form_named.menu_label:
        return item, None
    await show_menu(update, context)
    return None


async def open_item(update: Update, context: Context, item: str, *, replace: bool = False) -> None:
    """What a menu button (or its command) opens, by the same rules whichever way it came.

    With another form open, the person chooses: carry on with it, or start this instead.
    """
    shared = services(context)
    who = sender(update)
    person = await service.participant(shared.core, who.user.id)
    if not service.consented(shared.core, person):
        await start(update, context)
        return
    if item == "privacy":
        await who.reply(context, html.escape(shared.core.settings.programme.privacy_notice))
        return
    if item == "resume":
        if not await shared.forms.resume(update, context):
            await show_menu(update, context)
        return
    target = await _form_for(update, context, item)
    if target is None:
        return
    form_name, answers = target
    open_form = await shared.forms.open_form(who.user.id)
    if open_form is not None and open_form.name != form_name and not replace:
        wanted = shared.forms.forms[form_name].title
        await who.reply(
            context,
            f"You're part-way through <b>{html.escape(open_form.title)}</b>. Carry on with it, "
            f"or switch to <b>{html.escape(wanted)}</b>? If you switch, what you've answered "
            f"in {html.escape(open_form.title)} so far is not kept.",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            f"Carry on: {open_form.title}", callback_data="menu:resume"
                        )
                    ],
                    [
                        InlineKeyboardButton(
                            f"Switch to: {wanted}", callback_data=f"menu:{item}:new"
                        )
                    ],
                ]
            ),
        )
        return
    await shared.forms.begin(
        update, context, form_name, answers=answers, at_summary=answers is not None
    )


async def may_continue(update: Update, context: Context) -> bool:
    """Whether the person may go on with a form: not if the privacy notice changed since."""
    shared = services(context)
    person = await service.participant(shared.core, sender(update).user.id)
    if person is None or service.consented(shared.core, person):
        return True
    await show_notice(update, context, note=NOTICE_CHANGED)
    return False


async def menu_command(update: Update, context: Context) -> None:
    """/menu: the main menu, at any step of any form."""
    await show_menu(update, context)


async def profile_command(update: Update, context: Context) -> None:
    """/profile: see and change your name, organisation, sector and area."""
    await open_item(update, context, "profile")


async def cancel_command(update: Update, context: Context) -> None:
    """/cancel: abandon the form in progress, at any step."""
    shared = services(context)
    who = sender(update)
    open_form = await shared.forms.open_form(who.user.id)
    if open_form is not None and await shared.forms.cancel(update, context):
        await who.reply(context, html.escape(cancelled(open_form)))
    else:
        await who.reply(context, "There's nothing to cancel.")
    await show_menu(update, context)


async def help_command(update: Update, context: Context) -> None:
    """/help: the commands this person may use."""
    shared = services(context)
    who = sender(update)
    role = shared.core.roles.role_of(who.user.id)
    lines = [
        f"/{c.name} - {html.escape(c.describe(role))}" for c in commands_of(shared.features, role)
    ]
    heading = {
        Role.MEMBER: "Here is what you can do:",
        Role.COMMISSIONER: "Here is what you can do as a commissioner:",
        Role.ADMIN: "Here is what you can do as a programme admin:",
    }[role]
    await who.reply(context, heading + "\n\n" + "\n".join(lines))


async def on_idle(update: Update, context: Context) -> None:
    """A message when no form is open: point the person at what they can do."""
    shared = services(context)
    who = sender(update)
    staff = shared.core.roles.role_of(who.user.id) is not Role.MEMBER
    if not staff and await service.participant(shared.core, who.user.id) is None:
        await who.reply(context, NOT_SIGNED_UP)
        return
    await who.reply(context, "I didn't catch that. Here is what you can do:")
    await show_menu(update, context)
