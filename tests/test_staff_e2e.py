"""Commissioners and admins have their own welcome, menu and help: worded for their job,
never the member sign-up, with their commands as buttons that run them."""

from __future__ import annotations

from bot.config import Settings
from bot.simulator import SimulatorClient, SimUser
from tests.harness import COMMISSIONER_ID, RunningBot, message_saying, rows, sign_up


async def test_a_commissioner_is_welcomed_for_their_job_not_signed_up(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    commissioner = sim.user(COMMISSIONER_ID, "Chris")
    await commissioner.send("/start")
    welcome = await message_saying(commissioner, "Welcome, Chris")
    assert "commissioner for Knowsley" in welcome.text
    assert "privacy" not in welcome.text.lower()  # no member sign-up, no consent asked
    assert welcome.labels() == ["Needs in my areas", "Figures for my areas"]
    assert rows(settings, "SELECT COUNT(*) FROM participants") == [(0,)]

    await commissioner.send("/menu")
    menu = await message_saying(commissioner, "What would you like to do?")
    assert "send /start" not in menu.text
    assert menu.labels() == ["Needs in my areas", "Figures for my areas"]

    # A menu button runs its command: here the figures, and from them the survey results
    # (nothing to draw yet).
    await commissioner.press("Figures for my areas")
    figures = await message_saying(commissioner, "Figures for Knowsley")
    await commissioner.press("Survey results", message_id=figures.message_id)
    report = await message_saying(commissioner, "Before and after surveys")
    assert "no one has answered both surveys yet" in report.text.lower()

    await commissioner.send("/help")
    help_text = (await message_saying(commissioner, "as a commissioner")).text
    assert "/needs - Needs raised in your areas" in help_text
    assert (
        "/stats - Figures for your areas: sign-ups, needs, where people stop, surveys" in help_text
    )
    assert "voiced" not in help_text
    assert "/profile" not in help_text  # a member's command, not theirs


async def test_an_admin_has_their_own_welcome_menu_and_help(
    sim: SimulatorClient, admin: SimUser, member: SimUser
) -> None:
    await sign_up(member)
    await admin.send("/start")
    welcome = await message_saying(admin, "Welcome, Alex")
    assert "programme admin" in welcome.text
    assert welcome.labels() == ["Needs raised", "Figures"]

    await admin.press("Figures")
    signups = await message_saying(admin, "Signed up: 1")
    await admin.press("Survey results", message_id=signups.message_id)
    await message_saying(admin, "Before and after surveys")

    await admin.send("/help")
    help_text = (await message_saying(admin, "as a programme admin")).text
    assert "/needs - Needs raised in every area" in help_text
    assert (
        "/stats - Figures: sign-ups by sector and area, needs, where people stop, surveys"
        in help_text
    )
    assert "/wave - " in help_text

    # A member's /help is unchanged: their own needs, no staff commands.
    await member.send("/help")
    member_help = (await message_saying(member, "Here is what you can do")).text
    assert "/needs - The needs you have voiced, and what happened" in member_help
    assert "/stats" not in member_help


async def test_a_member_cannot_run_a_staff_button(member: SimUser) -> None:
    await sign_up(member)
    await member.press(data="cmd:stats", force=True)
    refusal = await message_saying(member, "commissioners and programme admins")
    assert refusal.labels() == []
