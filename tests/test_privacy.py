"""Privacy end to end: /privacy, /mydata, /forget, /stop, commands mid-form, retention,
a new notice version, group chats and deep links, each checked in the database too."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.features import DeepLink, Feature
from bot.features.membership.handlers import AGREE, NOT_NOW, NOT_SIGNED_UP
from bot.features.privacy import handlers as privacy
from bot.simulator import SimMessage, SimulatorClient, SimUser
from tests.harness import (
    MEMBER_ID,
    BotStarter,
    RunningBot,
    all_handled,
    message_saying,
    messages_until,
    rows,
    sign_up,
)

OTHER_ID = 2001
GROUP_ID = -100123
NOTICE_CHANGED = "Our privacy notice has changed: please read it again."
FORGET_QUESTION = privacy.forget_question(keep_anonymous=True)  # the default
YES_ERASE, NO_KEEP = "Yes, erase my data", "No, keep it"
ERASED = privacy.erased(keep_anonymous=True)


async def execute(settings: Settings, sql: str, *args: object) -> None:
    """Write as another process would: in a thread, so the bot (on this event loop) can finish
    a transaction it has open instead of the two waiting on each other."""

    def write() -> None:
        with closing(sqlite3.connect(settings.storage.path)) as connection, connection:
            connection.execute(sql, args)

    await asyncio.to_thread(write)


async def rows_about(settings: Settings, user_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row in the tables that hold personal data that names ``user_id``, once the bot
    has finished with every update it received."""
    await all_handled(settings)
    return {
        "participants": rows(settings, "SELECT * FROM participants WHERE user_id = ?", user_id),
        "drafts": rows(settings, "SELECT * FROM drafts WHERE user_id = ?", user_id),
        "inbox": rows(settings, "SELECT update_id FROM inbox WHERE person = ?", user_id),
    }


NOTHING = {"participants": [], "drafts": [], "inbox": []}


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[RunningBot]:
    """A bot with settings of the test's own, stopped however the test ends."""
    started = RunningBot(settings)
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


def with_programme(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update={"programme": settings.programme.model_copy(update=changes)})


async def start_onboarding(user: SimUser) -> SimMessage:
    """Consent and answer the name: returns the organisation question (step 2 of 4)."""
    await user.send("/start")
    await message_saying(user, "Are you happy to go ahead?")
    await user.press(AGREE)
    await message_saying(user, "Four quick questions about you and your group.")
    await message_saying(user, "What should we call you?")
    await user.send("Maya Jones")
    organisation = await message_saying(user, "Step 2 of 4")
    assert "Step 2 of 4" in organisation.text
    return organisation


async def edit_of(user: SimUser, message: SimMessage) -> SimMessage:
    """The next edit of ``message``, passing over what else the bot sends or edits."""
    while True:
        reply = await user.next_reply()
        if reply.message_id == message.message_id:
            assert reply.edited
            return reply


async def forget(user: SimUser) -> None:
    """/forget and "Yes": the person is erased."""
    await user.send("/forget")
    question = await message_saying(user, "It can't be undone. Are you sure?")
    assert question.text == FORGET_QUESTION
    await user.answer_to(await user.press(YES_ERASE))
    assert (await edit_of(user, question)).text == ERASED


async def read_document(sim: SimulatorClient, message: SimMessage) -> Any:
    _, content = await sim.request("GET", f"/sim/files/{message.raw['document']['file_id']}")
    return content


# /privacy


async def test_privacy_shows_the_notice_with_the_configured_figures(
    sim: SimulatorClient, settings: Settings
) -> None:
    own = with_programme(settings, retention_days=400, min_group_size=7)
    async with running(own):
        user = sim.user(MEMBER_ID, "Maya")
        await user.send("/privacy")
        notice = await message_saying(user, "How this bot uses your information.")
    assert notice.text == own.programme.privacy_notice
    assert "groups of 7 or more people" in notice.text
    assert "after 400 days without activity" in notice.text
    assert "{" not in notice.text
    assert notice.labels() == []  # reading the notice is not agreeing to it
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]


# /mydata


async def test_mydata_sends_the_profile_and_the_open_draft(
    member: SimUser, sim: SimulatorClient
) -> None:
    await sign_up(sim.user(OTHER_ID, "Olu"), organisation="Huyton Hub")
    await sign_up(member, sector="Children's centre")

    await member.send("/mydata")
    document = await message_saying(member, "Everything we hold about you.")
    assert document.document_name == "my-coproduce-data.json"
    assert document.text == "Everything we hold about you. /forget erases it."
    data = await read_document(sim, document)
    assert data["telegram_user_id"] == MEMBER_ID
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    [profile] = data["participants"]
    assert {k: profile[k] for k in ("user_id", "name", "organisation", "sector", "area")} == {
        "user_id": MEMBER_ID,
        "name": "Maya",
        "organisation": "Kirkby Mums' Group",
        "sector": "childrens_centre",
        "area": "knowsley",
    }
    assert profile["consent_version"] == 1
    assert profile["follow_ups"] == 1
    assert data["drafts"] == []
    assert "Olu" not in str(data)
    assert "Huyton Hub" not in str(data)

    await member.send("/profile")  # opens the profile form at its summary: a draft
    await message_saying(member, "Check your answers")
    await member.press("Change an answer")
    await message_saying(member, "Which answer would you like to change?", replies=True)
    await member.press("2. Organisation")
    await message_saying(member, "Step 2 of 4")
    await member.send("Kirkby Dads' Group")
    await message_saying(member, "Check your answers")  # back at the summary, not yet saved
    await member.send("/mydata")
    data = await read_document(sim, await message_saying(member, "Everything we hold about you."))
    [draft] = data["drafts"]
    assert draft["form"] == "onboarding"
    assert draft["answers"]["organisation"] == "Kirkby Dads' Group"
    assert draft["answers"]["sector"] == "childrens_centre"
    assert data["participants"][0]["organisation"] == "Kirkby Mums' Group"


async def test_mydata_for_a_stranger_holds_nothing(member: SimUser, settings: Settings) -> None:
    await member.send("/mydata")
    reply = await message_saying(member, "We hold nothing about you.")
    assert reply.text == "We hold nothing about you."
    assert reply.document_name is None
    assert await rows_about(settings, MEMBER_ID) == NOTHING


# /forget


async def test_forget_asks_first_and_no_erases_nothing(
    member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    before = rows(settings, "SELECT * FROM participants")
    await member.send("/forget")
    question = await message_saying(member, "It can't be undone. Are you sure?")
    assert question.text == FORGET_QUESTION
    assert question.labels() == [YES_ERASE, NO_KEEP]
    assert rows(settings, "SELECT * FROM participants") == before  # asking erased nothing
    await member.answer_to(await member.press(NO_KEEP))
    answer = await message_saying(member, "Nothing was erased.", replies=True)
    assert (answer.message_id, answer.text, answer.labels()) == (
        question.message_id,
        "Nothing was erased.",
        [],
    )
    assert rows(settings, "SELECT * FROM participants") == before
    await member.send("/menu")
    assert (await message_saying(member, "What would you like to do?")).text == (
        "What would you like to do?"
    )


async def test_forget_yes_leaves_no_row_about_the_person(
    member: SimUser, sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    other = sim.user(OTHER_ID, "Olu")
    await sign_up(other)
    await sign_up(member)
    await member.send("/profile")  # a draft open too
    await message_saying(member, "Check your answers")
    await forget(member)
    assert (await rows_about(settings, MEMBER_ID))["participants"] == []

    await member.send("/start")
    again = await message_saying(member, "Are you happy to go ahead?")
    assert again.text.startswith("Welcome to the")
    assert again.labels() == [AGREE, NOT_NOW]
    await member.send("/mydata")
    assert (await message_saying(member, "We hold nothing")).text == "We hold nothing about you."

    await bot.stop()  # flush everything the bot would persist
    assert await rows_about(settings, MEMBER_ID) == NOTHING
    assert [row[0] for row in rows(settings, "SELECT user_id FROM participants")] == [OTHER_ID]


async def test_forget_mid_form_erases_the_form_too(
    sim: SimulatorClient, settings: Settings
) -> None:
    member = sim.user(MEMBER_ID, "Maya")
    async with running(settings) as bot:
        organisation = await start_onboarding(member)
        assert rows(settings, "SELECT form, step_key FROM drafts") == [
            ("onboarding", "organisation")
        ]
        await forget(member)
        messages = await member.messages()
        question = next(m for m in messages if m.message_id == organisation.message_id)
        assert question.labels() == []  # the form's buttons are gone with it

        await bot.stop()  # flush the conversation state the bot keeps about the person
        assert await rows_about(settings, MEMBER_ID) == NOTHING

        await bot.start()
        await member.send("Kirkby Mums' Group")  # the answer to a form that no longer exists
        assert (await message_saying(member, NOT_SIGNED_UP)).text == NOT_SIGNED_UP
        await member.send("/start")
        welcome = await message_saying(member, "Are you happy to go ahead?")
        assert welcome.labels() == [AGREE, NOT_NOW]
    assert await rows_about(settings, MEMBER_ID) == NOTHING


async def test_forget_for_a_stranger_erases_nothing_and_says_so(
    member: SimUser, settings: Settings
) -> None:
    await forget(member)
    assert await rows_about(settings, MEMBER_ID) == NOTHING


# /stop


async def test_stop_turns_follow_ups_off_and_start_turns_them_on(
    member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await member.send("/stop")
    assert (await message_saying(member, "Done: no more reminders")).text == (
        "Done: no more reminders or follow-ups. Send /start to turn them back on."
    )
    assert rows(settings, "SELECT follow_ups FROM participants") == [(0,)]
    await member.send("/start")
    assert (await message_saying(member, "Welcome back: reminders")).text == (
        "Welcome back: reminders and follow-ups are on again."
    )
    assert (await message_saying(member, "What would you like to do?")).text == (
        "What would you like to do?"
    )
    assert rows(settings, "SELECT follow_ups FROM participants") == [(1,)]
    await member.send("/start")  # already on: no "welcome back" a second time
    said = await messages_until(member, "What would you like to do?")
    assert [m.text for m in said] == ["What would you like to do?"]


async def test_stop_for_a_stranger_stores_nothing(member: SimUser, settings: Settings) -> None:
    await member.send("/stop")
    assert (await message_saying(member, "You're not signed up")).text == (
        "You're not signed up, so we won't send you anything."
    )
    assert await rows_about(settings, MEMBER_ID) == NOTHING


# Commands in the middle of a form


async def test_commands_mid_form_are_answered_and_the_form_carries_on(
    member: SimUser, settings: Settings
) -> None:
    await start_onboarding(member)

    await member.send("/help")
    help_text = await message_saying(member, "Here is what you can do:")
    assert help_text.text.startswith("Here is what you can do:")
    await member.send("Kirkby Mums' Group")  # the answer to the question before /help
    sector = await message_saying(member, "Step 3 of 4")
    assert "Step 3 of 4" in sector.text

    await member.send("/stop")
    stopped = await message_saying(member, "Done: no more reminders")
    assert stopped.text.startswith("Done: no more reminders")
    assert rows(settings, "SELECT follow_ups FROM participants") == [(0,)]
    await member.press("Children's centre")
    area = await message_saying(member, "Step 4 of 4")
    assert "Step 4 of 4" in area.text

    await member.send("/forget")
    await message_saying(member, "It can't be undone. Are you sure?")
    await member.press(NO_KEEP)
    kept = await message_saying(member, "Nothing was erased.", replies=True)
    assert kept.text == "Nothing was erased."

    await member.send("/start")
    assert (await message_saying(member, "Welcome back: reminders")).text == (
        "Welcome back: reminders and follow-ups are on again."
    )
    assert "Step 4 of 4" in (await message_saying(member, "Step 4 of 4")).text
    assert rows(settings, "SELECT follow_ups FROM participants") == [(1,)]

    await member.send("/menu")
    menu = await message_saying(member, "You haven't finished signing up yet.")
    assert menu.text == "You haven't finished signing up yet."
    await member.press("Finish signing up")
    again = await message_saying(member, "Welcome back: here is where you were.")
    assert "Welcome back: here is where you were." in again.text
    assert "Step 4 of 4" in again.text
    await member.press("Knowsley")
    assert "Check your answers" in (await message_saying(member, "Check your answers")).text
    await member.press("Save")
    assert (await message_saying(member, "you're signed up")).text == (
        "Thank you, Maya Jones: you're signed up."
    )
    assert rows(
        settings, "SELECT name, organisation, sector, area, follow_ups FROM participants"
    ) == [("Maya Jones", "Kirkby Mums' Group", "childrens_centre", "knowsley", 1)]
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_cancel_mid_onboarding_drops_the_form_and_start_begins_again(
    member: SimUser, settings: Settings
) -> None:
    await start_onboarding(member)
    await member.send("/cancel")
    cancelled = await message_saying(member, "Cancelled:")
    assert cancelled.text == "Cancelled: nothing you answered in Your profile was saved."
    unfinished = await message_saying(member, "You haven't finished signing up yet.")
    assert unfinished.text == "You haven't finished signing up yet."
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]
    await member.send("/start")
    intro = await message_saying(member, "Four quick questions")
    assert intro.text == "Four quick questions about you and your group."
    first = await message_saying(member, "Step 1 of 4")
    assert "Step 1 of 4" in first.text
    await member.send("Maya Jones")
    assert "Step 2 of 4" in (await message_saying(member, "Step 2 of 4")).text


# Retention


async def backdate(settings: Settings, user_id: int, days: float) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    await execute(
        settings,
        "UPDATE participants SET last_active_at = ? WHERE user_id = ?",
        then.isoformat(),
        user_id,
    )


def retention_job(bot: RunningBot) -> Any:
    assert bot.application is not None
    assert bot.application.job_queue is not None
    [job] = bot.application.job_queue.get_jobs_by_name("retention")
    return job


async def test_retention_erases_the_long_inactive_and_keeps_the_recent(
    member: SimUser, sim: SimulatorClient, settings: Settings, bot: RunningBot
) -> None:
    other = sim.user(OTHER_ID, "Olu")
    await sign_up(other)
    await sign_up(member)
    await member.send("/profile")  # a draft, which goes with its owner
    await message_saying(member, "Check your answers")
    await member.press("Change an answer")
    await message_saying(member, "Which answer would you like to change?", replies=True)
    await all_handled(settings, sim)  # the press's own activity stamp is in before backdating
    retention = settings.programme.retention_days
    await backdate(settings, MEMBER_ID, retention + 1)
    await backdate(settings, OTHER_ID, retention - 1)

    assert bot.application is not None
    await retention_job(bot).run(bot.application)  # the real job, as the scheduler runs it

    assert (await rows_about(settings, MEMBER_ID))["participants"] == []
    assert (await rows_about(settings, MEMBER_ID))["drafts"] == []
    assert [row[0] for row in rows(settings, "SELECT user_id FROM participants")] == [OTHER_ID]
    await bot.stop()
    assert await rows_about(settings, MEMBER_ID) == NOTHING


async def test_activity_restarts_the_retention_clock(
    member: SimUser, settings: Settings, bot: RunningBot
) -> None:
    await sign_up(member)
    await backdate(settings, MEMBER_ID, settings.programme.retention_days + 1)
    await member.send("/menu")
    await message_saying(member, "What would you like to do?")
    await all_handled(settings)  # the activity stamp is committed after the reply is sent
    assert bot.application is not None
    await retention_job(bot).run(bot.application)
    [(last_active_at,)] = rows(settings, "SELECT last_active_at FROM participants")
    assert datetime.now(UTC) - datetime.fromisoformat(last_active_at) < timedelta(minutes=1)


async def test_retention_jobs_are_named_and_scheduled_daily(
    bot: RunningBot, settings: Settings
) -> None:
    job = retention_job(bot)
    assert job.next_t is not None
    assert job.next_t.astimezone(settings.tz).time() == time(3, 30)
    assert job.job.misfire_grace_time == 24 * 3600  # a late run still happens, once
    assert job.job.coalesce is True
    assert job.callback is privacy.erase_expired


# A new notice version


async def test_a_new_notice_version_asks_again_and_keeps_the_profile(
    member: SimUser, settings: Settings, bot: RunningBot
) -> None:
    await sign_up(member)
    await bot.stop()
    privacy_v2 = settings.programme.privacy.model_copy(update={"version": 2})
    async with running(with_programme(settings, privacy=privacy_v2)):
        await member.send("/start")
        notice = await message_saying(member, NOTICE_CHANGED)
        assert notice.text.startswith(NOTICE_CHANGED)
        assert notice.labels() == [AGREE, NOT_NOW]
        await member.send("/menu")  # the menu's buttons also lead back to the notice
        await message_saying(member, "What would you like to do?")
        await member.press("My profile")
        assert (await message_saying(member, NOTICE_CHANGED)).text.startswith(NOTICE_CHANGED)
        assert rows(settings, "SELECT consent_version FROM participants") == [(1,)]
        await member.press(AGREE)
        recorded = await message_saying(member, "your agreement is recorded")
        assert recorded.text == "Thank you: your agreement is recorded."
        menu = await message_saying(member, "What would you like to do?")
        assert menu.text == "What would you like to do?"
    assert rows(
        settings,
        "SELECT name, organisation, consent_version, onboarded_at IS NOT NULL FROM participants",
    ) == [("Maya", "Kirkby Mums' Group", 2, 1)]


async def test_agreeing_to_an_old_notice_asks_again(
    member: SimUser, settings: Settings, bot: RunningBot
) -> None:
    await member.send("/start")
    old = await message_saying(member, "Are you happy to go ahead?")
    await bot.stop()
    privacy_v2 = settings.programme.privacy.model_copy(update={"version": 2})
    async with running(with_programme(settings, privacy=privacy_v2)):
        await member.press(AGREE, message_id=old.message_id)
        again = await message_saying(member, "The notice has changed")
        assert again.text.startswith("The notice has changed: please read it again.")
        assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]


# Group chats


async def test_commands_in_a_group_get_a_private_chat_link_and_store_nothing(
    member: SimUser, settings: Settings, bot: RunningBot
) -> None:
    for command in ("/start", "/mydata", "/forget", "/stats"):
        await member.send(command, chat_id=GROUP_ID)
    reply = await message_saying(member, "Let's talk in a private chat", chat_id=GROUP_ID)
    assert reply.text.startswith("Let's talk in a private chat")
    [[button]] = reply.raw["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Open a private chat"
    assert button["url"] == "https://t.me/coproduce_bot"
    await all_handled(settings)
    # Once a minute per group: the other three commands add nothing to the group.
    from_bot = [message for message in await member.messages(GROUP_ID) if message.from_bot]
    assert from_bot == [reply]
    await bot.stop()
    assert await rows_about(settings, MEMBER_ID) == NOTHING


# Deep links


async def test_deep_links_reach_their_handler_and_unknown_ones_fall_through(
    start_bot: BotStarter, sim: SimulatorClient, settings: Settings
) -> None:
    codes: list[str] = []

    async def on_event_link(update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
        codes.append(code)
        await update.effective_message.reply_text(f"Event {code}")  # type: ignore[union-attr]

    # A prefix of its own: the real events feature has "ev".
    await start_bot(Feature("test links", deep_links=(DeepLink("tst", on_event_link),)))
    user = sim.user(MEMBER_ID, "Maya")
    await user.send("/start tst_autumn")
    assert (await message_saying(user, "Event autumn")).text == "Event autumn"
    assert codes == ["autumn"]

    for payload in ("zzz_1", "tst_", "tst"):
        await user.send(f"/start {payload}")
        welcome = await message_saying(user, "Are you happy to go ahead?")
        assert welcome.text.startswith("Welcome to the"), payload
        assert welcome.labels() == [AGREE, NOT_NOW]
    assert codes == ["autumn"]
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]
