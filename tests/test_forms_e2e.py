"""The form engine end to end: every step kind, wrong input of every sort, Back, Skip,
Change an answer, Cancel, another form while one is open, and resume after a restart."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.features import Feature
from bot.simulator import BotApiEmulator, SimulatorClient, SimUser
from conversations.engine import EARLIER_BUTTON
from conversations.forms import (
    Choice,
    ChoiceStep,
    Form,
    ListStep,
    MediaStep,
    MultiChoiceStep,
    ScaleStep,
    Submission,
    TextStep,
)
from tests.harness import BotStarter, RunningBot, message_saying, sign_up, start_coproduce_process

LABELS = ("Not at all", "A little", "Somewhat", "Quite", "Very")


class Sink:
    """A test form with one step of every kind; remembers what was submitted."""

    def __init__(self) -> None:
        self.submitted: list[dict[str, Any]] = []

    async def on_submit(self, submission: Submission) -> str:
        self.submitted.append(dict(submission.answers))
        return "Sent, thank you!"

    def form(self) -> Form:
        return Form(
            name="sink",
            title="Kitchen sink",
            menu_label="Kitchen sink",
            steps=(
                TextStep(key="note", label="Note", prompt="A note?", optional=True, max_length=50),
                ChoiceStep(
                    key="colour",
                    label="Colour",
                    prompt="Which colour?",
                    choices=(Choice("red", "Red"), Choice("green", "Green")),
                ),
                MultiChoiceStep(
                    key="who",
                    label="Who",
                    prompt="Who is affected?",
                    choices=(
                        Choice("babies", "Babies"),
                        Choice("parents", "Parents"),
                        Choice("carers", "Carers"),
                    ),
                ),
                ScaleStep(key="sure", label="Confidence", prompt="How sure?", labels=LABELS),
                ListStep(key="ideas", label="Ideas", prompt="Your ideas?", max_items=3),
                MediaStep(key="evidence", label="Evidence", prompt="Evidence?", optional=True),
            ),
            on_submit=self.on_submit,
        )

    def feature(self) -> Feature:
        """The form as a feature of its own, in the main menu."""
        return Feature("sink", forms=lambda core: [self.form()])


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
async def sink_bot(start_bot: BotStarter, sink: Sink) -> RunningBot:
    return await start_bot(sink.feature())


@pytest.fixture
async def maya(sim: SimulatorClient, sink_bot: RunningBot) -> SimUser:
    user = sim.user(1001, "Maya")
    await sign_up(user)
    return user


async def open_sink(user: SimUser) -> None:
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press("Kitchen sink")


async def expect_retry(user: SimUser, reason: str, step: int) -> None:
    # A new message, or the pressed one edited; the stale copy is gone.
    again = await message_saying(user, f"Kitchen sink · Step {step} of 6\n{reason}", replies=True)
    assert again.text.startswith(f"Kitchen sink · Step {step} of 6\n{reason}"), again.text


async def test_every_step_kind_with_wrong_input_then_change_and_confirm(
    maya: SimUser, sink: Sink, settings: Settings
) -> None:
    await open_sink(maya)
    note = await message_saying(maya, "Kitchen sink · Step 1 of 6")
    assert note.labels() == ["Skip", "Cancel"]
    await maya.send_sticker()
    await expect_retry(maya, "I can't use a sticker here: please type your answer.", 1)
    await maya.send("x" * 3000)
    # Nothing typed is lost: the text comes back to be copied and shortened.
    assert (await message_saying(maya, "x" * 3000)).text == "x" * 3000
    await expect_retry(
        maya,
        "That's 3,000 characters, and this question takes up to 50. Nothing is lost: your "
        "text is just above. Copy it, shorten it and send it again.",
        1,
    )
    await maya.press("Skip")

    await message_saying(maya, "Kitchen sink · Step 2 of 6")  # colour
    await maya.send("purple")
    await expect_retry(maya, "Please tap one of the buttons under the question.", 2)
    await maya.send_photo()
    await expect_retry(maya, "I can't use a photo here: please tap one of the buttons.", 2)
    await maya.send("green")  # a label typed instead of tapped is fine

    who = await message_saying(maya, "Kitchen sink · Step 3 of 6")
    await maya.press("Done")
    await expect_retry(maya, "Please choose at least one first.", 3)
    question = (await maya.messages())[-1]
    await maya.press("Babies")
    ticked = await maya.next_edit(question.message_id)
    assert ticked.labels()[:3] == ["✓ Babies", "Parents", "Carers"]
    await maya.press("Parents")
    await maya.next_edit(question.message_id)
    await maya.press("✓ Babies")  # untick
    unticked = await maya.next_edit(question.message_id)
    assert unticked.labels()[:3] == ["Babies", "✓ Parents", "Carers"]
    await maya.press("Done")
    assert who.message_id < (await message_saying(maya, "Kitchen sink · Step 4 of 6")).message_id

    await maya.send("7")
    await expect_retry(maya, "Please tap one of the buttons under the question.", 4)
    await maya.press("4")

    await message_saying(maya, "Kitchen sink · Step 5 of 6")  # ideas
    await maya.send_sticker()
    await expect_retry(maya, "I can't use a sticker here: please type your answer.", 5)
    await maya.send("More stay-and-play sessions")
    await expect_retry(maya, "Got it (1 of up to 3).", 5)
    await maya.send("A typo")
    await expect_retry(maya, "Got it (2 of up to 3).", 5)
    await maya.press("Remove last")
    trimmed = await message_saying(maya, "1. More stay-and-play sessions", replies=True)
    assert trimmed.edited  # the list is edited in place, not sent again
    assert "A typo" not in trimmed.text
    assert "1. More stay-and-play sessions" in trimmed.text
    await maya.send("Evening drop-ins for dads")
    await expect_retry(maya, "Got it (2 of up to 3).", 5)
    await maya.press("Done")

    await message_saying(maya, "Kitchen sink · Step 6 of 6")  # evidence
    await maya.send_sticker()
    await expect_retry(
        maya,
        "I can't use a sticker here: please send a photo, a voice note, a file or text.",
        6,
    )
    await maya.send_voice()

    summary = await message_saying(maya, "Kitchen sink · Check your answers")
    assert summary.text.splitlines()[2:] == [
        "1. Note: (skipped)",
        "2. Colour: Green",
        "3. Who: Parents",
        "4. Confidence: Quite (4 of 5)",
        "5. Ideas: More stay-and-play sessions; Evening drop-ins for dads",
        "6. Evidence: a voice note",
    ]
    await maya.send("looks good")
    nudge = await message_saying(maya, "Please use the buttons")
    assert nudge.text.startswith("Please use the buttons: confirm, change or cancel.")

    summary_now = (await maya.messages())[-1]
    await maya.press("Change an answer")
    menu = await maya.next_edit(summary_now.message_id)
    assert menu.labels()[3] == "4. Confidence"
    await maya.press("4. Confidence")
    scale = await message_saying(maya, "Kitchen sink · Step 4 of 6")
    assert "Your answer so far: Quite (4 of 5)" in scale.text
    assert scale.labels()[-2:] == ["Back", "Cancel"]
    await maya.press("2")
    changed = await message_saying(maya, "Kitchen sink · Check your answers")
    assert "4. Confidence: A little (2 of 5)" in changed.text
    await maya.press("Confirm and send")
    assert (await message_saying(maya, "Sent, thank you!")).text == "Sent, thank you!"
    menu_again = await message_saying(maya, "What would you like to do?")
    assert menu_again.text == "What would you like to do?"

    assert sink.submitted == [
        {
            "note": None,
            "colour": "green",
            "who": ["parents"],
            "sure": 2,
            "ideas": ["More stay-and-play sessions", "Evening drop-ins for dads"],
            "evidence": {"kind": "voice", "file_id": sink.submitted[0]["evidence"]["file_id"]},
        }
    ]
    with sqlite3.connect(settings.storage.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


async def test_back_keeps_answers_and_cancel_discards_the_form(
    maya: SimUser, sink: Sink, settings: Settings
) -> None:
    await open_sink(maya)
    await message_saying(maya, "Kitchen sink · Step 1 of 6")
    await maya.send("Hello")
    await message_saying(maya, "Kitchen sink · Step 2 of 6")
    await maya.press("Back")
    back = await message_saying(maya, "Kitchen sink · Step 1 of 6")
    assert back.text.startswith("Kitchen sink · Step 1 of 6")
    assert "Your answer so far: Hello" in back.text
    await maya.press("Cancel")
    assert (await message_saying(maya, "Cancelled:")).text == (
        "Cancelled: nothing you answered in Kitchen sink was saved."
    )
    menu = await message_saying(maya, "What would you like to do?")
    assert menu.text == "What would you like to do?"
    assert sink.submitted == []
    with sqlite3.connect(settings.storage.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


async def test_a_button_from_an_earlier_step_changes_nothing(maya: SimUser) -> None:
    await open_sink(maya)
    await message_saying(maya, "Kitchen sink · Step 1 of 6")
    await maya.press("Skip")
    colour = await message_saying(maya, "Kitchen sink · Step 2 of 6")
    await maya.press("Red")
    await message_saying(maya, "Kitchen sink · Step 3 of 6")
    await maya.press(data=colour.button_data[1][0], message_id=colour.message_id, force=True)
    again = await message_saying(maya, EARLIER_BUTTON)
    assert again.text.startswith(f"Kitchen sink · Step 3 of 6\n{EARLIER_BUTTON}")
    who = (await maya.messages())[-1]
    await maya.press("Babies")
    assert "✓ Babies" in (await maya.next_edit(who.message_id)).labels()


async def test_opening_another_form_offers_to_carry_on_or_switch(maya: SimUser) -> None:
    await open_sink(maya)
    await message_saying(maya, "Kitchen sink · Step 1 of 6")
    await maya.send("/profile")
    offer = await message_saying(maya, "You're part-way through Kitchen sink.")
    assert offer.text == (
        "You're part-way through Kitchen sink. Carry on with it, or switch to Your profile? "
        "If you switch, what you've answered in Kitchen sink so far is not kept."
    )
    assert offer.labels() == ["Carry on: Kitchen sink", "Switch to: Your profile"]
    await maya.press("Carry on: Kitchen sink")
    carried_on = await message_saying(maya, "Kitchen sink · Step 1 of 6")
    assert carried_on.text.startswith("Kitchen sink · Step 1 of 6")
    await maya.send("/profile")
    await message_saying(maya, "You're part-way through Kitchen sink.")
    await maya.press("Switch to: Your profile")
    # the saved profile, ready to change
    profile = await message_saying(maya, "Your profile · Check your answers")
    assert profile.text.startswith("Your profile · Check your answers\n\n1. Name: Maya")


async def test_commands_mid_form_are_answered_and_the_form_carries_on(maya: SimUser) -> None:
    await open_sink(maya)
    await message_saying(maya, "Kitchen sink · Step 1 of 6")
    await maya.send("/help")
    help_text = await message_saying(maya, "Here is what you can do:")
    assert help_text.text.startswith("Here is what you can do:")
    await maya.send("/menu")
    menu = await message_saying(maya, "What would you like to do?")
    assert menu.labels()[0] == "Carry on: Kitchen sink"
    await maya.send("Typed after the menu")
    colour = await message_saying(maya, "Kitchen sink · Step 2 of 6")
    assert colour.text.startswith("Kitchen sink · Step 2 of 6")
    await maya.send("/cancel")
    assert (
        await message_saying(maya, "Cancelled:")
    ).text == "Cancelled: nothing you answered in Kitchen sink was saved."


async def test_the_form_resumes_after_a_restart(
    maya: SimUser, sink_bot: RunningBot, sink: Sink
) -> None:
    await open_sink(maya)
    await message_saying(maya, "Kitchen sink · Step 1 of 6")
    await maya.send("Before the restart")
    colour = await message_saying(maya, "Kitchen sink · Step 2 of 6")
    await sink_bot.restart()
    await maya.press("Green")  # the question sent before the restart still works
    who = await message_saying(maya, "Kitchen sink · Step 3 of 6")
    assert who.text.startswith("Kitchen sink · Step 3 of 6")
    await sink_bot.restart()
    await maya.send("/start")
    resumed = await message_saying(maya, "Welcome back: here is where you were.")
    assert resumed.text.startswith(
        "Kitchen sink · Step 3 of 6\nWelcome back: here is where you were."
    )
    assert colour.message_id < resumed.message_id


async def test_an_answer_survives_kill_9(
    emulator: BotApiEmulator, sim: SimulatorClient, tmp_path: Path
) -> None:
    user = sim.user(1001, "Maya")
    process = await start_coproduce_process(emulator, tmp_path)
    try:
        await user.send("/start")
        await message_saying(user, "Are you happy to go ahead?", timeout=30)
        await user.press("I agree")
        await message_saying(user, "Four quick questions about you and your group.")
        await message_saying(user, "What should we call you?")
        await user.send("Maya from Kirkby")
        assert "Step 2 of 4" in (await message_saying(user, "Step 2 of 4")).text
        process.kill()  # SIGKILL: no shutdown, nothing flushed
        await process.wait()
        process = await start_coproduce_process(emulator, tmp_path)
        await user.send("Kirkby Mums' Group")
        sector = await message_saying(user, "Step 3 of 4", timeout=30)
        assert sector.text.startswith("Your profile · Step 3 of 4")
        await user.press("Voluntary or community group")
        await message_saying(user, "Your profile · Step 4 of 4")
        await user.press("Knowsley")
        summary = await message_saying(user, "Your profile · Check your answers")
        assert "1. Name: Maya from Kirkby" in summary.text
        assert "2. Organisation: Kirkby Mums' Group" in summary.text
    finally:
        process.kill()
        await process.wait()
