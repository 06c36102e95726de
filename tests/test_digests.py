"""Weekly digests through the real bot: each commissioner sees only their areas; one digest
per person and week whatever restarts and faults happen; 09:00 local across the clock
changes; /digest preview and /digest send for admins only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import Settings
from bot.features.digests.service import latest_scheduled
from bot.simulator import SimMessage, SimulatorClient, SimUser
from storage.contributions import NewNeed
from tests.harness import (
    ADMIN_ID,
    COMMISSIONER_ID,
    MEMBER_ID,
    ST_HELENS_COMMISSIONER_ID,
    BotStarter,
    RunningBot,
    all_handled,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
)

LONDON = ZoneInfo("Europe/London")
A_COMMISSIONER, B_COMMISSIONER = COMMISSIONER_ID, ST_HELENS_COMMISSIONER_ID
B_MEMBER = 3001
DIGEST = "Your weekly digest"


pytestmark = pytest.mark.two_areas


@pytest.fixture
async def bot(start_bot: BotStarter) -> RunningBot:
    """The bot, with enough paired surveys in each area for the digest to have a chart."""
    running = await start_bot()
    core = running.services.core
    now = core.clock()
    for number, area in enumerate(["knowsley", "st_helens"] * 6):
        user_id = 9000 + number
        await core.participants.record_consent(user_id, 1, now)
        await core.participants.save_profile(user_id, {"area": area, "sector": "vcs"}, now)
        for wave, score in (("before", 2), ("after", 4)):
            scores = {item.key: score for item in core.settings.programme.survey.items}
            await core.surveys.save(
                user_id=user_id, wave=wave, sector="vcs", area=area, scores=scores, now=now
            )
    return running


def next_monday_nine(after: datetime) -> datetime:
    """The first Monday 09:00 London time after ``after`` (at least a day later)."""
    day = (after.astimezone(LONDON) + timedelta(days=1)).date()
    day += timedelta(days=(0 - day.weekday()) % 7)
    return datetime.combine(day, time(9, 0), tzinfo=LONDON)


def last_sunday(year: int, month: int) -> date:
    first_of_next = date(year + (month == 12), month % 12 + 1, 1)
    day = first_of_next - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


async def opened_chat(sim: SimulatorClient, user_id: int) -> SimUser:
    """Someone who has talked to the bot (Telegram delivers nothing to anyone else)."""
    user = sim.user(user_id, f"User {user_id}")
    await user.send("/help")
    await message_saying(user, "Here is what you can do")
    return user


async def digests_of(user: SimUser) -> list[SimMessage]:
    return [m for m in await user.messages() if m.from_bot and m.text.startswith(DIGEST)]


async def seed_need(bot: RunningBot, user_id: int, area: str, draft_id: int, text: str) -> None:
    """A participant in ``area`` and a need of theirs, stored directly (faster than the form)."""
    core = bot.services.core
    now = core.clock()
    await core.participants.record_consent(user_id, 1, now)
    await core.participants.save_profile(user_id, {"area": area, "sector": "vcs"}, now)
    await core.contributions.add_need(
        NewNeed(
            draft_id=draft_id,
            user_id=user_id,
            area=area,
            neighbourhood=None,
            description=text,
            affected=["families"],
            evidence=None,
            urgency="high",
            can_help="yes",
            themes=core.themes_of(text),
        ),
        now,
    )


def test_the_latest_digest_time_is_nine_local_across_both_clock_changes() -> None:
    spring = last_sunday(2030, 3) + timedelta(days=1)  # Monday after clocks go forward
    autumn = last_sunday(2030, 10) + timedelta(days=1)  # Monday after clocks go back
    for monday, utc_hour in ((spring, 8), (autumn, 9)):
        nine = datetime(monday.year, monday.month, monday.day, utc_hour, tzinfo=UTC)
        assert latest_scheduled(nine, 0, time(9), LONDON) == nine
        before = latest_scheduled(nine - timedelta(minutes=1), 0, time(9), LONDON)
        assert before.astimezone(LONDON) == datetime.combine(
            monday - timedelta(days=7), time(9), tzinfo=LONDON
        )


async def test_each_commissioner_gets_only_their_areas_needs(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    a_commissioner = await opened_chat(sim, A_COMMISSIONER)
    b_commissioner = await opened_chat(sim, B_COMMISSIONER)
    maya = sim.user(MEMBER_ID, "Maya")
    await sign_up(maya, area="Knowsley")
    await voice_a_need(
        maya,
        "The play park in Kirkby needs volunteers to reopen",
        place="Knowsley: Kirkby",
        priority="High",
    )
    sam = sim.user(B_MEMBER, "Sam")
    await sign_up(sam, area="St Helens", organisation="Thatto Heath Tots")
    await voice_a_need(
        sam,
        "A stay and play group for Thatto Heath dads",
        place="St Helens: Thatto Heath",
        priority="High",
    )
    with time_machine.travel(next_monday_nine(datetime.now(UTC)), tick=True):
        await bot.tick()
        await bot.tick()  # a second tick queues nothing more
    [a_digest] = await digests_of(a_commissioner)
    [b_digest] = await digests_of(b_commissioner)
    assert "N-0001" in a_digest.text
    assert "Kirkby" in a_digest.text
    assert "N-0002" not in a_digest.text
    assert "Thatto Heath" not in a_digest.text
    assert a_digest.button_data == [["inbox:1"]]
    assert "N-0002" in b_digest.text
    assert "N-0001" not in b_digest.text
    assert b_digest.button_data == [["inbox:2"]]
    for user in (a_commissioner, b_commissioner):
        assert sum(m.has_photo for m in await user.messages()) == 1  # the chart, once
    keys = rows(bot.settings, "SELECT key, chat_id FROM outbox WHERE key LIKE 'digest:%'")
    assert {chat for _, chat in keys} == {A_COMMISSIONER, B_COMMISSIONER}
    assert len(await digests_of(sim.user(B_MEMBER))) == 0


async def test_a_restart_in_the_middle_of_a_digest_run_sends_each_digest_once(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    a_commissioner = await opened_chat(sim, A_COMMISSIONER)
    b_commissioner = await opened_chat(sim, B_COMMISSIONER)
    await seed_need(bot, 5001, "knowsley", 1, "Kirkby families need a food bank")
    await seed_need(bot, 5002, "st_helens", 2, "Thatto Heath needs a baby bank")
    # B's digest fails for now: the run stops half done (A's sent, B's waiting).
    for method in ("sendMessage", "sendPhoto"):
        await sim.inject_fault(method, "server_error", count=5, chat_id=B_COMMISSIONER)
    monday = next_monday_nine(datetime.now(UTC))
    with time_machine.travel(monday, tick=True):
        await bot.tick()
    assert len(await digests_of(a_commissioner)) == 1
    assert await digests_of(b_commissioner) == []
    await bot.restart()  # its start-up tick runs again
    await sim.clear_faults()
    with time_machine.travel(monday + timedelta(minutes=1), tick=True):
        await bot.tick()  # queues nothing again; B's digest is tried again
    await bot.restart()
    with time_machine.travel(monday + timedelta(minutes=2), tick=True):
        await bot.tick()
    assert len(await digests_of(a_commissioner)) == 1
    assert len(await digests_of(b_commissioner)) == 1
    statuses = rows(bot.settings, "SELECT key, status FROM outbox WHERE key LIKE 'digest:%'")
    assert {status for _, status in statuses} == {"sent"}
    assert len(statuses) == len({key for key, _ in statuses})


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("sendMessage", "retry_after"),
        ("sendMessage", "server_error"),
        ("sendMessage", "timeout"),
        ("sendPhoto", "server_error"),
        ("sendMessage", "blocked"),
    ],
)
async def test_faults_during_a_digest_run_end_delivered_once_or_blocked(
    sim: SimulatorClient, bot: RunningBot, method: str, kind: str
) -> None:
    a_commissioner = await opened_chat(sim, A_COMMISSIONER)
    b_commissioner = await opened_chat(sim, B_COMMISSIONER)
    # Enough needs that A's digest is too long for a caption: its text, then its chart.
    for draft in range(1, 7):
        text = f"Kirkby families need a food bank, and volunteers to run it ({draft})"
        await seed_need(bot, 5000 + draft, "knowsley", draft, text)
    await seed_need(bot, 6000, "st_helens", 100, "Thatto Heath needs a baby bank")
    await sim.inject_fault(method, kind, retry_after=1, delay=6, chat_id=A_COMMISSIONER)
    monday = next_monday_nine(datetime.now(UTC))
    with time_machine.travel(monday, tick=True):
        await bot.tick()
    with time_machine.travel(monday + timedelta(minutes=5), tick=True):
        await bot.tick()  # retries fall due
    assert len(await digests_of(b_commissioner)) == 1
    a_rows = rows(
        bot.settings, "SELECT status FROM outbox WHERE chat_id = ? ORDER BY id", A_COMMISSIONER
    )
    if kind == "blocked":
        assert await digests_of(a_commissioner) == []
        assert a_rows[0] == ("blocked",)
        assert rows(bot.settings, "SELECT chat_id FROM unreachable") == [(A_COMMISSIONER,)]
    else:
        assert len(await digests_of(a_commissioner)) == 1
        assert sum(m.has_photo for m in await a_commissioner.messages()) == 1
        assert a_rows == [("sent",), ("sent",)]  # digest:<id>:<date>:text and :chart


async def test_a_nine_oclock_monday_digest_comes_at_nine_local_in_both_clock_change_weeks(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    commissioner = await opened_chat(sim, A_COMMISSIONER)
    year = datetime.now(UTC).year + 2
    queued: list[str] = []
    for change, utc_hour in ((last_sunday(year, 3), 8), (last_sunday(year, 10), 9)):
        monday = change + timedelta(days=1)
        nine = datetime(monday.year, monday.month, monday.day, utc_hour, tzinfo=UTC)
        key = f"digest:{A_COMMISSIONER}:{monday.isoformat()}"
        with time_machine.travel(nine - timedelta(minutes=1), tick=True):
            await bot.tick()
        assert not rows(bot.settings, "SELECT 1 FROM outbox WHERE key = ?", key)
        with time_machine.travel(nine + timedelta(seconds=5), tick=True):
            await bot.tick()
        [(created,)] = rows(bot.settings, "SELECT created_at FROM outbox WHERE key = ?", key)
        assert datetime.fromisoformat(created).astimezone(LONDON).strftime("%H:%M") == "09:00"
        queued.append(key)
    digests = await digests_of(commissioner)
    assert len(digests) >= 2  # with the week missed before each
    # Nothing happened in Knowsley: an empty week is one line (schedules.empty_digest "line").
    assert all("\n" not in d.text and "no new needs" in d.text for d in digests)


async def test_digest_preview_and_send_are_for_admins_only(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    a_commissioner = await opened_chat(sim, A_COMMISSIONER)
    await opened_chat(sim, B_COMMISSIONER)
    await seed_need(bot, 5001, "knowsley", 1, "Kirkby families need a food bank")
    await seed_need(bot, 5002, "st_helens", 2, "Thatto Heath needs a baby bank")
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/digest preview")
    preview = await message_saying(admin, DIGEST)
    assert preview.text.startswith(DIGEST)
    assert "N-0001" in preview.text
    assert "N-0002" in preview.text
    assert preview.button_data == [["inbox:1"], ["inbox:2"]]
    await admin.send("/digest send")
    reply = await message_saying(admin, "Digests sent")
    assert reply.text == "Digests sent: 2 of 2 commissioners got one."
    [sent] = await digests_of(a_commissioner)
    assert "N-0001" in sent.text
    assert "N-0002" not in sent.text
    for user_id in (MEMBER_ID, A_COMMISSIONER):
        user = sim.user(user_id)
        for command in ("/digest preview", "/digest send"):
            await user.send(command)
            await all_handled(bot.settings, sim)
            assert (await user.messages())[-1].text == "This command is for programme admins."
    assert len(await digests_of(a_commissioner)) == 1


async def test_an_empty_week_sends_nothing_when_so_configured(
    sim: SimulatorClient, settings: Settings
) -> None:
    programme = settings.programme
    quiet = programme.schedules.model_copy(update={"empty_digest": "nothing"})
    bot = RunningBot(
        settings.model_copy(
            update={"programme": programme.model_copy(update={"schedules": quiet})}
        )
    )
    await bot.start()
    try:
        await opened_chat(sim, A_COMMISSIONER)
        with time_machine.travel(next_monday_nine(datetime.now(UTC)), tick=True):
            await bot.tick()
        assert rows(bot.settings, "SELECT key FROM outbox WHERE key LIKE 'digest:%'") == []
    finally:
        await bot.stop()
