"""/stop and /forget reach what is already queued: a follow-up held for the quiet hours is not
sent to someone who sent /stop (or /forget) meanwhile, and the broadcast's report counts them;
a reply to their own need still reaches them. /forget also takes an invited commissioner's role
and invite, and they are a member straight away; a configured admin stays one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.config import Settings
from bot.roles import Role
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    ADMIN_ID,
    COMMISSIONER_ID,
    RunningBot,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
)
from tests.test_followups import NUDGE, begin_challenge, texts
from tests.test_invites import invite
from tests.test_privacy import forget, read_document, with_programme

SAM_ID = 7001


pytestmark = pytest.mark.two_areas


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two areas, and quiet hours from an hour ago until two hours from now: follow-ups wait."""
    now = datetime.now(settings.tz)
    quiet = settings.programme.schedules.model_copy(
        update={
            "quiet_hours_start": f"{now - timedelta(hours=1):%H:%M}",
            "quiet_hours_end": f"{now + timedelta(hours=2):%H:%M}",
        }
    )
    return with_programme(settings, schedules=quiet)


async def test_a_waiting_broadcast_skips_who_sent_stop_or_forget_and_still_reports(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    maya, nia, omar = sim.user(2101, "Maya"), sim.user(2102, "Nia"), sim.user(2103, "Omar")
    for person in (maya, nia, omar):
        await sign_up(person)
    await admin.send("/broadcast")
    await message_saying(admin, "Type the message to send")
    await admin.send("Workshop moved to Thursday")
    await message_saying(admin, "Who should get it?")
    await admin.press("Everyone")
    await message_saying(admin, "to everyone: 3 people", replies=True)
    await admin.press("Send to 3 people")
    await message_saying(admin, "is on its way", replies=True)
    await bot.tick()
    waiting = "SELECT chat_id FROM outbox WHERE key LIKE 'broadcast:%' AND status = 'pending'"
    assert sorted(rows(settings, waiting)) == [(2101,), (2102,), (2103,)]  # quiet hours

    await maya.send("/stop")
    await message_saying(maya, "no more reminders")
    await forget(nia)
    assert rows(settings, "SELECT status, last_error FROM outbox WHERE chat_id = 2101") == [
        ("failed", "stopped")
    ]
    assert rows(settings, "SELECT COUNT(*) FROM outbox WHERE chat_id = 2102") == [(0,)]

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3), tick=False):
        await bot.tick()  # Omar's goes now; the report once it has
        await bot.tick()
    assert (await message_saying(omar, "Workshop moved")).text == "Workshop moved to Thursday"
    report = await message_saying(admin, "Broadcast 1:")
    assert report.text == (
        "Broadcast 1: delivered 1, blocked 0, failed 0, "
        "stopped 1 (they sent /stop before it went), erased 1 (they asked to be forgotten)"
    )
    for person in (maya, nia):
        assert "Workshop moved" not in " ".join(m.text for m in await person.messages())


async def test_a_nudge_waiting_for_the_morning_is_not_sent_after_stop(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    maya = sim.user(2101, "Maya")
    await begin_challenge(maya)
    next_day = datetime.now(UTC) + timedelta(hours=25)  # in the quiet hours again
    with time_machine.travel(next_day, tick=False):
        await bot.tick()
        assert rows(settings, "SELECT status FROM outbox WHERE key LIKE 'nudge:%'") == [
            ("pending",)
        ]
        await maya.send("/stop")
        await message_saying(maya, "no more reminders")
    with time_machine.travel(next_day + timedelta(hours=3), tick=False):
        await bot.tick()
    assert await texts(maya, NUDGE) == []
    assert rows(settings, "SELECT status, last_error FROM outbox") == [("failed", "stopped")]


async def test_a_reply_to_their_own_need_still_reaches_someone_who_sent_stop(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    maya = sim.user(2101, "Maya")
    await sign_up(maya)
    await voice_a_need(maya, "No baby weighing clinic in Kirkby", place="Knowsley: Kirkby")
    await maya.send("/stop")
    await message_saying(maya, "no more reminders")
    chris = sim.user(COMMISSIONER_ID, "Chris")
    await chris.send("/needs")
    await message_saying(chris, "Needs raised in your areas")
    await chris.press("Open N-0001")
    await message_saying(chris, "N-0001")
    await chris.press("Acknowledge")
    await bot.services.sender.drain()
    told = await message_saying(maya, "Your need N-0001")
    assert told.text.endswith("Chris, commissioner for Knowsley, has read it.")


async def test_forget_takes_an_invited_commissioners_role_and_invite_at_once(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    payload = await invite(admin, "knowsley")
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "Here is what you can do")

    await sam.send("/mydata")
    data = await read_document(sim, await message_saying(sam, "Everything we hold about you"))
    [role] = data["roles"]
    assert (role["user_id"], role["name"], role["source"]) == (SAM_ID, "Sam", "invite")
    [used] = data["invites"]
    assert (used["code"], used["used_by"]) == (payload.removeprefix("inv_"), SAM_ID)

    await forget(sam)
    assert rows(settings, "SELECT COUNT(*) FROM roles WHERE user_id = ?", SAM_ID) == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM invites WHERE used_by = ?", SAM_ID) == [(0,)]
    assert bot.services.core.roles.role_of(SAM_ID) is Role.MEMBER
    await sam.send("/needs")  # a member's own needs, not the inbox: without a restart
    answer = await message_saying(sam, "You haven't voiced any needs")
    assert answer.text == "You haven't voiced any needs yet."


async def test_a_configured_admin_who_sends_forget_is_still_an_admin(
    bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    await forget(admin)
    assert bot.services.core.roles.role_of(ADMIN_ID) is Role.ADMIN
    assert rows(settings, "SELECT role FROM roles WHERE user_id = ?", ADMIN_ID) == [("admin",)]
    await admin.send("/outbox")
    await message_saying(admin, "Messages the bot sends on its own")
