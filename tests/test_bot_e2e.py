"""The real application driven through the simulator: replies, menus, flood waits, errors."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.features import EVERYONE, Button, Command, Feature
from bot.features.membership.handlers import AGREE, NOT_NOW, NOT_SIGNED_UP
from bot.handlers import SOMETHING_WENT_WRONG
from bot.simulator import SimulatorClient, SimUser
from conversations.engine import BUTTON_EXPIRED
from tests.harness import ADMIN_ID, BotStarter, RunningBot


async def test_start_shows_the_notice_and_help_lists_a_members_commands(
    member: SimUser,
) -> None:
    await member.send("/start")
    welcome = await member.next_reply()
    assert welcome.text.startswith("Welcome to the Children's Centres and VCS co-production")
    assert "What we keep:" in welcome.text
    assert welcome.labels() == [AGREE, NOT_NOW]
    await member.send("/help")
    help_text = (await member.next_reply()).text
    assert "/start - Join the programme" in help_text
    assert "/forget - Erase everything we hold about you" in help_text
    assert "/stats" not in help_text


async def test_forged_and_unclaimed_buttons_expire_and_change_nothing(
    member: SimUser, sim: SimulatorClient
) -> None:
    await member.send("/start")
    welcome = await member.next_reply()
    forged = await member.press(
        data="admin:wipe_everything", message_id=welcome.message_id, force=True
    )
    assert (await member.answer_to(forged))["text"] == BUTTON_EXPIRED
    forged_form = await member.press(data="f:1:0:c:0", message_id=welcome.message_id, force=True)
    assert (await member.answer_to(forged_form))["text"] == BUTTON_EXPIRED
    stranger = sim.user(4040, "Unknown")
    await stranger.send("hello?")
    assert (await stranger.next_reply()).text == NOT_SIGNED_UP
    stale = await stranger.press(data="menu:profile", message_id=1, force=True)
    await stranger.answer_to(stale)
    assert (await stranger.next_reply()).text.startswith("Welcome to the")
    assert [m.text for m in await member.messages() if m.from_bot] == [welcome.text]


async def test_unknown_command_and_stray_input_get_a_clear_answer(member: SimUser) -> None:
    await member.send("/frobnicate now")
    assert (await member.next_reply()).text == (
        "Sorry, I don't know /frobnicate. Send /help to see what you can do."
    )
    await member.send_sticker()
    assert (await member.next_reply()).text == NOT_SIGNED_UP
    await member.send("x" * 3000)
    assert (await member.next_reply()).text == NOT_SIGNED_UP


async def test_command_menus_are_published(sim: SimulatorClient, bot: RunningBot) -> None:
    calls = await sim.calls("setMyCommands")
    default_menu = [c for c in calls if c["params"].get("scope", {}).get("type") == "default"]
    assert default_menu, calls
    assert [c["command"] for c in default_menu[-1]["params"]["commands"]][:2] == [
        "start",
        "menu",
    ]
    admin_menu = [c for c in calls if c["params"].get("scope", {}).get("chat_id") == ADMIN_ID]
    assert admin_menu


async def test_flood_wait_is_waited_out_and_nothing_is_lost(
    sim: SimulatorClient, member: SimUser
) -> None:
    await sim.inject_fault("sendMessage", "retry_after", count=1, retry_after=1)
    await member.send("/help")
    reply = await member.next_reply(timeout=10)
    assert "/start - Join the programme" in reply.text
    attempts = await sim.calls("sendMessage")
    assert [a["status"] for a in attempts] == [429, 200]
    assert attempts[0]["params"]["text"] == attempts[1]["params"]["text"]
    assert len(await member.messages()) == 2  # the /help and one reply, not two


async def test_a_failing_handler_tells_the_user_without_a_traceback(
    start_bot: BotStarter, sim: SimulatorClient
) -> None:
    async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("database on fire")

    failing = Feature(
        "failing",
        commands=(Command("explode", "Fail on purpose", EVERYONE, explode),),
        buttons=(Button("explode", explode),),
    )
    await start_bot(failing)
    user = sim.user(2001, "Sam")
    await user.send("/explode")
    reply = await user.next_reply()
    assert reply.text == SOMETHING_WENT_WRONG
    assert "fire" not in reply.text

    pressed = await user.press(data="explode", message_id=reply.message_id, force=True)
    await user.answer_to(pressed)  # no spinner left on the phone
    assert (await user.next_reply()).text == SOMETHING_WENT_WRONG
