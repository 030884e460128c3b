"""In a real browser: sign in, switch the shell to Arabic (right-to-left) and back to English."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from mizan.browser_tests.helpers import PASSWORD, sign_in
from mizan.core.models import User
from mizan.core.services.organizations import organization_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_user() -> User:
    """A demo-like owner of a Saudi organization, who starts in English."""
    user = User.objects.create_user(
        email="owner@browser.mizan.local", password=PASSWORD, full_name="Abdullah Al-Harbi", language="en"
    )
    organization_create(owner=user, name_ar="شركة ميزان للاستشارات", name_en="Mizan Consulting", country="SA")
    return user


def _switch_language(page, code: str) -> None:
    """Use the shell's own language switch, opening its menu first when it is folded away."""
    form = page.locator(f'form[action="{reverse("core:language_switch")}"]').filter(
        has=page.locator(f'button[name="language"][value="{code}"]')
    )
    button = form.first.locator(f'button[name="language"][value="{code}"]')
    if not button.is_visible():
        toggle = form.first.locator("xpath=ancestor::*[contains(@class, 'dropdown')][1]").locator(
            '[data-bs-toggle="dropdown"]'
        )
        toggle.first.click()
    with page.expect_navigation():
        button.click()


def _assert_shell(page, *, language: str, direction: str) -> None:
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == direction
    sidebar = page.locator("#sidebar")
    assert sidebar.count() == 1
    links = sidebar.locator("a[href]")
    assert links.count() >= 1
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert reverse("core:home") in hrefs
    # The stylesheet for the direction really loaded (served from node_modules via static).
    bootstrap = "bootstrap.rtl.min.css" if direction == "rtl" else "bootstrap.min.css"
    assert page.locator(f'link[rel="stylesheet"][href$="{bootstrap}"]').count() == 1
    assert page.evaluate("() => getComputedStyle(document.body).direction") == direction


def test_shell_switches_to_arabic_right_to_left_and_back(page, live_server, demo_user: User, artifacts: Path) -> None:
    sign_in(page, live_server, demo_user)
    page.goto(live_server.url + reverse("core:home"))
    _assert_shell(page, language="en", direction="ltr")
    page.screenshot(path=str(artifacts / "shell-en.png"), full_page=True)

    _switch_language(page, "ar")

    _assert_shell(page, language="ar", direction="rtl")
    page.screenshot(path=str(artifacts / "shell-ar.png"), full_page=True)
    demo_user.refresh_from_db()
    assert demo_user.language == "ar"

    _switch_language(page, "en")

    _assert_shell(page, language="en", direction="ltr")
    assert page.console_errors == []


def test_signed_out_visitor_lands_on_a_clean_sign_in_page(page, live_server, artifacts: Path) -> None:
    page.goto(live_server.url + reverse("core:home"))

    assert reverse("core:sign_in") in page.url
    assert page.locator('input[name="email"]').is_visible()
    page.screenshot(path=str(artifacts / "sign-in.png"), full_page=True)
    # Content-Security-Policy violations and script errors are console errors.
    assert page.console_errors == []
