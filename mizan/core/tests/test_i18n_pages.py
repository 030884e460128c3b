"""Pages carry the reader's language and direction, and the shell ships no inline code."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.core.services.notifications import notification_create


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_home_has_language_and_direction(tenant, language, direction):
    tenant.owner.language = language
    tenant.owner.save()
    response = client_for(tenant.owner).get(reverse("core:home"))
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()
    assert response["Content-Language"] == language


class InlineCodeFinder(HTMLParser):
    """Collects <script> without src, <style> elements and style=/on*= attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        self.problems.extend(f"{name}= on <{tag}>" for name in names if name.startswith("on"))


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_inline_code_finder_detects_violations():
    html = '<script>alert(1)</script><div style="x" onclick="y"></div><style>p{}</style><script src="a.js"></script>'
    assert inline_code(html) == ["inline <script>", "style= on <div>", "onclick= on <div>", "<style> element"]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_shell_pages_have_no_inline_script_or_style(tenant, language):
    tenant.owner.language = language
    tenant.owner.save()
    notification_create(org=tenant.org, user=tenant.owner, message="Hello", url="/members/")
    client = client_for(tenant.owner)
    for url in (
        reverse("core:home"),
        reverse("core:search") + "?q=alpha",
        reverse("core:notification_list"),
        "/no-such-page/",
    ):
        response = client.get(url)
        assert inline_code(response.content.decode()) == [], url
