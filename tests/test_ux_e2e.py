"""What a member sees, through the real bot: nothing typed is lost, typed answers match
labels, lists split, limits are stated up front, no stale questions, a record of survey
answers, and plain wording."""

from __future__ import annotations

from bot.config import Settings
from bot.simulator import SimUser
from tests.harness import all_handled, message_saying, messages_until, rows, sign_up

ORGANISATION = "The " + "Kirkby and Northwood Family Support Network " * 6  # over 120


async def open_menu_item(user: SimUser, label: str) -> None:
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press(label)


async def test_over_long_text_comes_back_and_typed_words_pick_a_sector(
    member: SimUser, settings: Settings
) -> None:
    await member.send("/start")
    await message_saying(member, "Are you happy to go ahead?")
    await member.press("I agree")
    name = await message_saying(member, "What should we call you?")
    await member.press(name.labels()[0])
    question = await message_saying(member, "Which group or organisation")
    assert "up to 120 characters" in question.text  # the limit, before any error
    await member.send(ORGANISATION)
    *echoed, again = await messages_until(member, "Nothing is lost")
    assert [m.text for m in echoed] == [ORGANISATION.strip()]  # their text, whole, to copy
    assert f"That's {len(ORGANISATION.strip())} characters" in again.text
    assert "split" not in again.text
    # The stale copy of the question is gone: one organisation question in the chat.
    await all_handled(settings)
    texts = [m.text for m in await member.messages() if m.text.startswith("Your profile · Step 2")]
    assert len(texts) == 1, [m.describe() for m in await member.messages()]
    await member.send("Kirkby Family Support Network")
    await message_saying(member, "Which of these best describes your organisation?")
    await member.send("voluntary group")  # all its words in one label: that one
    await message_saying(member, "Which area does your group mostly work in?")
    await member.send("knowsley")
    summary = await message_saying(member, "Check your answers")
    assert "Sector: Voluntary or community group" in summary.text


async def test_the_need_states_its_minimum_and_who_accepts_typed_labels(member: SimUser) -> None:
    await sign_up(member)
    await open_menu_item(member, "Voice a local need")
    await message_saying(member, "Where is the need?")
    await member.press("Kirkby")
    what = await message_saying(member, "What is the need?")
    assert "at least 10 and up to 1,500 characters" in what.text
    await member.send("Evening stay and play sessions for working parents in Kirkby")
    await message_saying(member, "Who is affected?")
    await member.send("families, young people")  # typed labels tick those boxes
    ticked = await message_saying(member, "Ticked", replies=True)
    assert "✓ Families" in ticked.labels()
    assert "✓ Young people" in ticked.labels()
    await member.press("Done")
    evidence = await message_saying(member, "How do you know about this need?")
    assert evidence.text.count("photo") == 1  # the hint is said once


async def test_a_typed_list_is_offered_as_items(member: SimUser, settings: Settings) -> None:
    await sign_up(member)
    await open_menu_item(member, "Challenge 1")
    await message_saying(member, "Step 1 of 2")
    await member.send("Shared use of the centre, a named contact, small grants")
    offer = await message_saying(member, "That looks like a list")
    assert "Split 1. into 3 items" in offer.labels()
    await member.press("Split 1. into 3 items")
    split = await message_saying(member, "Split: 3 items.", replies=True)
    assert "1. Shared use of the centre\n2. a named contact\n3. small grants" in split.text
    await member.press("Done")
    await message_saying(member, "Step 2 of 2")
    await member.send("Help with tendering")
    await message_saying(member, "Got it")
    await member.press("Done")
    await message_saying(member, "Check your answers")
    await member.press("Confirm and send")
    await message_saying(member, "is saved as C-0001")
    [(answers,)] = rows(settings, "SELECT answers FROM challenge_answers")
    assert '"Shared use of the centre", "a named contact", "small grants"' in str(answers)


async def test_survey_answers_stay_in_the_chat_in_plain_words(member: SimUser) -> None:
    await sign_up(member)
    await open_menu_item(member, "Take the confidence survey (1 minute)")
    await message_saying(member, "Step 1 of 5")
    for step in range(2, 6):
        await member.press("4")
        await message_saying(member, f"Step {step} of 5")
    await member.press("4")
    summary = await message_saying(member, "Check your answers")
    assert "(before)" not in summary.text
    assert "?:" not in summary.text
    assert "commissioners? Quite (4 of 5)" in summary.text
    # Each question is kept with its answer: a record of what was said.
    records = [m.text for m in await member.messages() if "✓ Quite (4 of 5)" in m.text]
    assert len(records) == 5


async def test_the_privacy_notice_reads_well_for_someone_signed_up(member: SimUser) -> None:
    await sign_up(member)
    await member.send("/privacy")
    notice = await message_saying(member, "How this bot uses your information")
    assert "Before you start" not in notice.text
    assert "after two years without activity" in notice.text
    assert "730" not in notice.text
