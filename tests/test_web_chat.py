"""The simulator's web chat in real headless Chromium: pick a persona, talk, press a button."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.simulator import BotApiEmulator
from tests.harness import RunningBot

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
