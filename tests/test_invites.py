"""Invites and roles (issue 11, item 3) and the audit log (item 6), end to end: a single-use,
expiring link makes a commissioner; roles survive a restart; /revoke ends one; every admin
action is in /audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.config import Settings
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

SAM_ID, TOM_ID = 7001, 7002


pytestmark = pytest.mark.two_areas


LINK = re.compile(r"https://t\.me/(\w+)\?start=(inv_[0-9a-f]+)")


async def invite(admin: SimUser, areas: str = "knowsley") -> str:
    """The payload of a new invite link, from the admin's reply."""
    await admin.send(f"/invite commissioner {areas}")
    reply = await message_saying(admin, "Invite for a commissioner")
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    return found.group(2)


async def test_an_invite_makes_one_commissioner_once(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    payload = await invite(admin, "Knowsley")
    sam, tom = sim.user(SAM_ID, "Sam"), sim.user(TOM_ID, "Tom")

    await sam.send(f"/start {payload}")
    welcome = await message_saying(sam, "Welcome, Sam")
    assert "commissioner for Knowsley" in welcome.text
    assert "privacy" not in welcome.text.lower()  # no member sign-up
    assert "as a commissioner" in (await message_saying(sam, "Here is what you can do")).text
    menus = [
        call
        for call in await sim.calls("setMyCommands")
        if call["params"].get("scope") == {"type": "chat", "chat_id": SAM_ID}
    ]
    assert [command["command"] for command in menus[-1]["params"]["commands"]][:3] == [
        "start",
        "menu",
        "help",
    ]
    await sam.send("/needs")
    await message_saying(sam, "Needs raised in your areas")

    # Single use: the second person to open it is told, and stays a member.
    await tom.send(f"/start {payload}")
    await message_saying(tom, "has been used already")
    assert rows(
        settings, "SELECT user_id, role, areas, source FROM roles WHERE user_id >= ?", SAM_ID
    ) == [(SAM_ID, "commissioner", '["knowsley"]', "invite")]

    # Roles live in the database: Sam is still a commissioner after a restart.
    await bot.restart()
    await sam.send("/help")
    assert "as a commissioner" in (await message_saying(sam, "Here is what you can do")).text


async def test_an_invite_expires_after_seven_days_and_an_unknown_one_is_refused(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    payload = await invite(admin)
    sam = sim.user(SAM_ID, "Sam")
    await sam.send("/start inv_0123456789abcdef")
    await message_saying(sam, "isn't one we know")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1), tick=False):
        await sam.send(f"/start {payload}")
        await message_saying(sam, "has expired")
        await sam.send("/help")
        assert "as a commissioner" not in (await message_saying(sam, "Here is what you")).text


async def test_someone_whose_role_the_settings_decide_leaves_the_invite_unused(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    payload = await invite(admin, "st_helens")
    chris = sim.user(COMMISSIONER_ID, "Chris")
    await chris.send(f"/start {payload}")
    await message_saying(chris, "the invite is still unused")
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    assert "commissioner for St Helens" in (await message_saying(sam, "Welcome, Sam")).text


async def test_commissioners_are_listed_and_an_invited_one_revoked(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    payload = await invite(admin, "knowsley, st_helens")
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "Welcome, Sam")

    await admin.send("/commissioners")
    listing = (await message_saying(admin, "Commissioners (3)")).text
    assert f"id {COMMISSIONER_ID}: Knowsley; from the settings" in listing
    assert f"Sam, id {SAM_ID}: Knowsley and St Helens; invited, since" in listing

    await admin.send(f"/revoke {COMMISSIONER_ID}")
    await message_saying(admin, "set in the programme's settings")
    await admin.send("/revoke 424242")
    await message_saying(admin, "no role an invite gave: nothing changed")
    await admin.send("/revoke Sam")
    await message_saying(admin, "Use: /revoke ID")
    await admin.send(f"/revoke {SAM_ID}")
    await message_saying(admin, "Sam is no longer a commissioner")
    assert any(
        call["params"].get("scope") == {"type": "chat", "chat_id": SAM_ID}
        for call in await sim.calls("deleteMyCommands")
    )
    await sam.send("/stats")
    await message_saying(sam, "This command is for commissioners and programme admins.")


async def test_bad_invites_are_answered_with_the_usage(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    for text in ("/invite", "/invite admin knowsley", "/invite commissioner"):
        await admin.send(text)
        assert "for example /invite commissioner" in (await message_saying(admin, "Use:")).text
    await admin.send("/invite commissioner knowsley,atlantis")
    assert (
        "Areas: Knowsley, St Helens."
        in (await message_saying(admin, "Unknown area: atlantis")).text
    )
    assert rows(settings, "SELECT COUNT(*) FROM invites") == [(0,)]


def _actions(settings: Settings) -> list[tuple[Any, ...]]:
    return rows(settings, "SELECT actor_id, action FROM audit_log ORDER BY id")


async def test_every_admin_action_is_audited_and_shown(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, settings: Settings
) -> None:
    await admin.send("/audit")
    await message_saying(admin, "Nothing in the audit log yet.")
    member = sim.user(2500, "Mo")
    await sign_up(member)
    await voice_a_need(
        member, "We need a room for the parents group on Fridays", place="Knowsley: Kirkby"
    )
    payload = await invite(admin)
    sam = sim.user(SAM_ID, "Sam")
    await sam.send(f"/start {payload}")
    await message_saying(sam, "Welcome, Sam")
    await admin.send("/wave after open")
    await message_saying(admin, "After survey: open for everyone")
    await admin.send("/retag N-0001 partnership_working")
    await message_saying(admin, "N-0001 is now tagged")
    await admin.send("/digest send")
    await message_saying(admin, "Digests sent")
    await admin.send("/export needs csv area=st_helens")
    await message_saying(admin, "No rows matched", replies=True)
    await admin.send(f"/revoke {SAM_ID}")
    await message_saying(admin, "no longer a commissioner")
    assert _actions(settings) == [
        (ADMIN_ID, "invite"),
        (SAM_ID, "invite_accepted"),
        (ADMIN_ID, "wave"),
        (ADMIN_ID, "retag"),
        (ADMIN_ID, "digest_send"),
        (ADMIN_ID, "export"),
        (ADMIN_ID, "revoke"),
    ]

    await admin.send("/audit 3")
    shown = (await message_saying(admin, "Latest admin actions")).text.splitlines()
    assert len(shown) == 4
    assert shown[1].endswith(f"{ADMIN_ID}: revoke: user_id={SAM_ID}, areas=knowsley")
    assert shown[2].endswith(
        f"{ADMIN_ID}: export: what=needs, format=csv, area=st_helens, contacts=no, needs=0,"
        " via=telegram"
    ), shown
    assert shown[3].endswith(f"{ADMIN_ID}: digest_send: digests=3"), shown
    for bad in ("/audit x", "/audit 0", "/audit 1 2"):
        await admin.send(bad)
        await message_saying(admin, "Use: /audit")
