"""Browser tests: headless Chromium from Debian's package (installed by .ci/run), driven by Playwright."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.accounts.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
        yield context.new_page()
        browser.close()


def login(page, base: str, username: str) -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{base}/login")
    page.fill("input[name=identifier]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
