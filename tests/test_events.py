"""Events: /event new gives a QR code that decodes to the event's link; scanning it signs a
new person up, records them once and offers the before survey; /event close invites exactly
the attendees to the after survey through the outbox; /events shows the figures."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import PIL.Image
import time_machine
import zxingcpp

from bot.config import Settings
from bot.context import SERVICES_KEY, Services
from bot.simulator import SimMessage, SimulatorClient, SimUser
from tests.harness import (
    RunningBot,
    answer_survey,
    message_saying,
    rows,
    sign_up,
    take_survey,
)

LINK = re.compile(r"https://t\.me/(\w+)\?start=ev_([a-z0-9]{8})")
BEFORE_BUTTON = "Take the before survey (1 minute)"
AFTER_INVITATION = "The after survey is open for you now"


async def drain(bot: RunningBot) -> None:
    assert bot.application is not None
    shared: Services = bot.application.bot_data[SERVICES_KEY]
    await shared.sender.drain()


def bot_username(bot: RunningBot) -> str:
    assert bot.application is not None
    return bot.application.bot.username


async def new_event(admin: SimUser, name: str = "Autumn workshop") -> tuple[SimMessage, str]:
    """Create an event as ``admin``: its QR code message, and its code."""
    await admin.send(f"/event new {name}")
    qr = await message_saying(admin, name)
    assert qr.has_photo
    found = LINK.search(qr.text)
    assert found is not None, qr.text
    await message_saying(admin, "is open, code")
    return qr, found[2]


async def scan(user: SimUser, code: str) -> None:
    await user.send(f"/start ev_{code}")


async def test_the_qr_code_decodes_to_the_events_deep_link(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    qr, code = await new_event(admin)
    png = await sim.file(qr.raw["photo"][-1]["file_id"])
    image = PIL.Image.open(io.BytesIO(png))
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.text == f"https://t.me/{bot_username(bot)}?start=ev_{code}"
    assert barcode.text in qr.text
    assert min(image.size) >= 300  # readable on a slide from across a room
    [(action, details)] = rows(settings, "SELECT action, details FROM audit_log")
    assert action == "event_new"
    assert code in details


async def sign_up_from_the_link(user: SimUser, code: str) -> SimMessage:
    """Scan as someone new: consent and the profile form; returns the event's welcome."""
    await scan(user, code)
    await message_saying(user, "First, a quick sign-up")
    await message_saying(user, "Are you happy to go ahead?")
    await user.press("I agree")
    name_question = await message_saying(user, "What should we call you?")
    await user.press(name_question.labels()[0])
    await message_saying(user, "Which group or organisation")
    await user.send("Kirkby Mums' Group")
    await message_saying(user, "best describes your organisation")
    await user.press("Voluntary or community group")
    await message_saying(user, "Which area")
    await user.press("Knowsley")
    await message_saying(user, "Check your answers")
    await user.press("Save")
    await message_saying(user, "you're signed up")
    return await message_saying(user, "you're recorded as attending")


async def test_a_new_person_scanning_signs_up_then_is_recorded_and_offered_the_before_survey(
    sim: SimulatorClient, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    maya = sim.user(2001, "Maya")
    welcome = await sign_up_from_the_link(maya, code)
    assert "Autumn workshop" in welcome.text
    assert welcome.labels() == [BEFORE_BUTTON]
    assert rows(settings, "SELECT user_id FROM event_attendance WHERE event_code = ?", code) == [
        (2001,)
    ]
    assert rows(settings, "SELECT pending_link FROM participants") == [(None,)]
    await maya.press(BEFORE_BUTTON)
    await answer_survey(maya, 3)
    assert rows(settings, "SELECT wave FROM survey_answers WHERE user_id = 2001") == [("before",)]


async def test_scanning_twice_records_once_and_says_the_survey_is_done(
    sim: SimulatorClient, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    maya = sim.user(2001, "Maya")
    await sign_up(maya)
    await take_survey(maya, 3)
    await scan(maya, code)
    first = await message_saying(maya, "you're recorded as attending")
    assert "You answered the before survey on" in first.text
    assert first.labels() == []
    await scan(maya, code)
    again = await message_saying(maya, "You're already recorded at")
    assert "Autumn workshop" in again.text
    assert rows(settings, "SELECT COUNT(*) FROM event_attendance") == [(1,)]


async def test_unknown_and_closed_events_are_answered_clearly_without_a_sign_up(
    sim: SimulatorClient, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    await admin.send(f"/event close {code}")
    await message_saying(admin, "is closed")
    newcomer = sim.user(2002, "Nia")
    await scan(newcomer, "zzzzzzzz")
    await message_saying(newcomer, "I don't know that event")
    await scan(newcomer, code)
    closed = await message_saying(newcomer, "has finished")
    assert closed.text == "The event Autumn workshop has finished, so it can't be joined any more."
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM event_attendance") == [(0,)]


async def test_staff_scanning_are_recorded_without_being_asked_to_sign_up(
    sim: SimulatorClient, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    chris = sim.user(1002, "Chris")  # a commissioner
    await scan(chris, code)
    welcome = await message_saying(chris, "Welcome to Autumn workshop")
    assert welcome.text == "Welcome to Autumn workshop: you're recorded as attending."
    assert welcome.labels() == []
    assert rows(settings, "SELECT user_id FROM event_attendance") == [(1002,)]
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]


async def test_closing_invites_exactly_the_attendees_who_may_then_take_the_after_survey(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    people = {
        user_id: sim.user(user_id, name)
        for user_id, name in ((2001, "Maya"), (2002, "Nia"), (2003, "Omar"))
    }
    for person in people.values():
        await sign_up(person)
        await take_survey(person, 2)
    for user_id in (2001, 2002):
        await scan(people[user_id], code)
        await message_saying(people[user_id], "you're recorded as attending")
    await admin.send(f"/event close {code}")
    closed = await message_saying(admin, "is closed")
    assert "2 attendees were invited to the after survey." in closed.text
    await drain(bot)
    assert sorted(rows(settings, "SELECT key, status FROM outbox")) == [
        (f"event-after:{code}:2001", "sent"),
        (f"event-after:{code}:2002", "sent"),
    ]
    invitation = await message_saying(people[2001], AFTER_INVITATION)
    assert invitation.labels() == ["Take the after survey"]
    await people[2001].press("Take the after survey")
    await answer_survey(people[2001], 4)
    assert rows(
        settings, "SELECT wave FROM survey_answers WHERE user_id = 2001 ORDER BY wave"
    ) == [
        ("after",),
        ("before",),
    ]
    # Not an attendee: their after survey opens on the programme-wide rule, not now.
    await people[2003].send("/menu")
    menu = await message_saying(people[2003], "What would you like to do?")
    assert "Take the confidence survey (1 minute)" not in menu.labels()
    await bot.tick()  # the tick's own after-survey invitations are not due for anyone yet
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(2,)]
    [(details,)] = rows(settings, "SELECT details FROM audit_log WHERE action = 'event_close'")
    assert '"invited": 2' in details


async def test_an_attendee_the_close_invited_is_reminded_after_it_never_invited_twice(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    maya = sim.user(2001, "Maya")
    await sign_up(maya)
    await take_survey(maya, 2)
    await scan(maya, code)
    await message_saying(maya, "you're recorded as attending")
    await admin.send(f"/event close {code}")
    await message_saying(admin, "is closed")
    await drain(bot)
    await message_saying(maya, AFTER_INVITATION)
    closed = datetime.now(UTC)
    after_days = settings.programme.survey.after_days
    for days in (1, 3, 7, after_days + 1, after_days + 8):
        with time_machine.travel(closed + timedelta(days=days, hours=1), tick=False):
            await bot.tick()
    # The close was the invitation: the reminders count from it, and the programme's own
    # invitation (after_days after the before survey) never comes on top.
    assert [
        key for (key,) in rows(settings, "SELECT key FROM outbox WHERE chat_id = 2001 ORDER BY id")
    ] == [
        f"event-after:{code}:2001",
        "after-remind:2001:3",
        "after-remind:2001:7",
    ]


async def test_events_lists_attendance_and_surveys_answered(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    _, code = await new_event(admin, "Listening event")
    maya, nia = sim.user(2001, "Maya"), sim.user(2002, "Nia")
    for person in (maya, nia):
        await sign_up(person)
        await scan(person, code)
        await message_saying(person, "you're recorded as attending")
    await take_survey(maya, 3)
    await admin.send(f"/event close {code}")
    await message_saying(admin, "is closed")
    await admin.send("/events")
    listing = await message_saying(admin, "Events")
    assert f"{code} Listening event: closed" in listing.text
    assert "2 attended; surveys answered: 1 before, 0 after" in listing.text


async def test_event_without_the_right_words_says_how_to_use_it(admin: SimUser) -> None:
    await admin.send("/event")
    usage = await message_saying(admin, "Use /event new NAME")
    assert "/event close CODE" in usage.text
    await admin.send("/event close nothing")
    unknown = await message_saying(admin, "There is no event nothing")
    assert unknown.text == "There is no event nothing. /events lists them."
    await admin.send("/events")
    await message_saying(admin, "No events yet.")


async def test_a_restart_during_sign_up_still_brings_the_person_back_to_the_event(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    _, code = await new_event(admin)
    maya = sim.user(2001, "Maya")
    await scan(maya, code)
    await message_saying(maya, "Are you happy to go ahead?")
    await maya.press("I agree")
    await message_saying(maya, "What should we call you?")
    assert rows(settings, "SELECT pending_link FROM participants") == [(f"ev_{code}",)]
    await bot.restart()
    await maya.send("Maya")
    await message_saying(maya, "Which group or organisation")
    await maya.send("Kirkby Mums' Group")
    await message_saying(maya, "best describes your organisation")
    await maya.press("Voluntary or community group")
    await message_saying(maya, "Which area")
    await maya.press("Knowsley")
    await message_saying(maya, "Check your answers")
    await maya.press("Save")
    welcome = await message_saying(maya, "you're recorded as attending")
    assert welcome.labels() == [BEFORE_BUTTON]
    assert rows(settings, "SELECT user_id FROM event_attendance") == [(2001,)]
