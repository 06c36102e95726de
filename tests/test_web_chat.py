"""The simulator's web chat in real headless Chromium: pick a persona, talk, press a button."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.context import SERVICES_KEY
from bot.reports.charts import VALUE_PX
from bot.simulator import BotApiEmulator
from tests.harness import ADMIN_ID, RunningBot

CHROMIUM = os.environ.get("COPRODUCE_CHROMIUM", "/usr/bin/chromium")
# This machine has no network but loopback: keep Chromium from reaching for Google.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 667}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    yield page
    await context.close()


async def test_a_person_talks_to_the_bot_and_presses_a_button(
    page: Page, emulator: BotApiEmulator, bot: RunningBot, tmp_path: Path
) -> None:
    await page.goto(emulator.url + "/")
    await page.select_option("#persona-select", label="Member · Maya")
    await expect(page.locator("#empty-note")).to_be_visible()

    await page.fill("#message-input", "/start")
    await page.click("#send-button")
    await expect(page.locator(".bubble.user").last).to_contain_text("/start")
    welcome = page.locator(".bubble.bot").filter(has_text="Welcome to the")
    await expect(welcome).to_be_visible()
    await expect(welcome.locator("strong").first).to_have_text(
        "Children's Centres and VCS co-production programme"
    )

    await page.locator(".inline-button", has_text="I agree").click()
    question = page.locator(".bubble.bot").last
    await expect(question).to_contain_text("What should we call you?")
    await question.locator(".inline-button", has_text="Use “Maya”").click()
    await expect(page.locator(".bubble.bot").last).to_contain_text(
        "Which group or organisation are you part of?"
    )
    await page.screenshot(path=tmp_path / "web-chat.png", full_page=True)

    # The page fits a phone: nothing wider than the screen.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


async def test_each_persona_has_its_own_chat(
    page: Page, emulator: BotApiEmulator, bot: RunningBot
) -> None:
    await page.goto(emulator.url + "/?persona=1003")
    await expect(page.locator("#persona-select")).to_have_value("1003")
    await page.fill("#message-input", "/help")
    await page.press("#message-input", "Enter")
    await expect(page.locator(".bubble.bot").last).to_contain_text("Here is what you can do")

    await page.select_option("#persona-select", label="Commissioner · Chris")
    await expect(page.locator("#empty-note")).to_be_visible()
    await expect(page.locator(".bubble")).to_have_count(0)


async def test_an_admin_reads_the_survey_report_at_phone_width(
    browser: Browser, emulator: BotApiEmulator, bot: RunningBot, tmp_path: Path
) -> None:
    assert bot.application is not None
    core = bot.application.bot_data[SERVICES_KEY].core
    now = datetime.now(UTC)
    for user_id in range(7001, 7007):  # six pairs, each a little more positive after
        await core.participants.record_consent(user_id, 1, now)
        profile = {"name": "P", "organisation": "G", "sector": "vcs", "area": "knowsley"}
        await core.participants.save_profile(user_id, profile, now)
        for wave, score in (("before", 2), ("after", 4)):
            scores = {item.key: score for item in core.settings.programme.survey.items}
            await core.surveys.save(
                user_id=user_id, wave=wave, sector="vcs", area="knowsley", scores=scores, now=now
            )
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(emulator.url + f"/?persona={ADMIN_ID}")
    await page.fill("#message-input", "/stats surveys")
    await page.press("#message-input", "Enter")

    report = page.locator(".bubble.bot").filter(has_text="felt more positive")
    await expect(report).to_contain_text(
        "VCS and local authority: 6 of 6 people (100%) felt more positive after the programme "
        "than before. Likely a real change."
    )
    await expect(report).not_to_contain_text("p =")
    chart = page.locator("img.photo").first
    await expect(chart).to_be_visible()
    await page.wait_for_function("document.querySelector('img.photo').naturalWidth > 0")
    shown, natural = await chart.evaluate(
        "img => [img.getBoundingClientRect().width, img.naturalWidth]"
    )
    text_px = await report.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
    await page.screenshot(path=tmp_path / "report-on-a-phone.png", full_page=True)
    assert text_px >= 14
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    # The chart's smallest text, at the size the phone's chat bubble shows it.
    assert VALUE_PX * 390 / natural >= 12  # shown the phone's full width
    in_bubble = VALUE_PX * shown / natural
    assert in_bubble >= 11, (in_bubble, shown)  # in the web chat's narrower photo bubble
    assert shown >= 0.7 * 390, shown
    await context.close()


async def test_an_invite_link_opens_as_another_persona(
    page: Page, emulator: BotApiEmulator, bot: RunningBot
) -> None:
    """A t.me link has nowhere to go in the demo: its button switches to another person and
    sends what tapping it in Telegram would (/start with the payload)."""
    await page.goto(emulator.url + "/")
    await page.select_option("#persona-select", label="Admin · Alex")
    await page.fill("#message-input", "/invite commissioner knowsley")
    await page.click("#send-button")
    invite = page.locator(".bubble.bot").filter(has_text="Invite for a commissioner")
    await expect(invite).to_be_visible()
    await invite.get_by_role("button", name="Open the link as Maya").click()
    await expect(page.locator("#persona-select")).to_have_value("1001")
    await expect(page.locator(".bubble.user").last).to_contain_text("/start inv_")
    welcome = page.locator(".bubble.bot").filter(has_text="Welcome, Maya")
    await expect(welcome).to_contain_text("commissioner for Knowsley")
