"""/export and `coproduce export`: XLSX read back cell by cell, CSV neutralised, pseudonyms
stable and free of ids and names, contacts audited, commissioners kept to their areas, bad
input answered, big files zipped, the CLI's file private."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.config import Settings
from bot.context import SERVICES_KEY
from bot.core import Core
from bot.features.exports import service
from bot.features.exports.service import ProgressShown
from bot.roles import REFUSALS, Role
from bot.simulator import SimMessage, SimulatorClient, SimUser
from storage.contributions import NewNeed
from tests.harness import (
    ADMIN_ID,
    COMMISSIONER_ID,
    MEMBER_ID,
    ST_HELENS_COMMISSIONER_ID,
    RunningBot,
    answers_to,
    message_saying,
    rows,
    sign_up,
)

OTHER_ID = 3003  # a second member, in St Helens
BEFORE_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
AFTER_AT = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)  # 10:00 in London (summer time)
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@x"]


pytestmark = pytest.mark.two_areas


def core_of(bot: RunningBot) -> Core:
    assert bot.application is not None
    core: Core = bot.application.bot_data[SERVICES_KEY].core
    return core


async def seed(
    sim: SimulatorClient, bot: RunningBot, need_text: str = "More play sessions"
) -> None:
    """Two people signed up (Maya in Knowsley, Sam in St Helens), a need each, Maya's
    challenge answer, Maya's before and after surveys and Sam's before."""
    await sign_up(sim.user(MEMBER_ID, "Maya"))
    await sign_up(sim.user(OTHER_ID, "Sam"), area="St Helens", sector="Children's centre")
    core = core_of(bot)
    for draft, (user, area, text) in enumerate(
        [(MEMBER_ID, "knowsley", need_text), (OTHER_ID, "st_helens", "A bus to the centre")], 1
    ):
        await core.contributions.add_need(
            NewNeed(
                draft_id=900 + draft,
                user_id=user,
                area=area,
                neighbourhood=None,
                description=text,
                affected=["families"],
                evidence=None,
                urgency="medium",
                can_help="yes",
                themes=["partnership_working"],
            ),
            BEFORE_AT,
        )
    await core.contributions.add_challenge_answer(
        draft_id=950,
        user_id=MEMBER_ID,
        challenge="challenge_1",
        sector="vcs",
        answers={"worked": ["Trust", "Time"], "needed": ["Money"]},
        themes=[],
        now=BEFORE_AT,
    )
    items = [item.key for item in core.settings.programme.survey.items]
    for user, wave, score, at in [
        (MEMBER_ID, "before", 2, BEFORE_AT),
        (MEMBER_ID, "after", 4, AFTER_AT),
        (OTHER_ID, "before", 3, BEFORE_AT),
    ]:
        area = "knowsley" if user == MEMBER_ID else "st_helens"
        await core.surveys.save(
            user_id=user,
            wave=wave,  # type: ignore[arg-type]
            sector="vcs" if user == MEMBER_ID else "childrens_centre",
            area=area,
            scores=dict.fromkeys(items, score),
            now=at,
        )


async def download(sim: SimulatorClient, message: SimMessage) -> bytes:
    file_id = message.raw["document"]["file_id"]
    assert sim._session is not None
    async with sim._session.get(f"{sim._base_url}/sim/files/{file_id}") as response:
        assert response.status == 200
        return await response.read()


async def export(user: SimUser, words: str = "") -> tuple[SimMessage, list[SimMessage]]:
    """Send /export; the summary (the progress message, as its last edit left it) and the
    documents sent."""
    said = await answers_to(user, f"/export {words}".strip())
    now = {message.message_id: message for message in await user.messages()}
    [summary] = [now[m.message_id] for m in said if "Export ready" in now[m.message_id].text]
    return summary, [message for message in said if message.document_name]


def sheet_rows(workbook: Any, name: str) -> list[list[Any]]:
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


async def test_xlsx_export_read_back_cell_by_cell(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    await seed(sim, bot)
    admin = sim.user(ADMIN_ID, "Alex")
    summary, [document] = await export(admin)
    assert "needs 2" in summary.text
    assert "pairs 1" in summary.text
    assert document.document_name is not None
    assert document.document_name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(await download(sim, document)))
    assert book.sheetnames == ["About", "participants", "needs", "challenges", "surveys", "pairs"]
    maya = service.pseudonym(_secret(settings), MEMBER_ID)

    needs = sheet_rows(book, "needs")
    assert needs[0][:5] == ["reference", "participant", "area", "neighbourhood", "description"]
    assert needs[1][:5] == ["N-0001", maya, "Knowsley", None, "More play sessions"]
    assert needs[1][10:13] == ["Partnership working", "no", "new"]
    created = needs[1][13]
    assert isinstance(created, datetime)
    assert created == datetime(2026, 3, 2, 10, 30)
    assert book["needs"].freeze_panes == "A2"
    assert book["needs"].column_dimensions["E"].width >= len("More play sessions")

    challenges = sheet_rows(book, "challenges")
    assert challenges[0][5:7] == [
        "challenge_1: Worked in the past",
        "challenge_1: Needed for the future",
    ]
    assert challenges[1][:7] == [
        "C-0001",
        maya,
        "Challenge 1",
        "Voluntary or community group",
        "Knowsley",
        "Trust; Time",
        "Money",
    ]

    surveys = sheet_rows(book, "surveys")
    assert surveys[0][:5] == ["participant", "wave", "sector", "area", "answered"]
    by_wave = {(row[0], row[1]): row for row in surveys[1:]}
    assert by_wave[(maya, "after")][4] == datetime(2026, 4, 20, 10, 0)  # London summer time
    assert by_wave[(maya, "after")][5:] == [4, 4, 4, 4, 4, 4]
    assert len(surveys) == 4

    pairs = sheet_rows(book, "pairs")
    assert pairs == [
        ["participant", "sector group", "before mean", "after mean", "change", "more positive"],
        [maya, "VCS and local authority", 2, 4, 2, "yes"],
    ]
    participants = sheet_rows(book, "participants")
    assert participants[0] == [
        "participant",
        "organisation",
        "sector",
        "area",
        "joined",
        "profile completed",
        "last active",
        "follow-ups",
    ]
    assert {row[0] for row in participants[1:]} == {
        maya,
        service.pseudonym(_secret(settings), OTHER_ID),
    }

    about = {row[0]: row[1] for row in sheet_rows(book, "About") if row[0]}
    assert about["Made by"] == f"admin, Telegram user {ADMIN_ID}"
    assert isinstance(about["Made at"], datetime)
    assert about["Filter: area"] == "all (allowed)"
    assert about["Filter: contacts"] == "no"
    assert about["Rows in needs"] == 2
    assert about["Rows in pairs"] == 1
    definitions = {
        (row[0], row[1]): row[2] for row in sheet_rows(book, "About") if row[0] and row[1]
    }
    for name in ("participants", "needs", "challenges", "surveys", "pairs"):
        for header in sheet_rows(book, name)[0]:
            assert definitions[(name, header)], (name, header)
    [(actor, details)] = rows(
        settings, "SELECT actor_id, details FROM audit_log WHERE action = 'export'"
    )
    assert actor == ADMIN_ID
    assert json.loads(details)["contacts"] is False


def _secret(settings: Settings) -> bytes:
    [(secret,)] = rows(settings, "SELECT secret FROM export_secret")
    return bytes.fromhex(secret)


async def add_needs(bot: RunningBot, descriptions: list[str]) -> None:
    """More of Maya's needs, described as given."""
    for draft, text in enumerate(descriptions, 1):
        await core_of(bot).contributions.add_need(
            NewNeed(
                draft_id=draft,
                user_id=MEMBER_ID,
                area="knowsley",
                neighbourhood=None,
                description=text,
                affected=[],
                evidence=None,
                urgency="low",
                can_help="no",
                themes=[],
            ),
            BEFORE_AT,
        )


async def test_csv_neutralises_formulas_and_has_a_bom(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    await seed(sim, bot, need_text=INJECTIONS[0])
    await add_needs(bot, INJECTIONS[1:])
    admin = sim.user(ADMIN_ID, "Alex")
    _, documents = await export(admin, "needs csv")
    files = {d.document_name: await download(sim, d) for d in documents}
    assert set(files) == {"needs.csv", "about.csv"}
    raw = files["needs.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    descriptions = [row[4] for row in table[1:]]
    assert descriptions[0] == "'" + INJECTIONS[0]
    assert descriptions[2:] == ["'+1", "'-2", "'@x"]
    assert files["about.csv"].startswith(b"\xef\xbb\xbf")


async def test_xlsx_holds_formulas_as_text_and_no_character_it_cannot(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    await seed(sim, bot, need_text=INJECTIONS[0])
    await add_needs(bot, [*INJECTIONS[1:], "Bell\x07 and tab\tstay"])
    admin = sim.user(ADMIN_ID, "Alex")
    _, [document] = await export(admin, "needs")
    needs = load_workbook(io.BytesIO(await download(sim, document)))["needs"]

    descriptions = [row[4] for row in needs.iter_rows(min_row=2)]
    assert [cell.value for cell in descriptions] == [
        INJECTIONS[0],
        "A bus to the centre",
        *INJECTIONS[1:],
        "Bell\ufffd and tab\tstay",
    ]
    assert {cell.data_type for cell in descriptions} == {"s"}  # text, never a formula


async def test_pseudonyms_are_stable_and_hide_ids_and_names(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    await seed(sim, bot)
    admin = sim.user(ADMIN_ID, "Alex")
    _, [first] = await export(admin, "all json")
    _, [second] = await export(admin, "all json")
    one, two = await download(sim, first), await download(sim, second)
    for content in (one, two):
        assert str(MEMBER_ID).encode() not in content
        assert b"Maya" not in content
        assert str(OTHER_ID).encode() not in content
        assert b"Sam" not in content
    data_one, data_two = json.loads(one), json.loads(two)
    maya = service.pseudonym(_secret(settings), MEMBER_ID)
    assert maya.startswith("p_")
    assert len(maya) == 12
    for data in (data_one, data_two):
        assert data["needs"][0]["participant"] == maya
        assert data["surveys"][0]["participant"] == maya
        assert data["pairs"][0]["participant"] == maya
    assert data_one["about"]["rows"]["needs"] == 2


async def test_contacts_yes_adds_names_and_ids_and_is_audited(
    sim: SimulatorClient, bot: RunningBot, settings: Settings
) -> None:
    await seed(sim, bot)
    admin = sim.user(ADMIN_ID, "Alex")
    _, [document] = await export(admin, "needs json contacts=yes")
    data = json.loads(await download(sim, document))
    people = {row["user_id"]: row for row in data["participants"]}
    assert people[MEMBER_ID]["name"] == "Maya"
    assert people[OTHER_ID]["participant"] == service.pseudonym(_secret(settings), OTHER_ID)
    [(details,)] = rows(settings, "SELECT details FROM audit_log WHERE action = 'export'")
    assert json.loads(details)["contacts"] is True


async def test_a_commissioner_gets_their_area_only(sim: SimulatorClient, bot: RunningBot) -> None:
    await seed(sim, bot)
    chris = sim.user(COMMISSIONER_ID, "Chris")
    await chris.send("/export needs area=st_helens")
    refusal = await message_saying(chris, "You can export your own areas only")
    assert refusal.text == "You can export your own areas only: Knowsley (area=knowsley)."
    await chris.send("/export surveys")
    await message_saying(chris, "never see one person's survey")
    summary, [document] = await export(chris, "json")
    assert "Not included: participants, surveys" in summary.text
    data = json.loads(await download(sim, document))
    assert [need["area"] for need in data["needs"]] == ["Knowsley"]
    assert [answer["area"] for answer in data["challenges"]] == ["Knowsley"]
    assert "participants" not in data
    assert "surveys" not in data
    other = sim.user(ST_HELENS_COMMISSIONER_ID, "Sue")
    _, [document] = await export(other, "needs json")
    assert [n["description"] for n in json.loads(await download(sim, document))["needs"]] == [
        "A bus to the centre"
    ]


async def test_a_member_is_refused(sim: SimulatorClient, bot: RunningBot) -> None:
    await seed(sim, bot)
    member = sim.user(MEMBER_ID, "Maya")
    said = [m.text for m in await answers_to(member, "/export")]
    assert said == [REFUSALS[Role.COMMISSIONER]]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("pies", "I don't understand “pies”."),
        ("needs pdf", "I don't understand “pdf”."),
        ("needs csv json", "json: give one format only."),
        ("since=31/01/2026", "since=31/01/2026 is not a date"),
        ("since=2026-02-30", "since=2026-02-30 is not a date"),
        ("area=wigan", "There is no area wigan. Areas: knowsley, st_helens."),
        ("event=NOPE", "There is no event with the code NOPE."),
        ("colour=blue", "I don't understand “colour=blue”."),
    ],
)
async def test_bad_input_is_answered_with_the_usage(admin: SimUser, words: str, says: str) -> None:
    await admin.send(f"/export {words}")
    answer = (await message_saying(admin, says)).text
    assert answer.startswith(says)
    assert "Example: /export needs csv area=knowsley since=2026-01-01" in answer


async def test_no_rows_still_gives_headers(sim: SimulatorClient, bot: RunningBot) -> None:
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/export needs csv since=2030-01-01")
    summary = await message_saying(admin, "No rows matched", replies=True)
    assert "headers only" in summary.text
    document = await message_saying(admin, lambda m: m.document_name == "needs.csv")
    table = list(csv.reader(io.StringIO((await download(sim, document)).decode("utf-8-sig"))))
    assert table[0][0] == "reference"
    assert len(table) == 1


async def test_the_event_filter_takes_its_attendees_only(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    await seed(sim, bot)
    core = core_of(bot)
    await core.events.create("SPRING", "Spring workshop", ADMIN_ID, BEFORE_AT)
    await core.events.attend("SPRING", OTHER_ID, BEFORE_AT)
    _, [document] = await export(sim.user(ADMIN_ID, "Alex"), "needs json event=SPRING")
    data = json.loads(await download(sim, document))
    assert [need["description"] for need in data["needs"]] == ["A bus to the centre"]


async def test_a_file_over_the_limit_is_zipped(
    sim: SimulatorClient, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_need = "More play sessions " * 70
    await seed(sim, bot, need_text=long_need)
    monkeypatch.setattr(service, "MAX_UPLOAD_BYTES", 1000)
    _, documents = await export(sim.user(ADMIN_ID, "Alex"), "needs csv")
    assert "needs.csv.zip" in {d.document_name for d in documents}
    assert "needs.csv" not in {d.document_name for d in documents}
    assert all(d.raw["document"]["file_size"] <= 1000 for d in documents)
    needs_zip = next(d for d in documents if d.document_name == "needs.csv.zip")
    with zipfile.ZipFile(io.BytesIO(await download(sim, needs_zip))) as archive:
        assert archive.namelist() == ["needs.csv"]
        assert long_need.strip().encode() in archive.read("needs.csv")


def test_progress_is_shown_every_ten_percent_at_most_once_a_second() -> None:
    now = [0.0]
    shown = ProgressShown(lambda: now[0])
    now[0] = 0.5
    assert not shown.due(50)  # under a second
    now[0] = 1.5
    assert shown.due(50)
    now[0] = 3.0
    assert not shown.due(55)  # under ten percent more
    assert shown.due(60)


async def test_the_cli_export_end_to_end(
    sim: SimulatorClient, bot: RunningBot, settings: Settings, tmp_path: Path
) -> None:
    await seed(sim, bot)
    _, [document] = await export(sim.user(ADMIN_ID, "Alex"), "needs json")
    by_bot = json.loads(await download(sim, document))
    await bot.stop()
    config = tmp_path / "config.toml"
    config.write_text(
        f"admins = [{ADMIN_ID}]\n[storage]\npath = '{settings.storage.path}'\n"
        "[[programme.areas]]\nkey = 'knowsley'\nname = 'Knowsley'\n"
        "[[programme.areas]]\nkey = 'st_helens'\nname = 'St Helens'\n"
    )
    out = tmp_path / "out.xlsx"
    assert (
        await asyncio.to_thread(
            main,
            [
                "--config",
                str(config),
                "export",
                "--what",
                "needs",
                "--out",
                str(out),
                "--area",
                "knowsley",
            ],
        )
        == 0
    )
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    book = load_workbook(out)
    needs = sheet_rows(book, "needs")
    assert [row[4] for row in needs[1:]] == ["More play sessions"]
    assert needs[1][1] == by_bot["needs"][0]["participant"]  # the same pseudonym
    assert (
        await asyncio.to_thread(main, ["--config", str(config), "export", "--out", str(out)]) == 2
    )  # exists already
    csv_out = tmp_path / "out.zip"
    assert (
        await asyncio.to_thread(
            main, ["--config", str(config), "export", "--format", "csv", "--out", str(csv_out)]
        )
        == 0
    )
    with zipfile.ZipFile(csv_out) as archive:
        assert set(archive.namelist()) == {
            "participants.csv",
            "needs.csv",
            "challenges.csv",
            "surveys.csv",
            "pairs.csv",
            "about.csv",
        }
    assert (
        await asyncio.to_thread(
            main,
            ["--config", str(config), "export", "--area", "wigan", "--out", str(tmp_path / "x")],
        )
        == 2
    )
    audited = rows(settings, "SELECT actor_id, details FROM audit_log WHERE action = 'export'")
    assert [actor for actor, _ in audited] == [ADMIN_ID, 0, 0]
    assert json.loads(audited[1][1])["via"] == "cli"


async def test_a_commissioners_export_has_no_pseudonym_or_sector_column(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    await seed(sim, bot)
    chris = sim.user(COMMISSIONER_ID, "Chris")
    _, [document] = await export(chris)
    book = load_workbook(io.BytesIO(await download(sim, document)))
    assert book.sheetnames == ["About", "needs", "challenges"]
    for name in ("needs", "challenges"):
        headers = sheet_rows(book, name)[0]
        assert "participant" not in headers
        assert "sector" not in headers
        assert "area" in headers
    assert sheet_rows(book, "challenges")[1][:3] == ["C-0001", "Challenge 1", "Knowsley"]
    about = sheet_rows(book, "About")
    assert {row[1] for row in about if row[0] in ("needs", "challenges")}.isdisjoint(
        {"participant", "sector"}
    )
    notes = {row[0]: row[1] for row in about if row[0]}
    assert notes["People"].startswith("No participant or sector columns")
    _, documents = await export(chris, "challenges csv")
    files = {d.document_name: await download(sim, d) for d in documents}
    [headers, *_] = csv.reader(io.StringIO(files["challenges.csv"].decode("utf-8-sig")))
    assert headers[:3] == ["reference", "challenge", "area"]
    admin = sim.user(ADMIN_ID, "Alex")  # an admin's still has both
    _, [document] = await export(admin, "challenges")
    book = load_workbook(io.BytesIO(await download(sim, document)))
    assert sheet_rows(book, "challenges")[0][:5] == [
        "reference",
        "participant",
        "challenge",
        "sector",
        "area",
    ]
