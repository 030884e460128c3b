"""Steps several browser tests share."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

PASSWORD = "browser-test-password-2026"


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Sign in through the sign-in page (the user's password is PASSWORD)."""
    page.goto(live_server.url + reverse("core:sign_in"))
    form = page.locator(f'form[action="{reverse("core:sign_in")}"]')
    form.locator('input[name="email"]').fill(user.email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: reverse("core:sign_in") not in url)


def pick(scope: Any, name: str, query: str, choice: str) -> None:
    """Choose `choice` in the type-ahead picker of the select `name` (core/js/picker.js): type
    `query` into its combobox, wait for the API's matches, click the one named `choice`."""
    wrapper = scope.locator(f'div:has(> select[name="{name}"][data-picker-ready])')
    combobox = wrapper.locator('input[role="combobox"]')
    combobox.fill(query)
    wrapper.locator("[role=option]", has_text=choice).first.click()
