"""The form engine: one ConversationHandler that runs every form, step by step.

Public surface:

* ``FormEngine(forms, drafts, on_idle, on_finish, may_continue)``: ``engine.handler`` is the
  ``ConversationHandler`` to register after the commands; ``await engine.begin(update,
  context, "need")`` starts (or resumes) a form; ``engine.resume`` re-asks the current
  question; ``engine.cancel`` discards the form in progress.
* What every step gets from here, not from the form: its position ("Step 3 of 7"), Back,
  Skip (when optional) and Cancel buttons, a one-line reason and the same question again on
  wrong input, the answer saved the moment it is given, a summary with Confirm and
  "Change an answer" before submission, and resume at the same step after a restart.

The draft row in SQLite is the truth; the ConversationHandler's own state is only a cache
of "this person has a form open", so a restart (even ``kill -9``) loses nothing. Buttons
carry ``f:<draft id>:<position>:<action>[:<argument>]``, and are checked against the draft:
a forged or stale button changes nothing.
"""

from __future__ import annotations

import contextlib
import html
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from conversations.forms import (
    Answers,
    ChoiceStep,
    Form,
    ListStep,
    MediaStep,
    MultiChoiceStep,
    ScaleStep,
    Step,
    Submission,
    TextStep,
    check_text,
    format_answer,
    shortened,
)
from storage.drafts import Draft, DraftStore

Context = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Context], Awaitable[None]]

ACTIVE = "active"
BUTTON_EXPIRED = "This button has expired. Send /menu to see what you can do."
EARLIER_BUTTON = "That button belongs to an earlier question. Here is where you are now:"
SUMMARY, EDIT_MENU = "s", "e"
# Telegram's 4,096 characters, less room for the title, labels and HTML escaping.
SUMMARY_ANSWERS_BUDGET = 3000
_CALLBACK = re.compile(r"^f:(\d{1,12}):(\d{1,3}|s|e):([a-z]{1,2})(?::(\d{1,3}))?$")


def cancelled(form: Form) -> str:
    """What a person is told when they cancel a form."""
    return f"Cancelled: nothing you answered in {form.title} was saved."


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ButtonPress:
    draft_id: int
    position: str  # a step index, SUMMARY or EDIT_MENU
    action: str
    argument: int | None


def parse_button(data: str) -> ButtonPress | None:
    """The parts of a form button's callback data, or None if it is not one of ours."""
    match = _CALLBACK.match(data)
    if not match:
        return None
    draft_id, position, action, argument = match.groups()
    return ButtonPress(int(draft_id), position, action, int(argument) if argument else None)


def _data(draft: Draft, position: str | int, action: str, argument: int | None = None) -> str:
    suffix = "" if argument is None else f":{argument}"
    return f"f:{draft.id}:{position}:{action}{suffix}"


def _button(
    label: str, draft: Draft, position: str | int, action: str, argument: int | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=_data(draft, position, action, argument))


async def edit_in_place(message: Message, text: str, keyboard: InlineKeyboardMarkup) -> bool:
    """Replace the message's text and buttons; False if it can no longer be edited.

    A double tap asks for the same edit twice: Telegram's "not modified" then means done.
    """
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except BadRequest as error:
        return "not modified" in error.message.lower()
    return True


def describe_message(message: Message) -> str:
    """What kind of thing a message is, for "I can't use a sticker here"."""
    for attribute, name in (
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
    ):
        if getattr(message, attribute, None):
            return name
    return "that"


def render_question(
    form: Form, draft: Draft, *, user: User | None = None, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The message for the draft's current step: header, note, question, hint, buttons."""
    index = draft.step
    step = form.steps[index]
    lines = [f"<b>{html.escape(form.title)}</b> · Step {index + 1} of {len(form.steps)}"]
    if note:
        lines.append(f"<i>{html.escape(note)}</i>")
    lines.append("")
    lines.append(html.escape(step.prompt))
    answer = draft.answers.get(step.key)
    rows: list[list[InlineKeyboardButton]] = []
    if isinstance(step, TextStep):
        lines.append(f"<i>Type your answer (up to {step.max_length:,} characters).</i>")
    elif isinstance(step, ChoiceStep):
        lines.append("<i>Tap one.</i>")
        rows += [
            [_button(("✓ " if c.value == answer else "") + c.label, draft, index, "c", i)]
            for i, c in enumerate(step.choices)
        ]
    elif isinstance(step, MultiChoiceStep):
        chosen = answer or []
        lines.append("<i>Tap all that apply, then Done.</i>")
        rows += [
            [_button(("✓ " if c.value in chosen else "") + c.label, draft, index, "t", i)]
            for i, c in enumerate(step.choices)
        ]
        rows.append([_button("Done", draft, index, "d")])
    elif isinstance(step, ScaleStep):
        lines.append("<i>Tap a number:</i>")
        lines += [f"{n} = {html.escape(label)}" for n, label in enumerate(step.labels, 1)]
        rows.append(
            [
                _button(("✓ " if answer == n else "") + str(n), draft, index, "c", n)
                for n in range(1, 6)
            ]
        )
    elif isinstance(step, ListStep):
        items: list[str] = answer or []
        lines.append(
            f"<i>Send one per message, up to {step.max_items}, then tap Done.</i>"
            if len(items) < step.max_items
            else "<i>That's the most this question takes. Tap Done.</i>"
        )
        if items:
            lines.append("")
            lines += [f"{n}. {html.escape(item)}" for n, item in enumerate(items, 1)]
            rows.append(
                [_button("Done", draft, index, "d"), _button("Remove last", draft, index, "r")]
            )
    elif isinstance(step, MediaStep):
        lines.append(
            "<i>Send a photo, a voice note or a file"
            + (", or type a few words.</i>" if step.accept_text else ".</i>")
        )
    if step.hint:
        lines.append(f"<i>{html.escape(step.hint)}</i>")
    if answer is not None and not isinstance(step, ChoiceStep | MultiChoiceStep | ListStep):
        lines.append(f"\nYour answer so far: {html.escape(format_answer(step, answer))}")
    suggestion = (
        step.suggest(user) if isinstance(step, TextStep) and step.suggest and user else None
    )
    if suggestion:
        rows.insert(0, [_button(f"Use “{suggestion}”", draft, index, "u")])
    navigation = []
    if index > 0 or draft.return_to_summary:
        navigation.append(_button("Back", draft, index, "b"))
    if step.optional:
        navigation.append(_button("Skip", draft, index, "k"))
    navigation.append(_button("Cancel", draft, index, "x"))
    rows.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def render_answered(form: Form, index: int, answer: object) -> str:
    """A question once answered: kept in the chat with the answer under it, no buttons."""
    step = form.steps[index]
    return (
        f"<b>{html.escape(form.title)}</b> · Step {index + 1} of {len(form.steps)}\n\n"
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
        lines.append(f"{number}. <b>{html.escape(step.label)}</b>: {html.escape(answer)}")
    keyboard = InlineKeyboardMarkup(
        [
            [_button(form.confirm_label, draft, SUMMARY, "ok")],
            [_button("Change an answer", draft, SUMMARY, "ed")],
            [_button("Cancel", draft, SUMMARY, "x")],
        ]
    )
    return "\n".join(lines), keyboard


def render_edit_menu(form: Form, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [_button(f"{number}. {step.label}", draft, EDIT_MENU, "g", number - 1)]
        for number, step in enumerate(form.steps, 1)
    ]
    rows.append([_button("Back to the summary", draft, EDIT_MENU, "b")])
    text = f"<b>{html.escape(form.title)}</b> · Which answer would you like to change?"
    return text, InlineKeyboardMarkup(rows)


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
        # Only new messages answer: an edit of an earlier one is not a fresh answer.
        in_private = (
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
        )
        handlers: list[BaseHandler[Update, Context, Any]] = [
            CallbackQueryHandler(self._on_button, pattern=r"^f:"),
            MessageHandler(in_private, self._on_message),
        ]
        with warnings.catch_warnings():
            # Per-person forms want per_message=False; PTB warns that buttons are then
            # tracked per chat, which is exactly what is meant here.
            warnings.filterwarnings("ignore", ".*per_message=False", PTBUserWarning)
            self.handler: ConversationHandler[Context] = ConversationHandler(
                entry_points=handlers,
                states={ACTIVE: handlers},
                fallbacks=[],
                name="forms",
                persistent=True,
            )

    # --- what the rest of the bot calls -------------------------------------------------

    def add(self, form: Form) -> None:
        """Make ``form`` available to :meth:`begin` (and to the menu, if it has a label)."""
        if form.name in self.forms:
            raise ValueError(f"a form named {form.name!r} is already registered")
        self.forms[form.name] = form

    async def begin(
        self,
        update: Update,
        context: Context,
        form_name: str,
        *,
        answers: Answers | None = None,
        at_summary: bool = False,
    ) -> None:
        """Start ``form_name`` for the person, replacing any other form they had open (the
        caller offers the choice first), or resume it if it is the one open."""
        user = _user(update)
        draft = await self._drafts.get_for(user.id)
        if draft is not None and draft.form == form_name:
            await self._ask(update, context, draft, note="Welcome back: here is where you were.")
            return
        if draft is not None:
            await self._clear_keyboard(context, draft)
        await self._start(update, context, self.forms[form_name], answers, at_summary)

    async def resume(self, update: Update, context: Context) -> bool:
        """Re-ask the open form's current question; False if there is none."""
        user = update.effective_user
        draft = await self._drafts.get_for(user.id) if user else None
        if draft is None or draft.form not in self.forms:
            return False
        await self._ask(update, context, draft, note="Welcome back: here is where you were.")
        return True

    async def cancel(self, update: Update, context: Context) -> bool:
        """Discard the open form; False if there was none."""
        user = update.effective_user
        draft = await self._drafts.get_for(user.id) if user else None
        if draft is None:
            return False
        await self._clear_keyboard(context, draft)
        await self._drafts.discard(draft.id)
        return True

    async def open_form(self, user_id: int) -> Form | None:
        draft = await self._drafts.get_for(user_id)
        return self.forms.get(draft.form) if draft else None

    # --- the conversation --------------------------------------------------------------

    async def _start(
        self,
        update: Update,
        context: Context,
        form: Form,
        answers: Answers | None,
        at_summary: bool,
    ) -> None:
        user = _user(update)
        draft = await self._drafts.start(
            user.id, form.name, self._clock(), answers, step=len(form.steps) if at_summary else 0
        )
        if form.intro and not at_summary:
            await context.bot.send_message(user.id, html.escape(form.intro))
        await self._ask(update, context, draft)

    def _position(self, draft: Draft, form: Form) -> str:
        return SUMMARY if draft.step >= len(form.steps) else str(draft.step)

    async def _ask(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        *,
        note: str = "",
        edit: Message | None = None,
        answered: int | None = None,
    ) -> None:
        """Show the current question (or the summary), replacing ``edit`` if given.

        ``answered``: the step just answered, whose question message now shows the answer.
        """
        form = self.forms[draft.form]
        user = update.effective_user
        if draft.step >= len(form.steps):
            text, keyboard = render_summary(form, draft)
            if note:
                text = f"<i>{html.escape(note)}</i>\n\n{text}"
        else:
            text, keyboard = render_question(form, draft, user=user, note=note)
        if edit is not None and await edit_in_place(edit, text, keyboard):
            return
        sent = await context.bot.send_message(draft.user_id, text, reply_markup=keyboard)
        if answered is None:
            await self._clear_keyboard(context, draft)
        else:
            await self._show_answer(context, draft, form, answered)
        await self._drafts.set_question_message(draft.id, sent.message_id)

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

    async def _go(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        *,
        answers: Answers | None = None,
        step: int | None = None,
        return_to_summary: bool | None = None,
        note: str = "",
        edit: Message | None = None,
        answered: int | None = None,
    ) -> str:
        """Save the answers and position together, then ask what that position asks."""
        moved = draft.model_copy(
            update={
                "answers": draft.answers if answers is None else answers,
                "step": draft.step if step is None else step,
                "return_to_summary": (
                    draft.return_to_summary if return_to_summary is None else return_to_summary
                ),
            }
        )
        await self._drafts.save(
            moved.id,
            answers=moved.answers,
            step=moved.step,
            return_to_summary=moved.return_to_summary,
            now=self._clock(),
        )
        await self._ask(update, context, moved, note=note, edit=edit, answered=answered)
        return ACTIVE

    async def _advance(
        self,
        update: Update,
        context: Context,
        draft: Draft,
        answers: Answers,
        *,
        edit: Message | None = None,
    ) -> str:
        """The step is answered: on to the next one, or back to the summary if editing."""
        form = self.forms[draft.form]
        return await self._go(
            update,
            context,
            draft,
            answers=answers,
            step=len(form.steps) if draft.return_to_summary else draft.step + 1,
            return_to_summary=False,
            edit=edit if form.edit_in_place else None,
            answered=draft.step,
        )

    async def _retry(self, update: Update, context: Context, draft: Draft, reason: str) -> str:
        await self._ask(update, context, draft, note=reason)
        return ACTIVE

    async def _on_message(self, update: Update, context: Context) -> str | int:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return ConversationHandler.END
        draft = await self._drafts.get_for(user.id)
        if draft is None or draft.form not in self.forms:
            await self._on_idle(update, context)
            return ConversationHandler.END
        if self._may_continue and not await self._may_continue(update, context):
            return ACTIVE
        form = self.forms[draft.form]
        if draft.step >= len(form.steps):
            return await self._retry(
                update, context, draft, "Please use the buttons: confirm, change or cancel."
            )
        step = form.steps[draft.step]
        answers = dict(draft.answers)
        text = message.text
        if isinstance(step, MediaStep):
            answer = _media_answer(message, step)
            if answer is None:
                wanted = "a photo, a voice note, a file" + (" or text" if step.accept_text else "")
                return await self._retry(
                    update,
                    context,
                    draft,
                    f"I can't use {describe_message(message)} here: please send {wanted}.",
                )
            if answer.get("text") is not None:
                reason = check_text(answer["text"], min_length=1, max_length=step.max_length)
                if reason:
                    return await self._retry(update, context, draft, reason)
            answers[step.key] = answer
            await self._advance(update, context, draft, answers)
            return ACTIVE
        if text is None:
            return await self._retry(
                update,
                context,
                draft,
                f"I can't use {describe_message(message)} here: "
                + (
                    "please type your answer."
                    if isinstance(step, TextStep | ListStep)
                    else "please tap one of the buttons."
                ),
            )
        if isinstance(step, TextStep):
            reason = check_text(text, min_length=step.min_length, max_length=step.max_length)
            if reason:
                return await self._retry(update, context, draft, reason)
            answers[step.key] = text.strip()
            await self._advance(update, context, draft, answers)
        elif isinstance(step, ListStep):
            items = list(answers.get(step.key) or [])
            if len(items) >= step.max_items:
                return await self._retry(
                    update, context, draft, f"You already have {step.max_items}: tap Done."
                )
            reason = check_text(text, min_length=1, max_length=step.item_max_length)
            if reason:
                return await self._retry(update, context, draft, reason)
            items.append(text.strip())
            answers[step.key] = items
            if len(items) >= step.max_items:
                await self._advance(update, context, draft, answers)
            else:
                await self._go(
                    update,
                    context,
                    draft,
                    answers=answers,
                    note=f"Got it ({len(items)} of up to {step.max_items}).",
                )
        else:
            typed = _typed_choice(step, text)
            if typed is None:
                return await self._retry(
                    update, context, draft, "Please tap one of the buttons under the question."
                )
            if isinstance(step, MultiChoiceStep):
                chosen = list(answers.get(step.key) or [])
                answers[step.key] = [*chosen, typed] if typed not in chosen else chosen
                await self._go(update, context, draft, answers=answers)
            else:
                answers[step.key] = typed
                await self._advance(update, context, draft, answers)
        return ACTIVE

    async def _on_button(self, update: Update, context: Context) -> str | int:
        query = update.callback_query
        user = update.effective_user
        if query is None or user is None:
            return ConversationHandler.END
        press = parse_button(query.data or "")
        draft = await self._drafts.get_for(user.id)
        if press is None or draft is None or draft.id != press.draft_id:
            await query.answer(BUTTON_EXPIRED, show_alert=True)
            return ACTIVE if draft else ConversationHandler.END
        if self._may_continue and not await self._may_continue(update, context):
            await query.answer()
            return ACTIVE
        form = self.forms.get(draft.form)
        if form is None:
            await self._drafts.discard(draft.id)
            await query.answer(BUTTON_EXPIRED, show_alert=True)
            return ConversationHandler.END
        current = self._position(draft, form)
        on_edit_menu = press.position == EDIT_MENU and current == SUMMARY
        if press.position != current and not on_edit_menu:
            await query.answer()
            await self._ask(update, context, draft, note=EARLIER_BUTTON)
            return ACTIVE
        await query.answer()
        return await self._act(update, context, query, form, draft, press)

    async def _act(
        self,
        update: Update,
        context: Context,
        query: CallbackQuery,
        form: Form,
        draft: Draft,
        press: ButtonPress,
    ) -> str | int:
        message = query.message if isinstance(query.message, Message) else None
        action, argument = press.action, press.argument
        answers = dict(draft.answers)
        if action == "x":
            await self.cancel(update, context)
            await context.bot.send_message(
                draft.user_id,
                html.escape(cancelled(form)),
            )
            await self._on_finish(update, context)
            return ConversationHandler.END
        if press.position == SUMMARY:
            return await self._act_on_summary(update, context, form, draft, action, message)
        if press.position == EDIT_MENU:
            if action == "g" and argument is not None and argument < len(form.steps):
                await self._go(update, context, draft, step=argument, return_to_summary=True)
            else:
                await self._ask(update, context, draft, edit=message)
            return ACTIVE
        step = form.steps[draft.step]
        if action == "b":
            back_to = len(form.steps) if draft.return_to_summary else max(draft.step - 1, 0)
            return await self._go(update, context, draft, step=back_to, return_to_summary=False)
        if action == "k" and step.optional:
            answers[step.key] = None
            await self._advance(update, context, draft, answers, edit=message)
            return ACTIVE
        if action == "u" and isinstance(step, TextStep) and step.suggest:
            suggested = step.suggest(user) if (user := update.effective_user) else None
            if suggested:
                answers[step.key] = suggested[: step.max_length]
                await self._advance(update, context, draft, answers)
                return ACTIVE
        if action == "c" and argument is not None:
            if isinstance(step, ChoiceStep) and argument < len(step.choices):
                answers[step.key] = step.choices[argument].value
                await self._advance(update, context, draft, answers, edit=message)
                return ACTIVE
            if isinstance(step, ScaleStep) and 1 <= argument <= 5:
                answers[step.key] = argument
                await self._advance(update, context, draft, answers, edit=message)
                return ACTIVE
        if (
            action == "t"
            and isinstance(step, MultiChoiceStep)
            and argument is not None
            and argument < len(step.choices)
        ):
            value = step.choices[argument].value
            chosen = list(answers.get(step.key) or [])
            answers[step.key] = (
                [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            )
            await self._go(update, context, draft, answers=answers, edit=message)
            return ACTIVE
        if action == "d" and isinstance(step, MultiChoiceStep | ListStep):
            have = len(answers.get(step.key) or [])
            least = step.min_chosen if isinstance(step, MultiChoiceStep) else step.min_items
            if have < least:
                what = "choose" if isinstance(step, MultiChoiceStep) else "send"
                return await self._retry(
                    update, context, draft, f"Please {what} at least {least} first."
                )
            await self._advance(update, context, draft, answers, edit=message)
            return ACTIVE
        if action == "r" and isinstance(step, ListStep) and answers.get(step.key):
            answers[step.key] = list(answers[step.key])[:-1]
            await self._go(update, context, draft, answers=answers)
            return ACTIVE
        await self._ask(update, context, draft, note=EARLIER_BUTTON)
        return ACTIVE

    async def _act_on_summary(
        self,
        update: Update,
        context: Context,
        form: Form,
        draft: Draft,
        action: str,
        message: Message | None,
    ) -> str | int:
        if action == "ed":
            text, keyboard = render_edit_menu(form, draft)
            if message is None or not await edit_in_place(message, text, keyboard):
                await context.bot.send_message(draft.user_id, text, reply_markup=keyboard)
            return ACTIVE
        if action != "ok":
            await self._ask(update, context, draft, note=EARLIER_BUTTON)
            return ACTIVE
        user = update.effective_user
        if user is None:
            return ConversationHandler.END
        problem = form.check(draft.answers) if form.check else None
        if problem:
            await self._ask(update, context, draft, note=problem)
            return ACTIVE
        confirmation = await form.on_submit(
            Submission(user=user, draft_id=draft.id, answers=draft.answers)
        )
        await self._drafts.discard(draft.id)
        await self._clear_keyboard(context, draft)
        await context.bot.send_message(user.id, html.escape(confirmation))
        await self._on_finish(update, context)
        return ConversationHandler.END


def _user(update: Update) -> User:
    if update.effective_user is None:
        raise ValueError("forms run for a person: this update has no user")
    return update.effective_user


def _media_answer(message: Message, step: MediaStep) -> dict[str, Any] | None:
    if message.photo:
        photo = {"kind": "photo", "file_id": message.photo[-1].file_id}
        return {**photo, "text": message.caption.strip()} if message.caption else photo
    if message.voice:
        return {"kind": "voice", "file_id": message.voice.file_id}
    if message.document:
        return {"kind": "document", "file_id": message.document.file_id}
    if step.accept_text and message.text is not None:
        return {"kind": "text", "text": message.text.strip()}
    return None


def _typed_choice(step: Step, text: str) -> Any | None:
    """A choice typed instead of tapped: its label, or a scale's number."""
    typed = text.strip().casefold()
    if isinstance(step, ScaleStep):
        return int(typed) if typed in {"1", "2", "3", "4", "5"} else None
    if isinstance(step, ChoiceStep | MultiChoiceStep):
        for choice in step.choices:
            if choice.label.casefold() == typed:
                return choice.value
    return None
