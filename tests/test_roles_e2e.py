"""Roles end to end: members are refused every admin command, the admin gets real answers,
/help and the command menus show each person only what they may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import Area, Settings
from bot.handlers import COMMANDS, commands_for
from bot.roles import REFUSALS, Role
from bot.simulator import BotApiEmulator, SimulatorClient, SimUser
from tests.harness import (
    ADMIN_ID,
    MEMBER_ID,
    RunningBot,
    answers_to,
    message_saying,
    messages_until,
    rows,
    settings_for,
    sign_up,
)

ADMINS_ONLY = "This command is for programme admins."
PRIVILEGED = [command for command in COMMANDS if Role.MEMBER not in command.roles]


@pytest.fixture
def settings(emulator: BotApiEmulator, tmp_path: Path) -> Settings:
    """The test settings with a second area, so /stats has areas to tell apart."""
    base = settings_for(emulator, tmp_path / "coproduce.sqlite3")
    areas = [*base.programme.areas, Area(key="sefton", name="Sefton")]
    return base.model_copy(
        update={"programme": base.programme.model_copy(update={"areas": areas})}
    )


def refusal_for(roles: frozenset[Role]) -> str:
    """What a member hears for a command only ``roles`` may use."""
    return REFUSALS[min(roles, key=list(Role).index)]  # Role lists member, commissioner, admin


def help_lines(role: Role) -> list[str]:
    return [f"/{command.name} - {command.describe(role)}" for command in commands_for(role)]


def test_there_are_admin_commands_to_check() -> None:
    assert "stats" in [command.name for command in PRIVILEGED]
    assert refusal_for(frozenset({Role.ADMIN})) == ADMINS_ONLY


@pytest.mark.parametrize("signed_up", [True, False], ids=["member", "stranger"])
async def test_a_member_is_refused_every_admin_command_and_nothing_else_happens(
    member: SimUser, sim: SimulatorClient, settings: Settings, signed_up: bool
) -> None:
    if signed_up:
        await sign_up(member)
    before = rows(settings, "SELECT * FROM participants")
    for command in PRIVILEGED:
        name = command.name
        sent_before = len(await sim.calls())
        await member.send(f"/{name}")
        refusal = await message_saying(member, refusal_for(command.roles))
        assert (refusal.text, refusal.labels()) == (refusal_for(command.roles), []), name
        # What the bot says next is the answer to the next command, nothing else (and the calls
        # below check the bot sent only the two).
        await member.send("/privacy")
        said = await messages_until(member, settings.programme.privacy_notice)
        assert [m.text for m in said] == [settings.programme.privacy_notice], name
        replies = [
            call["method"]
            for call in (await sim.calls())[sent_before:]
            if call["method"] not in ("getUpdates", "getMe")
        ]
        assert replies == ["sendMessage", "sendMessage"], name
    assert rows(settings, "SELECT * FROM participants") == before


async def test_the_admin_is_let_through_every_admin_command(
    admin: SimUser, sim: SimulatorClient, settings: Settings
) -> None:
    for command in PRIVILEGED:
        # Each command answers differently: whatever it says, none of it is a refusal.
        said = [m.text for m in await answers_to(admin, f"/{command.name}")]
        assert said, command.name
        assert not set(said) & set(REFUSALS.values()), (command.name, said)


async def test_the_admin_gets_stats_by_sector_and_area(
    admin: SimUser, member: SimUser, sim: SimulatorClient
) -> None:
    await sign_up(member, sector="Children's centre", area="Sefton")
    await sign_up(sim.user(2001, "Olu"), sector="Voluntary or community group", area="Knowsley")
    await sign_up(sim.user(2002, "Pat"), sector="Children's centre", area="Knowsley")
    halfway = sim.user(2003, "Sam")  # agreed, but has not finished the profile
    await halfway.send("/start")
    await message_saying(halfway, "Are you happy to go ahead?")
    await halfway.press("I agree")
    await message_saying(halfway, "What should we call you?")

    await admin.send("/stats")
    stats = await message_saying(admin, "Figures for every area")
    assert stats.text.splitlines()[:10] == [
        "Figures for every area",
        "Signed up: 3",
        "",
        "By sector",
        "Voluntary or community group: 1",
        "Children's centre: 2",
        "",
        "By area",
        "Knowsley: 2",
        "Sefton: 1",
    ]
    assert "fewer than" not in stats.text  # an admin sees every figure
    assert stats.labels() == ["Needs", "Where people stop", "Survey results"]


async def test_the_admin_gets_stats_when_no_one_has_signed_up(admin: SimUser) -> None:
    await admin.send("/stats")
    assert (await message_saying(admin, "Figures for every area")).text.splitlines()[:8] == [
        "Figures for every area",
        "Signed up: 0",
        "",
        "By sector",
        "No one yet.",
        "",
        "By area",
        "No one yet.",
    ]


async def test_help_lists_only_what_the_caller_may_use(admin: SimUser, member: SimUser) -> None:
    await admin.send("/help")
    admin_help = (await message_saying(admin, "Here is what you can do")).text
    assert admin_help.splitlines()[2:] == help_lines(Role.ADMIN)
    assert all(f"\n/{command.name} - " in admin_help for command in PRIVILEGED)

    await member.send("/help")
    member_help = (await message_saying(member, "Here is what you can do")).text
    assert member_help.splitlines()[2:] == help_lines(Role.MEMBER)
    assert "/stats" not in member_help
    assert all(f"/{command.name} " not in member_help for command in PRIVILEGED)


def menu_calls(calls: list[dict[str, Any]], scope: dict[str, Any]) -> list[dict[str, Any]]:
    return [call for call in calls if call["params"].get("scope") == scope]


def command_names(call: dict[str, Any]) -> list[str]:
    return [command["command"] for command in call["params"]["commands"]]


async def test_command_menus_are_set_per_scope(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser, member: SimUser
) -> None:
    calls = await sim.calls("setMyCommands")
    [default] = menu_calls(calls, {"type": "default"})
    assert default["status"] == 200
    assert command_names(default) == [c.name for c in commands_for(Role.MEMBER)]
    # The admin has never written to the bot: Telegram has no chat to scope a menu to yet.
    admin_scope = {"type": "chat", "chat_id": ADMIN_ID}
    assert [call["status"] for call in menu_calls(calls, admin_scope)] == [400]

    await admin.send("/help")
    await message_saying(admin, "Here is what you can do")
    calls = await sim.calls("setMyCommands")
    published = menu_calls(calls, admin_scope)[-1]
    assert published["status"] == 200
    assert command_names(published) == [c.name for c in commands_for(Role.ADMIN)]
    assert "stats" in command_names(published)

    await admin.send("/help")  # once is enough
    await message_saying(admin, "Here is what you can do")
    await member.send("/help")
    await message_saying(member, "Here is what you can do")
    calls = await sim.calls("setMyCommands")
    assert len(menu_calls(calls, admin_scope)) == 2
    assert menu_calls(calls, {"type": "chat", "chat_id": MEMBER_ID}) == []

    await bot.restart()  # the chat exists now: the admin's menu is set at start-up
    calls = await sim.calls("setMyCommands")
    assert menu_calls(calls, admin_scope)[-1]["status"] == 200
    assert len(menu_calls(calls, admin_scope)) == 3
