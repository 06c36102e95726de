"""Issue 12, item 3: every button pattern matches the whole callback data (empty data
included); arbitrary callback data never makes a handler fail; buttons and messages in groups
and channels change nothing and reveal nothing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.config import Settings
from bot.features.membership.handlers import KEPT_AS_AGREED
from bot.handlers import FEATURES, PRIVATE_ONLY_BUTTON
from bot.simulator import SimulatorClient, SimUser
from conversations.engine import FORM_BUTTON
from tests.harness import MEMBER_ID, RunningBot, all_handled, message_saying, rows, sign_up

GROUP_ID = -100777
CHANNEL_ID = -100888

# Data each button pattern is made for: a button added without an entry here fails the test.
VALID_DATA: dict[str, list[str]] = {
    r"consent:(yes:\d{1,6}(?::[a-z]{1,8}_[A-Za-z0-9_-]{1,40})?|no)": [
        "consent:yes:1",
        "consent:no",
        "consent:yes:1:ev_k3x9p2qa",
    ],
    r"menu:([a-z0-9_]{1,32})(:new)?": ["menu:profile", "menu:need:new", "menu:privacy"],
    r"forget:(yes|no)": ["forget:yes", "forget:no"],
    r"cmd:([a-z0-9_]{1,32})(?::([a-z0-9_]{1,32}))?": ["cmd:needs", "cmd:stats:surveys"],
    r"inbox:(\d{1,9})": ["inbox:1", "inbox:123456789"],
    r"inbox:l:(\d{1,4}(?:\.\d{1,3}){4})": ["inbox:l:0.0.0.0.0", "inbox:l:12.3.1.4.2"],
    r"inbox:f:([atsu]):(\d{1,4}(?:\.\d{1,3}){4})": ["inbox:f:a:0.1.0.0.0"],
    r"inbox:(ack|reply|done):(\d{1,9})": ["inbox:ack:1", "inbox:reply:2", "inbox:done:3"],
    r"inbox:stop": ["inbox:stop"],
    (
        r"bc:(\d{1,9}):(everyone|areas|sectors|events|send|cancel|area:[a-z0-9_]{1,32}"
        r"|sector:[a-z0-9_]{1,32}|event:[a-z0-9]{8})"
    ): ["bc:1:everyone", "bc:12:area:knowsley", "bc:3:event:k3x9p2qa", "bc:4:send", "bc:5:cancel"],
}
FORM_DATA = ["f:1:name:back", "f:12:#s:confirm", "f:3:#e:goto:2"]
EVERY_VALID = [data for examples in VALID_DATA.values() for data in examples] + FORM_DATA


def _spoiled(data: str) -> list[str]:
    """``data`` with something before or after it: none of these is the button's data."""
    return [data + "\n", data + " ", "x" + data, "\n" + data, data + "\x00", data + "\u200b", ""]


def test_every_button_pattern_matches_the_whole_data_only() -> None:
    buttons = [button for feature in FEATURES for button in feature.buttons]
    assert {button.pattern for button in buttons} == set(VALID_DATA), (
        "a button pattern without examples in VALID_DATA: add them"
    )
    for button in buttons:
        for data in VALID_DATA[button.pattern]:
            assert button.matches(data), (button.pattern, data)
            for spoiled in _spoiled(data):
                assert not button.matches(spoiled), (button.pattern, spoiled)
        assert not button.matches(None)
        assert not button.pattern.endswith("$")  # "$" lets a trailing newline through
    for data in FORM_DATA:
        assert FORM_BUTTON.fullmatch(data)
        assert not any(FORM_BUTTON.fullmatch(spoiled) for spoiled in _spoiled(data))
    assert not FORM_BUTTON.fullmatch("f:\u0661:name:back")  # other scripts' digits are not ours


def test_only_the_last_callback_handler_takes_any_data(bot: RunningBot) -> None:
    """Every press handler checks the whole data; only the last (expired buttons) takes any
    press, empty data included (PTB's own handler takes empty data whatever its pattern)."""
    assert bot.application is not None
    handlers = [
        handler
        for group in sorted(bot.application.handlers)
        for handler in bot.application.handlers[group]
        if isinstance(handler, CallbackQueryHandler)
    ]
    *patterned, last = handlers
    assert last.pattern is None
    for data in ("", "\n", "consent:no\n", "forget:yes ", "f:1:name:back\n"):
        press = Update.de_json(
            {
                "update_id": 1,
                "callback_query": {
                    "id": "1",
                    "from": {"id": MEMBER_ID, "is_bot": False, "first_name": "Maya"},
                    "chat_instance": "1",
                    "data": data,
                },
            },
            bot.application.bot,
        )
        assert [h for h in patterned if h.check_update(press)] == [], repr(data)
        assert last.check_update(press)


def handler_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "event=handler_error" in r.getMessage()]


def _on(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` on the test's event loop from hypothesis's thread."""
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)


CALLBACK_DATA = st.one_of(
    st.text(max_size=80),
    st.sampled_from(EVERY_VALID),
    st.tuples(st.text(max_size=3), st.sampled_from(EVERY_VALID), st.text(max_size=3)).map("".join),
    st.from_regex(r"(f|menu|consent|forget):[a-z0-9#:_]{0,20}", fullmatch=True),
)


async def press_everything(
    user: SimUser, caplog: pytest.LogCaptureFixture, chat_id: int | None = None
) -> list[str]:
    """Forge presses with arbitrary data (drawn by hypothesis) in ``chat_id``: each is
    answered, and no handler fails. Returns the answers' texts."""
    loop = asyncio.get_running_loop()
    answers: list[str] = []

    async def press(data: str) -> None:
        query = await user.press(data=data, force=True, chat_id=chat_id)
        answer = await user.answer_to(query, chat_id=chat_id)
        answers.append(answer.get("text") or "")

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=CALLBACK_DATA)
    def every_press_is_answered(data: str) -> None:
        _on(loop, press(data))

    await asyncio.to_thread(every_press_is_answered)
    assert handler_errors(caplog) == []
    return answers


async def test_arbitrary_callback_data_never_makes_a_handler_fail(
    member: SimUser, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sign_up(member)
    await press_everything(member, caplog)
    await all_handled(settings)
    assert handler_errors(caplog) == []


async def test_presses_in_a_group_change_nothing_and_reveal_nothing(
    member: SimUser, sim: SimulatorClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sign_up(member)
    await member.send("/menu", chat_id=GROUP_ID)  # a bot message in the group to press on
    link = await message_saying(member, "Let's talk in a private chat", chat_id=GROUP_ID)
    assert link.text.startswith("Let's talk in a private chat")
    await all_handled(settings)
    before = rows(settings, "SELECT * FROM participants"), rows(settings, "SELECT * FROM drafts")
    private_before = len(await member.messages())
    group_before = len(await member.messages(GROUP_ID))

    # What used to post the member's menu, "Nothing has changed..." or erase them.
    for data in ("menu:profile", "menu:need", "consent:no", "consent:yes:1", "forget:yes"):
        query = await member.press(data=data, force=True, chat_id=GROUP_ID)
        assert (await member.answer_to(query, chat_id=GROUP_ID))["text"] == PRIVATE_ONLY_BUTTON
    answers = await press_everything(member, caplog, chat_id=GROUP_ID)
    assert set(answers) == {PRIVATE_ONLY_BUTTON}

    await all_handled(settings, sim)
    group = await member.messages(GROUP_ID)
    assert len(group) == group_before, [m.text for m in group[group_before:]]
    assert len(await member.messages()) == private_before
    assert all(KEPT_AS_AGREED not in m.text and "Maya" not in m.text for m in group)
    after = rows(settings, "SELECT * FROM participants"), rows(settings, "SELECT * FROM drafts")
    assert after == before  # not even the member's activity stamp


async def test_group_messages_and_channel_posts_get_nothing(
    member: SimUser, sim: SimulatorClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sign_up(member)
    await member.send("Kirkby Mums' Group", chat_id=GROUP_ID)
    now = int(time.time())
    channel = {"id": CHANNEL_ID, "type": "channel", "title": "News"}
    for kind in ("channel_post", "edited_channel_post"):
        for text in ("/start", "/forget", "hello", "/menu@coproduce_bot"):
            await sim.raw_update(
                kind, {"message_id": 7, "chat": channel, "date": now, "text": text}
            )
    await sim.raw_update(
        "edited_message",
        {
            "message_id": 1,
            "chat": {"id": GROUP_ID, "type": "group", "title": "Group"},
            "from": {"id": MEMBER_ID, "is_bot": False, "first_name": "Maya"},
            "date": now,
            "edit_date": now,
            "text": "an edit in the group",
        },
    )
    await all_handled(settings, sim)
    assert handler_errors(caplog) == []
    outside = {str(GROUP_ID), str(CHANNEL_ID)}
    sent = [c for c in await sim.calls() if str(c["params"].get("chat_id")) in outside]
    assert sent == []
