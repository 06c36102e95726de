"""The Bot API emulator, checked with a real python-telegram-bot Bot and raw HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyKeyboardMarkup,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.simulator import BotApiEmulator, Persona, SimulatorClient
from bot.simulator.media import sample_png
from bot.simulator.webhook import SECRET_HEADER

TOKEN = "123456:TEST-token"
MEMBER = Persona(1001, "Member", "Mia", "mia_vcs", "A VCS member")
OTHER = 2002
YES_NO = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="y"),
            InlineKeyboardButton("No", callback_data="n"),
        ]
    ]
)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emu = BotApiEmulator(TOKEN, personas=[MEMBER])
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=emulator.api_base_url, base_file_url=emulator.file_base_url
    ) as tg_bot:
        yield tg_bot


@pytest.fixture
async def sim(emulator: BotApiEmulator) -> AsyncIterator[SimulatorClient]:
    async with SimulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession, emulator: BotApiEmulator, method: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{emulator.api_base_url}{TOKEN}/{method}", **kwargs) as response:
        return response.status, await response.json()


@dataclass
class Delivery:
    """One webhook request the emulator made; the test decides the answer."""

    update: dict[str, Any]
    headers: dict[str, str]
    _status: asyncio.Future[int] = field(repr=False)

    @property
    def text(self) -> str | None:
        message: dict[str, Any] = self.update.get("message") or {}
        return message.get("text")

    def answer(self, status: int) -> None:
        self._status.set_result(status)


class WebhookReceiver:
    """A loopback HTTP server standing in for the bot's webhook."""

    def __init__(self) -> None:
        self.requests: asyncio.Queue[Delivery] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        headers = {k.lower(): v for k, v in request.headers.items()}
        await self.requests.put(Delivery(await request.json(), headers, status))
        return web.Response(status=await status)

    async def next(self) -> Delivery:
        """The next request, within a bounded wait."""
        return await asyncio.wait_for(self.requests.get(), 5)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hook"
    yield receiver
    await runner.cleanup()


async def wait_until_pending(sim: SimulatorClient, method: str) -> None:
    """Returns once a call of `method` is in flight (logged, not yet answered)."""
    for _ in range(200):
        if any(c["status"] is None for c in await sim.calls(method)):
            return
    raise AssertionError(f"{method} never became pending")


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "coproduce_bot")
    assert me.can_join_groups is True


async def test_get_updates_long_poll_returns_as_soon_as_a_user_writes(
    bot: Bot, sim: SimulatorClient
) -> None:
    loop = asyncio.get_running_loop()
    assert await bot.get_updates(timeout=0) == ()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await wait_until_pending(sim, "getUpdates")
    started = loop.time()
    await sim.user(MEMBER.user_id).send("hello")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hello"]
    assert updates[0].message is not None
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.first_name == "Mia"
    assert updates[0].message.chat.id == MEMBER.user_id


async def test_get_updates_waits_out_its_timeout_when_nothing_happens(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert loop.time() - started >= 0.9


async def test_offset_confirms_updates(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    ids = [u.update_id for u in first]
    again = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in again] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [ids[1]]
    last = await bot.get_updates(offset=-1)
    assert [u.update_id for u in last] == [ids[2]]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert await bot.get_updates() == ()


async def test_html_becomes_plain_text_and_utf16_entities(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    sent = await bot.send_message(
        MEMBER.user_id,
        '😀 <b>bold</b> &lt;3 <i>it<u>al</u></i> <a href="https://example.org">link</a>',
        parse_mode="HTML",
    )
    assert sent.text == "😀 bold <3 ital link"
    assert sent.parse_entities() == {
        MessageEntity(MessageEntity.BOLD, 3, 4): "bold",
        MessageEntity(MessageEntity.ITALIC, 11, 4): "ital",
        MessageEntity(MessageEntity.UNDERLINE, 13, 2): "al",
        MessageEntity(MessageEntity.TEXT_LINK, 16, 4, url="https://example.org"): "link",
    }
    reply = await sim.user(MEMBER.user_id).next_reply()
    assert reply.text == "😀 bold <3 ital link"
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(MEMBER.user_id, "line<br>break", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(MEMBER.user_id, "<b>open", parse_mode="HTML")


async def test_text_length_and_emptiness_are_checked(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    assert (await bot.send_message(MEMBER.user_id, "x" * 4096)).text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(MEMBER.user_id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(MEMBER.user_id, "  <b> </b> ", parse_mode="HTML")


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(OTHER, "hello?")


async def test_pressing_a_button_by_label_sends_its_callback_data(
    bot: Bot, sim: SimulatorClient
) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    sent = await bot.send_message(MEMBER.user_id, "Ready?", reply_markup=YES_NO)
    reply = await user.next_reply()
    assert (reply.buttons, reply.button_data, reply.labels()) == (
        [["Yes", "No"]],
        [["y", "n"]],
        ["Yes", "No"],
    )
    await user.press("No")
    updates = await bot.get_updates(offset=-1)
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "n"
    assert query.from_user.id == MEMBER.user_id
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    with pytest.raises(AssertionError, match=r"visible buttons: \[\['Yes', 'No'\]\]"):
        await user.press("Maybe")


async def test_forged_and_stale_presses_reach_the_bot(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    sent = await bot.send_message(MEMBER.user_id, "Ready?", reply_markup=YES_NO)
    await user.press(data="forged:1", message_id=sent.message_id, force=True)
    await user.press(data="y", message_id=999, force=True)
    queries = [u.callback_query for u in await bot.get_updates() if u.callback_query]
    assert [q.data for q in queries] == ["forged:1", "y"]
    assert queries[0].message is not None
    assert queries[0].message.message_id == sent.message_id
    assert queries[1].message is not None
    assert (queries[1].message.message_id, queries[1].message.is_accessible) == (999, False)


async def test_a_callback_query_is_answered_once(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    await bot.send_message(MEMBER.user_id, "Ready?", reply_markup=YES_NO)
    await user.press("Yes")
    query = (await bot.get_updates(offset=-1))[0].callback_query
    assert query is not None
    assert await query.answer("Saved", show_alert=True) is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("Again")
    answers = await user.callback_answers()
    assert [(a["text"], a["show_alert"]) for a in answers] == [("Saved", True)]


async def test_editing_to_the_same_content_is_refused(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    sent = await bot.send_message(MEMBER.user_id, "Step 1", reply_markup=YES_NO)
    with pytest.raises(BadRequest) as refused:
        await bot.edit_message_text("Step 1", MEMBER.user_id, sent.message_id, reply_markup=YES_NO)
    assert refused.value.message == (
        "Message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    await bot.edit_message_text(
        "<b>Step 2</b>", MEMBER.user_id, sent.message_id, parse_mode="HTML"
    )
    first, edit = await user.next_reply(), await user.next_reply()
    assert (first.text, first.edited) == ("Step 1", False)
    assert (edit.message_id, edit.text, edit.edited, edit.buttons) == (
        sent.message_id,
        "Step 2",
        True,
        [],
    )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", MEMBER.user_id, 999)


async def test_deleted_messages_leave_the_chat(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    sent = await bot.send_message(MEMBER.user_id, "Temporary")
    assert await bot.delete_message(MEMBER.user_id, sent.message_id) is True
    assert [m.text for m in await user.messages()] == ["/start"]
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(MEMBER.user_id, sent.message_id)


async def test_callback_data_over_64_bytes_is_invalid(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Too long", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(MEMBER.user_id, "Pick", reply_markup=markup)
    assert [m.text for m in await sim.user(MEMBER.user_id).messages()] == ["/start"]


async def test_reply_keyboards_are_kept_for_the_simulated_user(
    bot: Bot, sim: SimulatorClient
) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    sent = await bot.send_message(
        MEMBER.user_id, "How sure?", reply_markup=ReplyKeyboardMarkup([["1", "2", "3"]])
    )
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert (await user.next_reply()).reply_keyboard == [["1", "2", "3"]]


async def test_uploaded_files_download_byte_for_byte(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    payload = b"area,needs\nKnowsley,3\n"
    doc = await bot.send_document(
        MEMBER.user_id, payload, filename="needs.csv", caption="<i>Export</i>", parse_mode="HTML"
    )
    assert doc.document is not None
    assert (doc.document.file_name, doc.document.mime_type, doc.caption) == (
        "needs.csv",
        "text/csv",
        "Export",
    )
    assert await (await bot.get_file(doc.document.file_id)).download_as_bytearray() == payload

    png = sample_png(40, 30)
    photo = await bot.send_photo(MEMBER.user_id, png)
    size = photo.photo[-1]
    assert (size.width, size.height) == (40, 30)
    assert await (await bot.get_file(size.file_id)).download_as_bytearray() == png
    again = await bot.send_photo(MEMBER.user_id, size.file_id)
    assert again.photo[-1].file_id == size.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(MEMBER.user_id, "no-such-file")
    messages = await sim.user(MEMBER.user_id).messages()
    assert [(m.document_name, m.has_photo) for m in messages[1:]] == [
        ("needs.csv", False),
        (None, True),
        (None, True),
    ]


async def test_user_media_can_be_fetched_by_the_bot(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send_photo(caption="Our garden")
    await user.send_voice()
    await user.send_sticker()
    await user.send_document("plan.txt")
    photo, voice, sticker, document = [u.message for u in await bot.get_updates()]
    assert photo is not None
    assert voice is not None
    assert sticker is not None
    assert document is not None
    assert photo.caption == "Our garden"
    png = await (await photo.photo[-1].get_file()).download_as_bytearray()
    assert png.startswith(b"\x89PNG")
    assert voice.voice is not None
    ogg = await (await voice.voice.get_file()).download_as_bytearray()
    assert ogg.startswith(b"OggS")
    assert sticker.sticker is not None
    assert (sticker.sticker.emoji, sticker.sticker.is_animated) == ("👍", False)
    assert document.document is not None
    assert document.document.file_name == "plan.txt"


async def test_commands_carry_bot_command_entities(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start inv_abc")
    await user.send("/help@coproduce_bot now")
    await user.send("not /a command")
    start, help_, plain = [u.message for u in await bot.get_updates()]
    assert start is not None
    assert help_ is not None
    assert plain is not None
    assert start.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert help_.parse_entities() == {
        MessageEntity(MessageEntity.BOT_COMMAND, 0, 19): "/help@coproduce_bot"
    }
    assert plain.entities == ()


async def test_group_chats(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/report", chat_id=-500)
    message = (await bot.get_updates())[0].message
    assert message is not None
    assert (message.chat.id, message.chat.type, message.chat.title) == (-500, "group", "Group 500")
    await bot.send_message(-500, "Reported")
    assert (await user.next_reply(chat_id=-500)).text == "Reported"
    assert await user.messages() == []


async def test_next_reply_timeout_shows_the_transcript(sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("anyone there?")
    with pytest.raises(AssertionError, match=r"(?s)no reply.*user: 'anyone there\?'"):
        await user.next_reply(timeout=0.3)


async def test_retry_after_fault(
    bot: Bot, sim: SimulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    await sim.user(MEMBER.user_id).send("/start")
    await sim.inject_fault("sendMessage", "retry_after", retry_after=3)
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(MEMBER.user_id, "first try")
    assert limited.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(MEMBER.user_id, "second try")
    assert [c["status"] for c in await sim.calls("sendMessage")] == [429, 200]
    assert [m.text for m in await sim.user(MEMBER.user_id).messages()] == ["/start", "second try"]


async def test_server_error_fault_has_no_effect(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    await sim.inject_fault("sendmessage", "server_error", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(MEMBER.user_id, "lost")
    await bot.send_message(MEMBER.user_id, "delivered")
    assert [m.text for m in await sim.user(MEMBER.user_id).messages()] == ["/start", "delivered"]


async def test_blocked_fault_refuses_every_call_to_that_chat(
    bot: Bot, sim: SimulatorClient
) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    await sim.user(OTHER).send("/start")
    await sim.inject_fault("sendMessage", "blocked", chat_id=MEMBER.user_id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(MEMBER.user_id, "digest")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(MEMBER.user_id, "typing")
    await bot.send_message(OTHER, "still fine")
    await sim.clear_faults()
    await bot.send_message(MEMBER.user_id, "unblocked")
    assert [m.text for m in await sim.user(MEMBER.user_id).messages()] == ["/start", "unblocked"]


async def test_timeout_fault_makes_the_client_time_out(
    emulator: BotApiEmulator, sim: SimulatorClient
) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    await sim.inject_fault("sendMessage", "timeout", delay=1.5)
    async with Bot(
        TOKEN, base_url=emulator.api_base_url, request=HTTPXRequest(read_timeout=0.5)
    ) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(MEMBER.user_id, "slow")
        await impatient.send_message(MEMBER.user_id, "quick")
    calls = await sim.calls("sendMessage")
    assert [(c["status"], c.get("fault")) for c in calls] == [(500, "timeout"), (200, None)]
    assert [m.text for m in await sim.user(MEMBER.user_id).messages()] == ["/start", "quick"]


async def test_wrong_token_and_unknown_method(
    emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    stranger = Bot("999:wrong", base_url=emulator.api_base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await stranger.initialize()
    await stranger.shutdown()
    async with http.get(f"{emulator.api_base_url}999:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    assert await raw_call(http, emulator, "sendCarrierPigeon") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_raw_requests_in_json_query_and_any_case(
    emulator: BotApiEmulator, http: aiohttp.ClientSession, sim: SimulatorClient
) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    status, body = await raw_call(
        http,
        emulator,
        "SENDMESSAGE",
        json={"chat_id": MEMBER.user_id, "text": "via json", "reply_markup": YES_NO.to_dict()},
    )
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["reply_markup"] == YES_NO.to_dict()
    url = f"{emulator.api_base_url}{TOKEN}/sendMessage"
    async with http.get(url, params={"chat_id": str(MEMBER.user_id), "text": "via query"}) as r:
        assert (await r.json())["result"]["text"] == "via query"
    status, body = await raw_call(
        http, emulator, "sendMessage", data={"chat_id": "1001", "text": "x", "reply_markup": "{"}
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't parse reply_markup JSON object",
    )


async def test_call_log_records_decoded_parameters(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")
    await bot.send_message(MEMBER.user_id, "Ready?", reply_markup=YES_NO)
    [call] = await sim.calls("sendMessage")
    assert call["params"]["chat_id"] == MEMBER.user_id
    assert call["params"]["reply_markup"] == YES_NO.to_dict()
    assert call["status"] == 200


async def test_webhook_blocks_polling(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("queued")
    # Nothing listens on port 1: delivery keeps failing and the update stays queued.
    assert await bot.set_webhook("http://127.0.0.1:1/hook") is True
    assert (await bot.get_webhook_info()).url == "http://127.0.0.1:1/hook"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.get_updates() == ()


async def test_set_webhook_ends_a_long_poll_in_flight(bot: Bot, sim: SimulatorClient) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await wait_until_pending(sim, "getUpdates")
    await bot.set_webhook("http://127.0.0.1:1/hook")
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await asyncio.wait_for(poll, 5)


async def test_webhook_delivers_pending_then_new_updates_in_order_with_the_secret(
    bot: Bot, sim: SimulatorClient, receiver: WebhookReceiver
) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("one")
    await user.send("two")
    assert await bot.set_webhook(receiver.url, secret_token="s3cret-Token_1") is True
    delivered = []
    for _ in range(2):
        delivery = await receiver.next()
        assert delivery.headers[SECRET_HEADER.lower()] == "s3cret-Token_1"
        assert delivery.headers["content-type"] == "application/json"
        delivery.answer(200)
        delivered.append(delivery)
    await user.send("three")
    third = await receiver.next()
    third.answer(204)
    delivered.append(third)
    assert [d.text for d in delivered] == ["one", "two", "three"]
    ids = [d.update["update_id"] for d in delivered]
    assert ids == sorted(ids)
    assert delivered[0].update["message"]["from"]["id"] == MEMBER.user_id
    # The last 2xx is confirmed once the emulator has read it: ask until it has.
    for _ in range(200):
        info = await bot.get_webhook_info()
        if info.pending_update_count == 0:
            break
    assert (info.url, info.pending_update_count, info.last_error_date) == (receiver.url, 0, None)
    with pytest.raises(Conflict):
        await bot.get_updates()


async def test_webhook_without_a_secret_sends_no_secret_header(
    bot: Bot, sim: SimulatorClient, receiver: WebhookReceiver
) -> None:
    await bot.set_webhook(receiver.url)
    await sim.user(MEMBER.user_id).send("hello")
    delivery = await receiver.next()
    delivery.answer(200)
    assert delivery.text == "hello"
    assert SECRET_HEADER.lower() not in delivery.headers


async def test_set_webhook_can_drop_what_is_pending(
    bot: Bot, sim: SimulatorClient, receiver: WebhookReceiver
) -> None:
    await sim.user(MEMBER.user_id).send("stale")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    await sim.user(MEMBER.user_id).send("fresh")
    delivery = await receiver.next()
    delivery.answer(200)
    assert delivery.text == "fresh"


async def test_webhook_retries_an_update_the_bot_did_not_accept(
    bot: Bot, sim: SimulatorClient, receiver: WebhookReceiver
) -> None:
    loop = asyncio.get_running_loop()
    await bot.set_webhook(receiver.url, secret_token="s3cret")
    await sim.user(MEMBER.user_id).send("important")
    first = await receiver.next()
    first.answer(500)
    refused_at = loop.time()
    retry = await receiver.next()
    assert loop.time() - refused_at >= 0.15  # a backoff, not a hot loop
    assert retry.update == first.update
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1  # not forgotten while the retry is unanswered
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    retry.answer(200)
    await sim.user(MEMBER.user_id).send("next")
    following = await receiver.next()
    following.answer(200)
    assert following.text == "next"  # "important" was not sent a third time


async def test_delete_webhook_stops_delivery(
    bot: Bot, sim: SimulatorClient, receiver: WebhookReceiver
) -> None:
    user = sim.user(MEMBER.user_id)
    await bot.set_webhook(receiver.url)
    await user.send("delivered")
    (await receiver.next()).answer(200)
    await user.send("failing")
    (await receiver.next()).answer(503)
    # Dropped while it waits for its retry: it is neither retried nor left for getUpdates.
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_date) == ("", 0, None)
    assert await bot.get_updates() == ()
    await user.send("polled")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["polled"]
    assert receiver.requests.empty()


async def test_webhook_must_be_loopback(
    bot: Bot, emulator: BotApiEmulator, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bad webhook: .*loopback"):
        await bot.set_webhook("https://example.org/hook")
    for url in (
        "http://10.0.0.1:8443/hook",
        "http://localhost.example.org/hook",
        "http://127.0.0.1.nip.io/hook",
        "ftp://127.0.0.1/hook",
        "not a url",
    ):
        status, body = await raw_call(http, emulator, "setWebhook", json={"url": url})
        assert status == 400, url
        assert body["description"].startswith("Bad Request: bad webhook: "), body
    assert (await bot.get_webhook_info()).url == ""
    for url in ("http://localhost:8443/a", "https://[::1]:8443/b", "http://127.0.0.2/c"):
        assert await bot.set_webhook(url) is True
        assert (await bot.get_webhook_info()).url == url
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="has:colon")


async def test_commands_are_stored_per_scope(bot: Bot, sim: SimulatorClient) -> None:
    await sim.user(MEMBER.user_id).send("/start")  # a chat scope needs a chat the bot knows
    member = [BotCommand("start", "Begin"), BotCommand("need", "Tell us a local need")]
    admin = [BotCommand("export", "Download the data")]
    scope = BotCommandScopeChat(MEMBER.user_id)
    assert await bot.set_my_commands(member) is True
    assert await bot.set_my_commands(admin, scope=scope) is True
    assert await bot.get_my_commands() == tuple(member)
    assert await bot.get_my_commands(scope=scope) == tuple(admin)
    assert await bot.delete_my_commands(scope=scope) is True
    assert await bot.get_my_commands(scope=scope) == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_chat_scoped_settings_need_a_known_chat(bot: Bot, sim: SimulatorClient) -> None:
    commands = [BotCommand("export", "Download the data")]
    stranger = BotCommandScopeChat(OTHER)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.set_my_commands(commands, scope=stranger)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.get_my_commands(scope=stranger)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.set_chat_menu_button(OTHER)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.get_chat(OTHER)
    await sim.user(OTHER).send("/start")
    assert await bot.set_my_commands(commands, scope=stranger) is True
    assert await bot.get_my_commands(scope=stranger) == tuple(commands)
    assert await bot.set_chat_menu_button(OTHER) is True


async def test_events_stream_chat_actions_and_edits(bot: Bot, sim: SimulatorClient) -> None:
    user = sim.user(MEMBER.user_id)
    await user.send("/start")
    events = f"/sim/chats/{MEMBER.user_id}/events"
    _, body = await sim.request("GET", events, params={"after": "1"})
    assert body["events"] == []
    long_poll = asyncio.create_task(
        sim.request("GET", events, params={"after": "1", "timeout": "10"})
    )
    await bot.send_chat_action(MEMBER.user_id, "typing")
    _, body = await asyncio.wait_for(long_poll, 5)
    assert [(e["type"], e["action"]) for e in body["events"]] == [("chat_action", "typing")]
    assert body["last_seq"] == body["events"][-1]["seq"]


async def test_web_page_and_personas_are_served(
    emulator: BotApiEmulator, http: aiohttp.ClientSession, sim: SimulatorClient
) -> None:
    _, personas = await sim.request("GET", "/sim/personas")
    assert personas == [
        {
            "user_id": 1001,
            "label": "Member",
            "first_name": "Mia",
            "username": "mia_vcs",
            "description": "A VCS member",
        }
    ]
    async with http.get(emulator.url + "/") as page:
        html = await page.text()
    assert 'id="persona-select"' in html
    assert "/static/app.js" in html
    async with http.get(emulator.url + "/static/app.js") as script:
        assert script.status == 200
        assert "textContent" in await script.text()
