"""The confidence surveys through the real bot: 40 participants (the seed's workshop size)
answer before and after, and /stats surveys reports the seed's own kind of figure."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.context import SERVICES_KEY
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    ADMIN_ID,
    COMMISSIONER_ID,
    SURVEY_BUTTON,
    RunningBot,
    answers_to,
    message_saying,
    rows,
    sign_up,
    take_survey,
)


async def test_one_member_takes_both_waves(
    member: SimUser, sim: SimulatorClient, settings: Settings
) -> None:
    menu = await sign_up(member)
    assert menu.labels()[0] == SURVEY_BUTTON  # offered right after onboarding
    thanks = await take_survey(member, 2)
    assert thanks.startswith("Thank you. We'll ask you the same questions again later")

    await member.send("/menu")
    await message_saying(member, "What would you like to do?")
    await member.press("Confidence survey")
    # A finished before survey is never restarted at one tap: the person is asked first,
    # and told what would happen to their earlier answers.
    retake = await message_saying(member, "You answered the before survey on")
    assert "your new answers replace those ones: the earlier answers are not kept" in retake.text
    assert retake.text.endswith("Would you like to answer it again?")
    assert retake.labels() == ["Answer again", "Keep my earlier answers"]
    await member.press("Keep my earlier answers")
    await message_saying(member, "your earlier answers are kept")
    await message_saying(member, "What would you like to do?")
    assert rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]

    await member.press("Confidence survey")
    await message_saying(member, "You answered the before survey on")
    await member.press("Answer again")
    await message_saying(member, "5 quick questions")
    await message_saying(member, "Step 1 of 5")
    await member.send("/cancel")
    await message_saying(member, "Cancelled: nothing you answered in Confidence survey was saved.")
    await message_saying(member, "What would you like to do?")

    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/wave after open")
    opened = await message_saying(admin, "After survey: open for everyone.")
    assert opened.text == (
        "Before survey: open.\nAfter survey: open for everyone.\n1 person was invited to take it."
    )
    invitation = await message_saying(member, "It's time for the after survey")
    assert invitation.labels() == ["Take the survey"]
    said = [m.text for m in await answers_to(member, "/wave after close")]
    assert said == ["This command is for programme admins."]
    thanks = await take_survey(member, 4)
    assert thanks == "Thank you: that's the programme's after survey done."

    # One pair is too few to show a commissioner: disclosure control withholds it.
    commissioner = sim.user(COMMISSIONER_ID, "Chris")
    await commissioner.send("/stats surveys")
    withheld = await message_saying(commissioner, "Before and after surveys", timeout=15)
    assert (
        "VCS and local authority: fewer than 5 people have answered both surveys" in withheld.text
    )
    assert "100%" not in withheld.text
    await admin.send("/stats surveys")
    exact = await message_saying(admin, "Before and after surveys", timeout=15)
    assert (
        "VCS and local authority: 1 of 1 person (100%) felt more positive after the programme "
        "than before. Too few people to tell if this is a real change." in exact.text
    )
    assert "p =" not in exact.text
    assert not exact.has_photo
    # One group is drawn for the admin.
    chart = await message_saying(admin, lambda m: m.has_photo, timeout=15)
    assert chart.text.startswith("VCS and local authority: average answer")
    with sqlite3.connect(settings.storage.path) as connection:
        stored = connection.execute(
            "SELECT wave, sector, area, scores FROM survey_answers ORDER BY wave"
        ).fetchall()
    assert stored == [
        (
            "after",
            "vcs",
            "knowsley",
            '{"voice_need": 4, "understand_commissioning": 4, '
            '"capacity_to_deliver": 4, "partners_together": 4, "positive_about_challenges": 4}',
        ),
        (
            "before",
            "vcs",
            "knowsley",
            '{"voice_need": 2, "understand_commissioning": 2, '
            '"capacity_to_deliver": 2, "partners_together": 2, "positive_about_challenges": 2}',
        ),
    ]


# About 1,300 Bot API calls, paced by the rate limiter at Telegram's 30 a second.
@pytest.mark.timeout(240)
async def test_forty_participants_give_the_seeds_58_and_64_percent(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    assert bot.application is not None
    core = bot.application.bot_data[SERVICES_KEY].core
    now = datetime.now(UTC)
    # (sector, how many, how many more positive after, how many only answer "before")
    cohort = [
        ("vcs", 16, 9, 0),
        ("local_authority", 8, 5, 0),
        ("childrens_centre", 11, 7, 0),
        ("vcs", 3, 0, 3),
        ("childrens_centre", 2, 0, 2),
    ]
    people: list[tuple[SimUser, bool, bool]] = []
    user_id = 5000
    for sector, count, better, before_only in cohort:
        for n in range(count):
            user_id += 1
            await core.participants.record_consent(user_id, 1, now)
            await core.participants.save_profile(
                user_id,
                {
                    "name": f"P{user_id}",
                    "organisation": "Group",
                    "sector": sector,
                    "area": "knowsley",
                },
                now,
            )
            people.append((sim.user(user_id, f"P{user_id}"), n < better, n < before_only))
    assert len(people) == 40

    for user, _, _ in people:
        await take_survey(user, 3)
    admin = sim.user(ADMIN_ID, "Alex")
    await admin.send("/wave after open")
    await message_saying(admin, "After survey: open for everyone.")
    for index, (user, better, before_only) in enumerate(people):
        if not before_only:
            # Not more positive: some the same, some less positive.
            await take_survey(user, 4 if better else (3 if index % 2 else 2))

    await admin.send("/stats surveys")
    report = await message_saying(admin, "Before and after surveys", timeout=15)
    assert (
        "VCS and local authority: 14 of 24 people (58%) felt more positive after the programme "
        "than before." in report.text
    )
    assert "Children's centres: 7 of 11 people (64%) felt more positive" in report.text
    assert "3 people answered only the before survey" in report.text
    assert "sign test" not in report.text
    assert "mean change" not in report.text
    charts = [await message_saying(admin, lambda m: m.has_photo, timeout=15) for _ in range(2)]
    assert sorted(chart.text.split(":")[0] for chart in charts) == [
        "Children's centres",
        "VCS and local authority",
    ]
    assert "2 people answered only the before survey" in report.text

    commissioner = sim.user(COMMISSIONER_ID, "Chris")
    await commissioner.send("/stats surveys")
    seen = await message_saying(commissioner, "Before and after surveys", timeout=15)
    assert "VCS and local authority: 14 of 24 people (58%)" in seen.text

    member, _, _ = people[0]
    said = [m.text for m in await answers_to(member, "/stats surveys")]
    assert said == ["This command is for commissioners and programme admins."]
