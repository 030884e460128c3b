"""Security headers, password hashing, and no inline script or style on the account pages."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from conftest import client_for
from mizan.core.services.two_factor import two_factor_confirm, two_factor_setup_start
from mizan.core.tests.factories import make_user


def test_pages_carry_the_security_headers(db):
    response = Client().get(reverse("core:sign_in"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "img-src 'self' data:" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2(db):
    user = make_user("hash@example.com")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    "name",
    ["core:sign_in", "core:sign_up", "core:password_reset", "core:password_reset_sent", "core:password_reset_complete"],
)
def test_signed_out_pages_have_no_inline_script_or_style(db, name):
    html = Client().get(reverse(name)).content.decode()
    assert_no_inline_code(html)


@pytest.mark.parametrize("name", ["core:profile", "core:two_factor_setup"])
def test_signed_in_pages_have_no_inline_script_or_style(db, name):
    html = client_for(make_user()).get(reverse(name)).content.decode()
    assert_no_inline_code(html)


def test_recovery_codes_page_has_no_inline_code(db):
    user = make_user()
    two_factor_confirm(user=user, code=pyotp.TOTP(two_factor_setup_start(user=user)).now())
    client = client_for(user)
    assert_no_inline_code(client.get(reverse("core:recovery_codes")).content.decode())
    assert_no_inline_code(client.get(reverse("core:two_factor_disable")).content.decode())


def assert_no_inline_code(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, tag
