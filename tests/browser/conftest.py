"""Headless Chromium (Debian's package) driven by Playwright, for the pages people use."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are
# ordinary synchronous test code, not async views.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TEMIS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent.parent / "test-artifacts" / "screenshots"
# Without these, Chromium keeps trying to reach Google services, which this network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required for the browser tests: {CHROMIUM} is missing (make system-deps)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # A Vietnamese teacher's browser: the site answers in Vietnamese until the user switches.
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name, of_page=None):
        path = ARTIFACTS / f"{name}-{os.environ.get('TEMIS_DB', 'sqlite')}.png"
        (of_page or page).screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, live_server, username, password="demo-password", start="/temis/"):
    """Open ``start``, which sends an anonymous visitor to the sign-in page, sign in and land back there."""
    page.goto(f"{live_server.url}{start}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"**{start}")
