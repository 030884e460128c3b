"""Playwright driving Debian's headless Chromium against pytest-django's live server.

Never downloads a browser: /usr/bin/chromium (apt-get install chromium) or the tests skip.
The live server serves static files through Django's finders (node_modules included), so no
collectstatic is needed. Every test here is marked `browser` and runs in one xdist group.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("MIZAN_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def _skip_reason() -> str | None:
    if os.environ.get("MIZAN_SKIP_BROWSER") == "1":
        return "MIZAN_SKIP_BROWSER=1"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; Django would then refuse the
    # test's own (synchronous) database calls without this.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on("console", lambda message: _record_console_error(errors, message))
    page.on("response", lambda response: _record_failed_response(errors, response))
    page.console_errors = errors
    yield page
    context.close()


def _record_console_error(errors: list[str], message) -> None:
    # Failed loads are reported by _record_failed_response, with their address.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(f"console: {message.text}")


def _record_failed_response(errors: list[str], response) -> None:
    # Browsers ask for /favicon.ico on their own; the pages never link it.
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        errors.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
