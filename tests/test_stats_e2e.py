"""/stats end to end: the overview, needs, the completion funnel with exact numbers, a
commissioner's own areas with small figures withheld, the event filter and bad options."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.context import SERVICES_KEY
from bot.simulator import SimulatorClient, SimUser
from tests.harness import (
    COMMISSIONER_ID,
    RunningBot,
    all_handled,
    answers_to,
    message_saying,
    rows,
    sign_up,
    voice_a_need,
)

USAGE = (
    "Use: /stats, or /stats followed by one of overview, needs, funnel or surveys, and "
    "event=CODE to count only that event's attendees. For example: /stats funnel, or "
    "/stats needs event=spring24"
)


pytestmark = pytest.mark.two_areas


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two areas with a commissioner each; figures of fewer than 2 people are withheld."""
    programme = settings.programme.model_copy(update={"min_group_size": 2})
    return settings.model_copy(update={"programme": programme})


async def need_until(user: SimUser, step: int) -> None:
    """Start voicing a need and stop when the form asks step ``step`` (of 6)."""
    await user.send("/menu")
    await message_saying(user, "What would you like to do?")
    await user.press("Voice a local need")
    await message_saying(user, "Step 1 of 6")
    if step >= 2:
        await user.press("Knowsley: Kirkby")
        await message_saying(user, "Step 2 of 6")
    if step >= 3:
        await user.send("Families have nowhere to meet after school")
        await message_saying(user, "Step 3 of 6")
    if step >= 4:
        await user.press("Families")
        await user.next_reply()
        await user.press("Done")
        await message_saying(user, "Step 4 of 6")


async def stop_signing_up(user: SimUser) -> None:
    """Agree to the notice, then stop at the first profile question."""
    await user.send("/start")
    await message_saying(user, "Are you happy to go ahead?")
    await user.press("I agree")
    await message_saying(user, "Step 1 of 4")


async def test_the_admin_sees_the_exact_funnel_of_each_form(
    sim: SimulatorClient, admin: SimUser, settings: Settings
) -> None:
    members = [sim.user(3000 + n, f"Member {n}") for n in range(4)]
    for member in members:
        await sign_up(member)
    await stop_signing_up(sim.user(3010, "Halfway"))
    await voice_a_need(
        members[0], "Families have nowhere to meet after school", place="Knowsley: Kirkby"
    )
    await need_until(members[1], 2)  # stops at "The need"
    await need_until(members[2], 4)  # both stop at "How you know"
    await need_until(members[3], 4)

    await admin.send("/stats funnel")
    intro = await message_saying(admin, "How far people get: every area")
    assert "Not started by anyone yet: Challenge 1, Challenge 2" in intro.text
    sign_ups = await message_saying(admin, "Sign-up")
    assert sign_ups.text.splitlines() == [
        "Sign-up",
        "Started: 5",
        "1. Name: 5",
        "2. Organisation: 4",
        "3. Sector: 4",
        "4. Area: 4",
        "Checked their answers: 4",
        "Sent: 4",
        "Most people who stop do so at 'Name' (1 of 1).",
    ]
    need = await message_saying(admin, "Voice a local need")
    assert need.text.splitlines() == [
        "Voice a local need",
        "Started: 4",
        "1. Where: 4",
        "2. The need: 4",
        "3. Who is affected: 3",
        "4. How you know: 3",
        "5. How urgent: 1",
        "6. Could your group help: 1",
        "Checked their answers: 1",
        "Sent: 1",
        "Most people who stop do so at 'How you know' (2 of 3).",
    ]
    assert need.labels() == ["Overview", "Needs", "Survey results"]
    # What the funnel counts is stored once per person and step, with the submission.
    assert rows(
        settings,
        "SELECT user_id, step_key FROM form_progress WHERE form = 'need' AND user_id = 3001"
        " ORDER BY step_key",
    ) == [(3001, "what"), (3001, "where")]
    assert rows(settings, "SELECT user_id FROM form_submissions WHERE form = 'need'") == [(3000,)]


async def test_a_commissioner_sees_their_areas_only_with_small_figures_withheld(
    sim: SimulatorClient, bot: RunningBot
) -> None:
    for n in range(2):
        await sign_up(sim.user(3100 + n, f"Knowsley {n}"))
    await sign_up(sim.user(3110, "Sol"), sector="Children's centre", area="St Helens")
    await voice_a_need(
        sim.user(3100, "Knowsley 0"),
        "Families have nowhere to meet at all",
        place="Knowsley: Kirkby",
    )
    commissioner = sim.user(COMMISSIONER_ID, "Chris")

    await commissioner.send("/stats")
    overview = await message_saying(commissioner, "Figures for Knowsley")
    lines = overview.text.splitlines()
    assert lines[:8] == [
        "Figures for Knowsley",
        "Signed up: 2",
        "",
        "By sector",
        "Voluntary or community group: 2",
        "",
        "By area",
        "Knowsley: 2",
    ]
    assert "St Helens" not in overview.text
    assert "Children's centre" not in overview.text
    assert "Needs voiced: 1" in lines
    assert 'a count of fewer than 2 people is shown as "fewer than 2"' in overview.text

    await commissioner.send("/stats funnel")
    intro = await message_saying(commissioner, "How far people get: Knowsley")
    assert "Sign-up is not shown" in intro.text
    need = await message_saying(commissioner, "Voice a local need")
    assert need.text.splitlines()[1:3] == ["Started: fewer than 2", "1. Where: fewer than 2"]
    assert "Sign-up\n" not in need.text

    await commissioner.send("/stats needs")
    needs = await message_saying(commissioner, "Needs: Knowsley")
    assert "Voiced: 1" in needs.text
    assert "New: 1" in needs.text
    assert "Medium: 1" in needs.text


async def test_a_member_is_refused(sim: SimulatorClient, member: SimUser) -> None:
    await sign_up(member)
    said = [m.text for m in await answers_to(member, "/stats funnel")]
    assert said == ["This command is for commissioners and programme admins."]


async def test_the_event_filter_counts_only_the_events_attendees(
    sim: SimulatorClient, bot: RunningBot, admin: SimUser
) -> None:
    for n in range(3):
        await sign_up(sim.user(3200 + n, f"Person {n}"))
    assert bot.application is not None
    core = bot.application.bot_data[SERVICES_KEY].core
    now = datetime.now(UTC)
    await core.events.create("spring", "Spring workshop", 1, now)
    for user_id in (3200, 3201):
        await core.events.attend("spring", user_id, now)

    await admin.send("/stats event=spring")
    overview = await message_saying(admin, "Figures for every area, people who came to Spring")
    assert "Signed up: 2" in overview.text.splitlines()
    assert "/stats needs event=spring" in overview.text  # the other sections keep the filter
    assert overview.labels() == []

    await admin.send("/stats funnel event=spring")
    sign_ups = await message_saying(admin, "Sign-up\nStarted")
    assert sign_ups.text.splitlines()[1] == "Started: 2"

    await admin.send("/stats event=nope")
    unknown = await message_saying(admin, "There is no event with the code nope.")
    assert unknown.text == f"There is no event with the code nope.\n\n{USAGE}"


@pytest.mark.parametrize(
    "command", ["/stats everything", "/stats needs funnel", "/stats event=", "/stats when=x"]
)
async def test_a_bad_option_is_answered_with_the_usage(admin: SimUser, command: str) -> None:
    await admin.send(command)
    answer = await message_saying(admin, "Use: /stats")
    assert answer.text == USAGE


async def test_forget_erases_how_far_someone_got(
    sim: SimulatorClient, member: SimUser, settings: Settings
) -> None:
    await sign_up(member)
    await need_until(member, 2)
    assert rows(settings, "SELECT COUNT(*) FROM form_progress") == [(7,)]
    await member.send("/forget")
    await message_saying(member, "Are you sure?")
    await member.answer_to(await member.press("Yes, erase my data"))
    await all_handled(settings, sim)
    assert rows(settings, "SELECT COUNT(*) FROM form_progress") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM form_submissions") == [(0,)]
