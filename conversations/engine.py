"""The form engine: runs every form on plain handlers, step by step, from the draft row.

Public surface:

* ``FormEngine(forms, drafts, on_idle=, on_finish=, may_continue=, clock=)``:
  ``engine.handlers()`` are the two PTB handlers to register after the commands;
  ``await engine.begin(update, context, "need")`` starts (or resumes) a form;
  ``engine.resume`` re-asks the current question; ``engine.cancel`` discards the open form;
  ``engine.open_form(user_id)``; ``engine.adopt_step_keys()`` once at start-up.
* What every step gets from here, not from the form: its position ("Step 3 of 7"), Back,
  Skip (when optional) and Cancel buttons, a one-line reason and the same question again on
  wrong input, the answer saved the moment it is given, a summary with Confirm and
  "Change an answer" before submission, and resume at the same step after a restart.

The draft row is the truth: there is no conversation state in memory, so a restart (even
``kill -9``) loses nothing. Drafts address steps by key: a form edited in the config never
moves a draft onto another question, and a draft whose step was removed resumes at the next
step that still exists. Buttons carry ``f:<draft id>:<step key | #s | #e>:<action>[:<n>]``
and are checked against the draft: a forged or stale button changes nothing.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from conversations.forms import (
    Action,
    Answered,
    Button,
    Form,
    Incoming,
    Kept,
    Outcome,
    Person,
    Retry,
    Submission,
    format_answer,
    shortened,
)
from storage.drafts import Draft, DraftStore

__all__ = [
    "BUTTON_EXPIRED",
    "EARLIER_BUTTON",
    "FORM_BUTTON",
    "FormEngine",
    "WholeDataHandler",
    "cancelled",
    "describe_message",
    "edit_in_place",
    "parse_button",
]

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Awaitable[None]]

BUTTON_EXPIRED = "This button has expired. Send /menu to see what you can do."
EARLIER_BUTTON = "That button belongs to an earlier question. Here is where you are now:"
WELCOME_BACK = "Welcome back: here is where you were."
FORM_CHANGED = "This form has changed since you began it: here is the next question."
USE_THE_BUTTONS = "Please use the buttons: confirm, change or cancel."
ONE_MORE = "One more question first:"
SUMMARY, EDIT_MENU = "#s", "#e"
# Telegram's 4,096 characters, less room for the title, labels and HTML escaping.
SUMMARY_ANSWERS_BUDGET = 3000
FORM_BUTTON = re.compile(
    r"f:(\d{1,12}):([a-z0-9_]{1,32}|#s|#e):([a-z]{2,8})(?::(\d{1,3}))?", re.ASCII
)


def cancelled(form: Form) -> str:
    """What a person is told when they cancel a form."""
    return f"Cancelled: nothing you answered in {form.title} was saved."


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ButtonPress:
    draft_id: int
    where: str  # a step key, SUMMARY or EDIT_MENU
    button: Button


def parse_button(data: str) -> ButtonPress | None:
    """The parts of a form button's callback data, or None if it is not one of ours."""
    match = FORM_BUTTON.fullmatch(data)
    if not match:
        return None
    draft_id, where, action, argument = match.groups()
    try:
        pressed = Action(action)
    except ValueError:
        return None
    return ButtonPress(
        int(draft_id), where, Button("", pressed, int(argument) if argument else None)
    )


def _markup(draft: Draft, where: str, rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    def data(button: Button) -> str:
        suffix = "" if button.argument is None else f":{button.argument}"
        return f"f:{draft.id}:{where}:{button.action.value}{suffix}"

    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=data(b)) for b in row] for row in rows]
    )


async def edit_in_place(message: Message, text: str, keyboard: InlineKeyboardMarkup) -> bool:
    """Replace the message's text and buttons; False if it can no longer be edited.

    A double tap asks for the same edit twice: Telegram's "not modified" then means done.
    """
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as error:
        return "not modified" in error.message.lower()
    return True


_DESCRIPTIONS = (
    ("sticker", "a sticker"),
    ("photo", "a photo"),
    ("voice", "a voice note"),
    ("video", "a video"),
    ("video_note", "a video message"),
    ("audio", "an audio file"),
    ("document", "a file"),
    ("animation", "a GIF"),
    ("location", "a location"),
    ("contact", "a contact"),
    ("poll", "a poll"),
)


def escaped_to_fit(text: str) -> str:
    """``text`` escaped for HTML, cut (with an ellipsis) so it fits one Telegram message:
    escaping makes ``&`` and ``<`` longer, so a message that fitted may not any more."""
    most = int(MessageLimit.MAX_TEXT_LENGTH)
    limit, escaped = len(text), html.escape(text)
    while len(escaped) > most:
        limit = max(1, limit * most // len(escaped) - 1)
        escaped = html.escape(shortened(text, limit))
    return escaped


def describe_message(message: Message) -> str:
    """What kind of thing a message is, for "I can't use a sticker here"."""
    return next((name for attr, name in _DESCRIPTIONS if getattr(message, attr, None)), "that")


def incoming(message: Message) -> Incoming:
    """The message as a step sees it."""
    described = describe_message(message)
    if message.photo:
        return Incoming(None, "photo", described, message.photo[-1].file_id, message.caption)
    if message.voice:
        return Incoming(None, "voice", described, message.voice.file_id, message.caption)
    if message.document and not message.animation:
        return Incoming(None, "document", described, message.document.file_id, message.caption)
    return Incoming(message.text, "text" if message.text is not None else "other", described)


def person_of(user: User) -> Person:
    return Person(user.id, user.full_name.strip())


def _header(form: Form, index: int) -> str:
    return f"<b>{html.escape(form.title)}</b> · Step {index + 1} of {len(form.steps)}"


def render_question(
    form: Form, draft: Draft, index: int, *, person: Person | None = None, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The message for step ``index``: header, note, question, how to answer, buttons."""
    step = form.steps[index]
    answer = draft.answers.get(step.key)
    question = step.question(answer, person)
    lines = [_header(form, index)]
    if note:
        lines.append(f"<i>{html.escape(note)}</i>")
    lines += ["", html.escape(step.prompt), f"<i>{html.escape(question.how)}</i>"]
    lines += [html.escape(line) for line in question.lines]
    if step.hint:
        lines.append(f"<i>{html.escape(step.hint)}</i>")
    if answer is not None and step.shows_answer_so_far:
        lines.append(f"\nYour answer so far: {html.escape(format_answer(step, answer))}")
    navigation = []
    if index > 0 or draft.return_to_summary:
        navigation.append(Button("Back", Action.BACK))
    if step.optional:
        navigation.append(Button("Skip", Action.SKIP))
    navigation.append(Button("Cancel", Action.CANCEL))
    return "\n".join(lines), _markup(draft, step.key, [*question.buttons, navigation])


def render_answered(form: Form, index: int, answer: object) -> str:
    """A question once answered: kept in the chat with the answer under it, no buttons."""
    step = form.steps[index]
    return (
        f"{_header(form, index)}\n\n"
        f"{html.escape(step.prompt)}\n\n✓ <b>{html.escape(format_answer(step, answer))}</b>"
    )


def render_summary(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    """Every answer, numbered, with Confirm, Change an answer and Cancel.

    Long answers are shortened so the whole summary fits one Telegram message.
    """
    lines = [f"<b>{html.escape(form.title)}</b> · Check your answers", ""]
    share = SUMMARY_ANSWERS_BUDGET // len(form.steps)
    for number, step in enumerate(form.steps, 1):
        answer = shortened(format_answer(step, draft.answers.get(step.key)), share)
        # "How confident are you…? Quite (4 of 5)", not "…?: Quite"
        colon = "" if step.label.endswith(("?", "!", ":", ".")) else ":"
        lines.append(f"{number}. <b>{html.escape(step.label)}</b>{colon} {html.escape(answer)}")
    buttons = [
        [Button(form.confirm_label, Action.CONFIRM)],
        [Button("Change an answer", Action.CHANGE)],
        [Button("Cancel", Action.CANCEL)],
    ]
    return "\n".join(lines), _markup(draft, SUMMARY, buttons)


def render_edit_menu(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        [Button(f"{number}. {step.label}", Action.GOTO, number - 1)]
        for number, step in enumerate(form.steps, 1)
    ]
    buttons.append([Button("Back to the summary", Action.BACK)])
    text = f"<b>{html.escape(form.title)}</b> · Which answer would you like to change?"
    return text, _markup(draft, EDIT_MENU, buttons)


def locate(form: Form, draft: Draft) -> tuple[Draft, str]:
    """The draft on a step its form still has, and a note if it had to move.

    A removed step's draft goes on to the next step (in the order the draft knew) that the
    form still has, or to the summary.
    """
    if draft.step_key is None or form.index_of(draft.step_key) is not None:
        return draft, ""
    known = draft.form_steps
    after = known[known.index(draft.step_key) + 1 :] if draft.step_key in known else []
    following = next((key for key in after if form.index_of(key) is not None), None)
    return draft.model_copy(update={"step_key": following}), FORM_CHANGED


class FormEngine:
    """Runs forms: asks, checks, saves, summarises, submits. See the module docstring."""

    def __init__(
        self,
        forms: Sequence[Form],
        drafts: DraftStore,
        *,
        on_idle: Callback,
        on_finish: Callback,
        may_continue: Callable[[Update, Context], Awaitable[bool]] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.forms: dict[str, Form] = {}
        for form in forms:
            self.add(form)
        self._drafts = drafts
        self._on_idle = on_idle
        self._on_finish = on_finish
        self._may_continue = may_continue
        self._clock = clock

    def handlers(self) -> list[BaseHandler[Update, Context, Any]]:
        """Form buttons, and new private messages that are not commands (an edit of an
        earlier message is not a fresh answer)."""
        in_private = (
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
        )
        return [
            WholeDataHandler(self._on_button, pattern=_is_form_button),
            MessageHandler(in_private, self._on_message),
        ]

    # --- what the rest of the bot calls -------------------------------------------------

    def add(self, form: Form) -> None:
        """Make ``form`` available to :meth:`begin` (and to the menu, if it has a label)."""
        if form.name in self.forms:
            raise ValueError(f"a form named {form.name!r} is already registered")
        self.forms[form.name] = form

    async def adopt_step_keys(self) -> int:
        """Convert drafts saved before steps had keys (once, at start-up)."""
        return await self._drafts.adopt_step_keys(
            {name: form.keys for name, form in self.forms.items()}
        )

    async def begin(
        self,
        update: Update,
        context: Context,
        form_name: str,
        *,
        answers: dict[str, Any] | None = None,
        at_summary: bool = False,
    ) -> None:
        """Start ``form_name`` for the person, replacing any other form they had open (the
        caller offers the choice first), or resume it if it is the one open."""
        user = _user(update)
        draft = await self._drafts.get_for(user.id)
        if draft is not None and draft.form == form_name:
            await self._ask(update, context, draft, note=WELCOME_BACK)
            return
        if draft is not None:
            await self._clear_keyboard(context, draft)
        form = self.forms[form_name]
        draft = await self._drafts.start(
            user.id,
            form.name,
            form.keys,
            self._clock(),
            step_key=None if at_summary else form.steps[0].key,
            answers=answers,
        )
        if form.intro and not at_summary:
            await context.bot.send_message(user.id, html.escape(form.intro))
        await self._ask(update, context, draft)

    async def resume(self, update: Update, context: Context) -> bool:
        """Re-ask the open form's current question; False if there is none."""
        user = update.effective_user
        draft = await self._drafts.get_for(user.id) if user else None
        if draft is None or draft.form not in self.forms:
            return False
        await self._ask(update, context, draft, note=WELCOME_BACK)
        return True

    async def cancel(self, update: Update, context: Context) -> bool:
        """Discard the open form; False if there was none."""
        user = update.effective_user
        draft = await self._drafts.get_for(user.id) if user else None
        if draft is None:
            return False
        await self._drafts.discard(draft.id)
        await self._clear_keyboard(context, draft)
        return True

    async def open_form(self, user_id: int) -> Form | None:
        draft = await self._drafts.get_for(user_id)
        return self.forms.get(draft.form) if draft else None

    # --- asking ---------------------------------------------------------------------------

    async def _ask(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        *,
        note: str = "",
        edit: Message | None = None,
        answered: int | None = None,
        again: bool = False,
    ) -> None:
        """Show the current question (or the summary), replacing ``edit`` if given.

        ``answered``: the step just answered, whose question message now shows the answer.
        ``again``: the same question asked again (after a wrong answer): the earlier copy is
        deleted, so the chat never holds a stale one.
        """
        form = self.forms[draft.form]
        draft, moved = locate(form, draft)
        note = " ".join(part for part in (moved, note) if part)
        index = None if draft.step_key is None else form.index_of(draft.step_key)
        if index is None:
            text, keyboard = render_summary(form, draft)
            if note:
                text = f"<i>{html.escape(note)}</i>\n\n{text}"
        else:
            user = update.effective_user
            person = person_of(user) if user else None
            text, keyboard = render_question(form, draft, index, person=person, note=note)
        if edit is not None and await edit_in_place(edit, text, keyboard):
            return
        sent = await context.bot.send_message(draft.user_id, text, reply_markup=keyboard)
        if answered is not None:
            await self._show_answer(context, draft, form, answered)
        elif not again or not await self._delete_question(context, draft):
            await self._clear_keyboard(context, draft)
        self._drafts.note_question(draft.id, sent.message_id)

    async def _show_answer(self, context: Context, draft: Draft, form: Form, index: int) -> None:
        """Turn the answered question's message into a record of the answer."""
        if draft.question_message_id is None:
            return
        text = render_answered(form, index, draft.answers.get(form.steps[index].key))
        # Cosmetic, like clearing the buttons: a failure here must not stop the form.
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_text(
                text, draft.user_id, draft.question_message_id, reply_markup=None
            )

    async def _delete_question(self, context: Context, draft: Draft) -> bool:
        """Delete the previous question message; False if it could not be (too old, gone)."""
        if draft.question_message_id is None:
            return False
        try:
            return await context.bot.delete_message(draft.user_id, draft.question_message_id)
        except TelegramError:
            return False

    async def _clear_keyboard(self, context: Context, draft: Draft) -> None:
        """Take the buttons off the previous question, so only the current one has any."""
        if draft.question_message_id is None:
            return
        # Cosmetic: already without buttons, deleted by the person, or a passing network
        # fault. None of these may stop the form.
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_reply_markup(
                draft.user_id, draft.question_message_id, reply_markup=None
            )

    # --- moving -----------------------------------------------------------------------------

    async def _go(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        *,
        note: str = "",
        edit: Message | None = None,
        answered: int | None = None,
    ) -> None:
        """Save the draft (answers and position together), then ask what it is on."""
        form = self.forms[draft.form]
        draft.form_steps = form.keys
        await self._drafts.save(draft, self._clock())
        await self._ask(update, context, draft, note=note, edit=edit, answered=answered)

    async def _advance(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        index: int,
        value: Any,
        *,
        edit: Message | None,
    ) -> None:
        """Step ``index`` is answered: on to the next step, or the summary; a step the
        form gained since the draft began is asked before the summary."""
        form = self.forms[draft.form]
        answers = {**draft.answers, form.steps[index].key: value}
        following = None if draft.return_to_summary else index + 1
        target: str | None
        if following is not None and following < len(form.steps):
            target, back_to_summary = form.steps[following].key, False
        else:
            missing = form.missing(answers)
            target, back_to_summary = (missing.key if missing else None), missing is not None
        problem = form.check(form.answers_of(answers)) if target is None and form.check else None
        if problem:
            # Say so now, at the question, not after the summary at Confirm.
            await self._ask(update, context, draft, note=problem, edit=edit, again=True)
            return
        moved = draft.model_copy(
            update={"answers": answers, "step_key": target, "return_to_summary": back_to_summary}
        )
        await self._go(
            update,
            context,
            moved,
            edit=edit if form.edit_in_place else None,
            answered=index,
        )

    async def _apply(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        index: int,
        outcome: Outcome,
        *,
        edit: Message | None = None,
    ) -> None:
        step = self.forms[draft.form].steps[index]
        match outcome:
            case Retry(reason, echo):
                if echo:  # their own words back, to copy: nothing they typed is lost
                    await context.bot.send_message(draft.user_id, escaped_to_fit(echo))
                await self._ask(update, context, draft, note=reason, edit=edit, again=True)
            case Kept(value, note):
                kept = draft.model_copy(update={"answers": {**draft.answers, step.key: value}})
                await self._go(update, context, kept, note=note, edit=edit)
            case Answered(value):
                await self._advance(update, context, draft, index, value, edit=edit)

    # --- what people send and tap ------------------------------------------------------------

    async def _open_draft(self, update: Update, context: Context) -> tuple[Form, Draft] | None:
        """The person's open form and draft, on a step the form has; None: nothing to do."""
        user = _user(update)
        draft = await self._drafts.get_for(user.id)
        if draft is None or draft.form not in self.forms:
            return None
        form = self.forms[draft.form]
        located, _ = locate(form, draft)
        return form, located

    async def _on_message(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        opened = await self._open_draft(update, context)
        if opened is None:
            await self._on_idle(update, context)
            return
        if self._may_continue and not await self._may_continue(update, context):
            return
        form, draft = opened
        index = None if draft.step_key is None else form.index_of(draft.step_key)
        if index is None:
            await self._ask(update, context, draft, note=USE_THE_BUTTONS)
            return
        step = form.steps[index]
        outcome = step.on_message(incoming(message), draft.answers.get(step.key))
        await self._apply(update, context, draft, index, outcome)

    async def _on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or update.effective_user is None:
            return
        press = parse_button(query.data or "")
        opened = await self._open_draft(update, context)
        if press is None or opened is None or opened[1].id != press.draft_id:
            await query.answer(BUTTON_EXPIRED, show_alert=True)
            return
        await query.answer()
        if self._may_continue and not await self._may_continue(update, context):
            return
        form, draft = opened
        message = query.message if isinstance(query.message, Message) else None
        where = SUMMARY if draft.step_key is None else draft.step_key
        on_edit_menu = press.where == EDIT_MENU and where == SUMMARY
        if press.where != where and not on_edit_menu:
            await self._ask(update, context, draft, note=EARLIER_BUTTON)
            return
        action = press.button.action
        if action is Action.CANCEL:
            await self._cancel_pressed(update, context, form, draft)
        elif press.where == SUMMARY:
            await self._on_summary(update, context, form, draft, action, message)
        elif press.where == EDIT_MENU:
            await self._on_edit_menu(update, context, form, draft, press.button, message)
        else:
            index = form.index_of(press.where)
            assert index is not None  # the draft is on this step: locate() saw to it
            await self._on_step_button(update, context, form, draft, index, press.button, message)

    async def _on_step_button(
        self,
        update: Update,
        context: Context,
        form: Form,
        draft: Draft,
        index: int,
        button: Button,
        message: Message | None,
    ) -> None:
        step = form.steps[index]
        if button.action is Action.BACK:
            back_to = None if draft.return_to_summary else form.steps[max(index - 1, 0)].key
            moved = draft.model_copy(update={"step_key": back_to, "return_to_summary": False})
            await self._go(update, context, moved)
        elif button.action is Action.SKIP and step.optional:
            await self._advance(update, context, draft, index, None, edit=message)
        else:
            user = update.effective_user
            outcome = step.on_press(
                button, draft.answers.get(step.key), person_of(user) if user else None
            )
            if outcome is None:
                await self._ask(update, context, draft, note=EARLIER_BUTTON)
            else:
                await self._apply(update, context, draft, index, outcome, edit=message)

    async def _on_edit_menu(
        self,
        update: Update,
        context: Context,
        form: Form,
        draft: Draft,
        button: Button,
        message: Message | None,
    ) -> None:
        index = button.argument
        if button.action is Action.GOTO and index is not None and index < len(form.steps):
            moved = draft.model_copy(
                update={"step_key": form.steps[index].key, "return_to_summary": True}
            )
            await self._go(update, context, moved)
        else:
            await self._ask(update, context, draft, edit=message)

    async def _on_summary(
        self,
        update: Update,
        context: Context,
        form: Form,
        draft: Draft,
        action: Action,
        message: Message | None,
    ) -> None:
        if action is Action.CHANGE:
            text, keyboard = render_edit_menu(form, draft)
            if message is None or not await edit_in_place(message, text, keyboard):
                await context.bot.send_message(draft.user_id, text, reply_markup=keyboard)
        elif action is Action.CONFIRM:
            await self._submit(update, context, form, draft)
        else:
            await self._ask(update, context, draft, note=EARLIER_BUTTON)

    async def _submit(self, update: Update, context: Context, form: Form, draft: Draft) -> None:
        missing = form.missing(draft.answers)
        if missing is not None:
            moved = draft.model_copy(update={"step_key": missing.key, "return_to_summary": True})
            await self._go(update, context, moved, note=ONE_MORE)
            return
        answers = form.answers_of(draft.answers)
        problem = form.check(answers) if form.check else None
        if problem:
            await self._ask(update, context, draft, note=problem)
            return
        submission = Submission(person_of(_user(update)), draft.id, answers)
        confirmation = await self._drafts.complete(
            draft.id, lambda: form.on_submit(submission), self._clock()
        )
        await self._clear_keyboard(context, draft)
        await context.bot.send_message(draft.user_id, html.escape(confirmation))
        await self._on_finish(update, context)

    async def _cancel_pressed(
        self, update: Update, context: Context, form: Form, draft: Draft
    ) -> None:
        await self._drafts.discard(draft.id)
        await self._clear_keyboard(context, draft)
        await context.bot.send_message(draft.user_id, html.escape(cancelled(form)))
        await self._on_finish(update, context)


class WholeDataHandler(CallbackQueryHandler[Context, None]):
    """A press handler whose pattern sees every press: PTB's ``CallbackQueryHandler`` takes a
    press with empty data whatever its pattern says, so empty data is refused here first."""

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        if not update.callback_query.data:
            return False
        return super().check_update(update)


def _is_form_button(data: object) -> bool:
    return isinstance(data, str) and FORM_BUTTON.fullmatch(data) is not None


def _user(update: Update) -> User:
    if update.effective_user is None:
        raise ValueError("forms run for a person: this update has no user")
    return update.effective_user
