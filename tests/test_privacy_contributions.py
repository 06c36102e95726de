"""What people contributed, under /mydata and /forget: kept anonymously, or deleted."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.simulator import SimulatorClient
from tests.harness import (
    RunningBot,
    message_saying,
    rows,
    sign_up,
    take_survey,
    voice_a_need,
)


async def contribute(sim: SimulatorClient) -> None:
    member = sim.user(1001, "Maya")
    await sign_up(member)
    await take_survey(member, 3)
    await voice_a_need(member, "More volunteers for the Saturday stay and play")


async def test_mydata_includes_needs_and_surveys(sim: SimulatorClient, bot: RunningBot) -> None:
    await contribute(sim)
    member = sim.user(1001)
    await member.send("/mydata")
    document = await message_saying(
        member, lambda message: message.document_name == "my-coproduce-data.json"
    )
    _, data = await sim.request("GET", f"/sim/files/{document.raw['document']['file_id']}")
    assert [need["description"] for need in data["needs"]] == [
        "More volunteers for the Saturday stay and play"
    ]
    assert data["needs"][0]["affected"] == ["families"]
    assert data["survey_answers"][0]["wave"] == "before"
    assert data["survey_answers"][0]["scores"]["voice_need"] == 3
    assert data["challenge_answers"] == []


@pytest.mark.parametrize("keep", [True, False])
async def test_forget_keeps_contributions_only_anonymously(
    sim: SimulatorClient, settings: Settings, bot: RunningBot, keep: bool
) -> None:
    await bot.stop()
    programme = settings.programme.model_copy(update={"keep_anonymous_contributions": keep})
    running = RunningBot(settings.model_copy(update={"programme": programme}))
    await running.start()
    try:
        await contribute(sim)
        member = sim.user(1001)
        await member.send("/forget")
        await message_saying(member, "Are you sure?")
        await member.press("Yes, erase my data")
        await member.next_reply()
    finally:
        await running.stop()
    needs = await asyncio.to_thread(rows, settings, "SELECT user_id, evidence FROM needs")
    surveys = await asyncio.to_thread(rows, settings, "SELECT user_id FROM survey_answers")
    if keep:
        assert needs == [(None, None)]
        assert surveys == [(None,)]
    else:
        assert needs == []
        assert surveys == []
    assert await asyncio.to_thread(rows, settings, "SELECT * FROM participants") == []
