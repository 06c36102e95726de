"""Review fixes: the next typed message is a need's reply or a broadcast's text, never both;
broadcasts, events and digests land whole or not at all; long lists are split under
Telegram's limit; invites, /revoke, dates and event codes as people expect."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from bot.config import Settings
from bot.context import Sender, pack_lines
from bot.handlers import SOMETHING_WENT_WRONG
from bot.simulator import SimMessage, SimulatorClient, SimUser
from tests.harness import (
    ADMIN_ID,
    RunningBot,
    message_saying,
    messages_until,
    rows,
    sign_up,
    take_survey,
    voice_a_need,
)

SAM_ID = 7001
BROADCAST_TEXT = "The hall is closed on Friday"
REPLY_TEXT = "We have booked the hall for your group on Fridays"
LIMIT = 4096
NEED = "A room for the parents group on Fridays"


pytestmark = pytest.mark.two_areas


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two areas, in a time zone whose date is often not UTC's."""
    return settings.model_copy(update={"timezone": "Pacific/Auckland"})


async def open_reply(admin: SimUser) -> SimMessage:
    """Open the first need as ``admin`` and press Reply: the prompt."""
    await admin.send("/needs")
    await message_saying(admin, "Needs raised in every area")
    await admin.press("Open N-0001")
    await message_saying(admin, "N-0001")
    await admin.press("Reply")
    return await message_saying(admin, "Type your reply to N-0001")


# --- 1. The next typed message: a need's reply or a broadcast's text --------------------------


async def test_a_broadcast_started_after_reply_takes_the_typed_text(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await voice_a_need(member, NEED, place="Knowsley: Kirkby")
    await open_reply(admin)
    await admin.send("/broadcast")
    prompt = await message_saying(admin, "Type the message to send")
    assert "the next message you type here is the broadcast" in prompt.text
    assert "Your reply to N-0001 is not sent" in prompt.text
    await admin.send(BROADCAST_TEXT)
    await message_saying(admin, "Who should get it?")
    await bot.services.sender.drain()
    assert rows(settings, "SELECT text FROM broadcasts") == [(BROADCAST_TEXT,)]
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]
    assert rows(settings, "SELECT status FROM needs") == [("new",)]
    assert BROADCAST_TEXT not in " ".join(m.text for m in await member.messages())


async def test_reply_pressed_after_broadcast_takes_the_typed_text(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await voice_a_need(member, NEED, place="Knowsley: Kirkby")
    await admin.send("/broadcast")
    await message_saying(admin, "Type the message to send")
    prompt = await open_reply(admin)
    assert "the next message you type here goes to the group that raised it" in prompt.text
    assert "The broadcast you had started is cancelled" in prompt.text
    await admin.send(REPLY_TEXT)
    await message_saying(admin, "Your reply to N-0001 is on its way")
    await bot.services.sender.drain()
    assert (await message_saying(member, "replied")).text.endswith(REPLY_TEXT)
    assert rows(settings, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


# --- 2. One transaction each -------------------------------------------------------------------


async def no_audit_row(*_: Any) -> None:
    """The audit row, written last, fails: whatever was written before it must not land."""
    raise RuntimeError("injected: the audit row cannot be written")


@pytest.fixture
def failing_audit(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.services.core.audit, "record", no_audit_row)


async def test_a_broadcast_whose_audit_fails_queues_nobody_and_can_be_sent_again(
    sim: SimulatorClient,
    bot: RunningBot,
    admin: SimUser,
    member: SimUser,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await sign_up(member)
    await admin.send("/broadcast")
    await message_saying(admin, "Type the message to send")
    await admin.send(BROADCAST_TEXT)
    await message_saying(admin, "Who should get it?")
    await admin.press("Everyone")
    await message_saying(admin, "to everyone: 1 person", replies=True)
    with monkeypatch.context() as patched:
        patched.setattr(bot.services.core.audit, "record", no_audit_row)
        await admin.press("Send to 1 person")
        await message_saying(admin, SOMETHING_WENT_WRONG)
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]
    assert rows(settings, "SELECT queued_at FROM broadcasts") == [(None,)]
    await admin.press("Send to 1 person")
    await message_saying(admin, "is on its way", replies=True)
    assert rows(settings, "SELECT chat_id FROM outbox") == [(member.user_id,)]
    assert rows(settings, "SELECT action FROM audit_log") == [("broadcast",)]


async def test_an_event_whose_audit_fails_is_not_created(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings, failing_audit: None
) -> None:
    await admin.send("/event new Autumn workshop")
    await message_saying(admin, SOMETHING_WENT_WRONG)
    assert rows(settings, "SELECT COUNT(*) FROM events") == [(0,)]


async def test_digests_whose_audit_fails_are_not_queued(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings, failing_audit: None
) -> None:
    await admin.send("/digest send")
    await message_saying(admin, SOMETHING_WENT_WRONG)
    assert rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]


# --- 3. Long lists ----------------------------------------------------------------------------


def test_lines_are_packed_into_as_few_texts_as_fit() -> None:
    lines = [f"line {n} " + "x" * 90 for n in range(100)]  # 100 lines of ~98 characters
    texts = pack_lines(lines, limit=1000)
    assert all(len(text) <= 1000 for text in texts)
    assert len(texts) == 10  # ten lines fit in 1,000 characters with their newlines
    assert "\n".join(texts).splitlines() == lines  # every line, whole and in order
    assert pack_lines(["short", "lines"]) == ["short\nlines"]


def test_a_line_too_long_is_cut_outside_any_tag_or_entity() -> None:
    [cut] = pack_lines(["a" * 95 + "&amp;b"], limit=100)
    assert cut == "a" * 95 + "…"
    [cut] = pack_lines(["<b>" + "a" * 99 + "</b>"], limit=100)
    assert cut == "a" * 99  # without its tags, it fits
    [cut] = pack_lines(["<b>bold</b> " + "a" * 120], limit=100)
    assert cut == "bold " + "a" * 94 + "…"
    [cut] = pack_lines(["word " * 30], limit=50)
    assert len(cut) <= 50
    assert cut.endswith("…")


def test_blank_lines_between_blocks_do_not_start_or_end_a_text() -> None:
    blocks = ["<b>Events</b>", *(f"\nblock {n}\n" + "y" * 40 for n in range(6))]
    texts = pack_lines(blocks, limit=120)
    assert len(texts) > 1
    assert not any(text.startswith("\n") or text.endswith("\n") for text in texts)


async def test_the_buttons_go_on_the_last_message() -> None:
    sent: list[dict[str, Any]] = []

    async def send_message(chat_id: int, text: str, **kwargs: Any) -> None:
        sent.append({"text": text, **kwargs})

    context: Any = SimpleNamespace(bot=SimpleNamespace(send_message=send_message))
    who = Sender(user=SimpleNamespace(id=1), chat_id=1, message=None)  # type: ignore[arg-type]
    await who.reply_lines(context, ["z" * 3000, "z" * 3000], reply_markup="buttons")
    assert [message.get("reply_markup") for message in sent] == [None, "buttons"]


async def test_audit_50_with_long_entries_arrives_in_several_messages(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    core = bot.services.core
    for n in range(50):
        note = f"entry {n:02} " + "long particulars " * 20
        await core.audit.record(ADMIN_ID, "retag", core.clock(), {"note": note})
    await admin.send("/audit 50")
    messages = await messages_until(admin, "entry 00")
    assert messages[0].text.startswith("Latest admin actions (newest first, 50)")
    assert len(messages) >= 2
    assert all(len(message.text) <= LIMIT for message in messages)
    entries = re.findall(r"entry (\d\d)", "\n".join(message.text for message in messages))
    assert entries == [f"{n:02}" for n in reversed(range(50))]


# --- 4. Invites, /revoke, dates and event codes ----------------------------------------------

LINK = re.compile(r"https://t\.me/\w+\?start=(inv_[0-9a-f]+)")


async def invite(admin: SimUser, areas: str) -> tuple[SimMessage, str]:
    await admin.send(f"/invite commissioner {areas}")
    reply = await message_saying(admin, "Invite for a commissioner")
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    return reply, found[1]


async def test_areas_are_named_with_spaces_and_commas(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    reply, _ = await invite(admin, "St Helens")
    assert "for a commissioner for St Helens:" in reply.text
    reply, _ = await invite(admin, "knowsley,  st   helens")
    assert "for a commissioner for Knowsley and St Helens:" in reply.text
    await admin.send("/invite commissioner Knowsley St Helens")
    refused = await message_saying(admin, "Unknown area: Knowsley St Helens.")
    assert "for example /invite commissioner Knowsley, St Helens" in refused.text
    assert "Areas: Knowsley, St Helens." in refused.text
    assert rows(settings, "SELECT areas FROM invites ORDER BY created_at") == [
        ('["st_helens"]',),
        ('["knowsley", "st_helens"]',),
    ]


async def test_a_commissioner_opening_their_own_invite_again_is_told_they_have_the_role(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    _, payload = await invite(admin, "Knowsley")
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "Welcome, Sam")
    await sam.send(f"/start {payload}")
    again = await message_saying(sam, "You're already a commissioner")
    assert again.text == "You're already a commissioner for Knowsley. /help shows what you can do."
    await admin.send(f"/revoke {SAM_ID}")
    await message_saying(admin, "Sam is no longer a commissioner")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "has been used already. Please ask for a new one.")


async def test_a_revoke_is_reported_when_the_menu_cannot_be_reset(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    _, payload = await invite(admin, "Knowsley")
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "Welcome, Sam")
    await sim.inject_fault("deleteMyCommands", "server_error")
    await admin.send(f"/revoke {SAM_ID}")
    done = await message_saying(admin, "is no longer a commissioner")
    assert done.text.startswith("Sam is no longer a commissioner")
    assert [call.get("fault") for call in await sim.calls("deleteMyCommands")] == ["server_error"]
    assert bot.services.core.roles.get(SAM_ID) is None


# 20:30 UTC on 10 March is 09:30 on 11 March in Auckland.
EVENING_IN_UTC = datetime(2025, 3, 10, 20, 30, tzinfo=UTC)


async def test_event_dates_are_in_the_programmes_time_zone(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, member: SimUser
) -> None:
    with time_machine.travel(EVENING_IN_UTC, tick=True):
        await sign_up(member)
        await take_survey(member, 3)
        await admin.send("/event new Autumn workshop")
        code = (await message_saying(admin, "is open, code")).text.split("code ")[1][:8]
        await admin.send("/events")
        assert "open since 11 Mar" in (await message_saying(admin, "Events, newest first")).text
        await member.send(f"/start ev_{code}")
        welcome = await message_saying(member, "recorded as attending")
        assert "You answered the before survey on 11 March" in welcome.text


async def test_event_codes_are_found_in_any_case(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await voice_a_need(member, NEED, place="Knowsley: Kirkby")
    await admin.send("/event new Autumn workshop")
    code = (await message_saying(admin, "is open, code")).text.split("code ")[1][:8]
    await member.send(f"/start ev_{code.upper()}")
    await message_saying(member, "recorded as attending")
    assert rows(settings, "SELECT event_code FROM event_attendance") == [(code,)]
    await admin.send(f"/stats event={code.upper()}")
    overview = await message_saying(admin, "Figures for every area")
    assert "people who came to Autumn workshop" in overview.text
    await admin.send(f"/export needs csv event={code.upper()}")
    ready = await message_saying(admin, "Export ready", replies=True)
    assert ready.text == "Export ready. Rows: needs 1."
    await admin.send(f"/event close {code.upper()}")
    await message_saying(admin, "Autumn workshop is closed.")
