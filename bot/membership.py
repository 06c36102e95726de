"""Joining and getting about: /start with consent, the main menu, /profile, /cancel."""

from __future__ import annotations

import contextlib
import html
import re
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import surveys
from bot.services import services
from conversations.engine import cancelled
from conversations.onboarding import ONBOARDING
from conversations.survey import SURVEY
from storage.participants import PROFILE_FIELDS, Participant

Context = ContextTypes.DEFAULT_TYPE

CONSENT_PATTERN = r"^consent:(yes:\d{1,6}|no)$"
MENU_PATTERN = r"^menu:([a-z0-9_]{1,32})(:new)?$"
AGREE, NOT_NOW = "I agree", "Not now"
NOT_NOW_REPLY = "No problem: nothing about you has been stored. Send /start whenever you're ready."
NOT_SIGNED_UP = "Hello! To take part in the programme, send /start."
KEPT_AS_AGREED = (
    "Nothing has changed: what you told us before is kept under the notice you agreed to, and "
    "you can't fill in forms until you agree to the new one. Send /start to read it again, or "
    "/forget to erase everything we hold about you."
)


def _now() -> datetime:
    return datetime.now(UTC)


async def _participant(update: Update, context: Context) -> Participant | None:
    user = update.effective_user
    return await services(context).participants.get(user.id) if user else None


async def _send(update: Update, context: Context, text: str, **kwargs: object) -> None:
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, **kwargs)  # type: ignore[arg-type]


async def _answer_and_drop_buttons(update: Update) -> None:
    """Stop the spinner and take the buttons off the message that was tapped."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    with contextlib.suppress(BadRequest):  # an old or deleted message: nothing to tidy
        await query.edit_message_reply_markup(reply_markup=None)


async def show_notice(update: Update, context: Context, *, note: str = "") -> None:
    """The welcome and privacy notice, with I agree / Not now. Nothing is stored yet."""
    programme = services(context).settings.programme
    version = programme.privacy.version
    welcome = f"Welcome to the <b>{html.escape(programme.name)}</b>. " + html.escape(
        programme.welcome
    )
    parts = [f"<i>{html.escape(note)}</i>"] if note else []
    parts += [welcome, html.escape(programme.privacy_notice), "Are you happy to go ahead?"]
    await _send(
        update,
        context,
        "\n\n".join(parts),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(AGREE, callback_data=f"consent:yes:{version}")],
                [InlineKeyboardButton(NOT_NOW, callback_data="consent:no")],
            ]
        ),
    )


async def start(update: Update, context: Context) -> None:
    """/start [payload]: deep links first; then consent, sign-up, or the menu."""
    shared = services(context)
    if context.args and await shared.deep_links.route(update, context, context.args[0]):
        return
    participant = await _participant(update, context)
    current_version = shared.settings.programme.privacy.version
    if participant is None:
        await show_notice(update, context)
        return
    if participant.consent_version < current_version:
        await show_notice(
            update, context, note="Our privacy notice has changed: please read it again."
        )
        return
    if not participant.follow_ups:
        await shared.participants.set_follow_ups(participant.user_id, True)
        await _send(update, context, "Welcome back: reminders and follow-ups are on again.")
    if not participant.onboarded:
        await shared.forms.begin(update, context, ONBOARDING)
    elif not await shared.forms.resume(update, context):
        await show_menu(update, context)


async def on_consent(update: Update, context: Context) -> None:
    """I agree (for the notice version shown) or Not now."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    shared = services(context)
    await _answer_and_drop_buttons(update)
    if query.data == "consent:no":
        known = await shared.participants.get(user.id) is not None
        await _send(update, context, KEPT_AS_AGREED if known else NOT_NOW_REPLY)
        return
    version = int((query.data or "").rsplit(":", 1)[1])
    if version != shared.settings.programme.privacy.version:
        await show_notice(update, context, note="The notice has changed: please read it again.")
        return
    await shared.participants.record_consent(user.id, version, _now())
    participant = await shared.participants.get(user.id)
    if participant is not None and participant.onboarded:
        await _send(update, context, "Thank you: your agreement is recorded.")
        if not await shared.forms.resume(update, context):
            await show_menu(update, context)
    else:
        await shared.forms.begin(update, context, ONBOARDING)


async def show_menu(update: Update, context: Context) -> None:
    """The main menu: the forms a member can fill in, their profile, their data."""
    shared = services(context)
    participant = await _participant(update, context)
    if participant is None:
        await _send(update, context, NOT_SIGNED_UP)
        return
    if not participant.onboarded:
        await _send(
            update,
            context,
            "You haven't finished signing up yet.",
            reply_markup=InlineKeyboardMarkup.from_button(
                InlineKeyboardButton("Finish signing up", callback_data=f"menu:{ONBOARDING}")
            ),
        )
        return
    rows = []
    open_form = await shared.forms.open_form(participant.user_id)
    if open_form is not None:
        rows.append(
            [InlineKeyboardButton(f"Carry on: {open_form.title}", callback_data="menu:resume")]
        )
    survey_waiting = await surveys.survey_due(shared, participant.user_id)
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
    await _send(
        update, context, "What would you like to do?", reply_markup=InlineKeyboardMarkup(rows)
    )


async def on_menu_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    choice = re.fullmatch(MENU_PATTERN, query.data or "")
    await _answer_and_drop_buttons(update)
    if choice is None:
        await show_menu(update, context)
        return
    await open_item(update, context, choice.group(1), replace=bool(choice.group(2)))


async def _form_for(
    update: Update, context: Context, participant: Participant, item: str
) -> tuple[str, dict[str, object] | None] | None:
    """The form a menu item opens, with answers to start from; None: nothing to open."""
    shared = services(context)
    if not participant.onboarded or item == ONBOARDING:
        return ONBOARDING, None
    if item == "profile":
        return ONBOARDING, {field: getattr(participant, field) for field in PROFILE_FIELDS}
    if item == SURVEY:
        form, note = await surveys.due_survey(shared, participant.user_id)
        if note:
            await _send(update, context, html.escape(note))
        return (form, None) if form else None
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
    participant = await _participant(update, context)
    if participant is None or participant.consent_version < (
        shared.settings.programme.privacy.version
    ):
        await start(update, context)
        return
    if item == "privacy":
        await _send(update, context, html.escape(shared.settings.programme.privacy_notice))
        return
    if item == "resume":
        if not await shared.forms.resume(update, context):
            await show_menu(update, context)
        return
    target = await _form_for(update, context, participant, item)
    if target is None:
        return
    form_name, answers = target
    open_form = await shared.forms.open_form(participant.user_id)
    if open_form is not None and open_form.name != form_name and not replace:
        wanted = shared.forms.forms[form_name].title
        await _send(
            update,
            context,
            f"You have not finished <b>{html.escape(open_form.title)}</b> yet.",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            f"Carry on with {open_form.title}", callback_data="menu:resume"
                        )
                    ],
                    [
                        InlineKeyboardButton(
                            f"Start {wanted} instead", callback_data=f"menu:{item}:new"
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
    participant = await _participant(update, context)
    version = services(context).settings.programme.privacy.version
    if participant is None or participant.consent_version >= version:
        return True
    await show_notice(
        update, context, note="Our privacy notice has changed: please read it again."
    )
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
    open_form = await shared.forms.open_form(update.effective_user.id)  # type: ignore[union-attr]
    if open_form is not None and await shared.forms.cancel(update, context):
        await _send(update, context, html.escape(cancelled(open_form)))
    else:
        await _send(update, context, "There's nothing to cancel.")
    await show_menu(update, context)


async def on_idle(update: Update, context: Context) -> None:
    """A message when no form is open: point the person at what they can do."""
    participant = await _participant(update, context)
    if participant is None:
        await _send(update, context, NOT_SIGNED_UP)
        return
    await _send(update, context, "I didn't catch that. Here is what you can do:")
    await show_menu(update, context)


async def private_only(update: Update, context: Context) -> None:
    """In a group, answer with a link to a private chat: answers are not for the group."""
    link = f"https://t.me/{context.bot.username}"
    await _send(
        update,
        context,
        "Let's talk in a private chat, so your answers stay between you and the programme.",
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("Open a private chat", url=link)
        ),
    )
