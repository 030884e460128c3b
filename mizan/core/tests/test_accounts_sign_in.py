"""Sign-in, lock-out, safe redirects and sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.models import User
from mizan.core.services.accounts import sign_in_failure_record
from mizan.core.tests.factories import PASSWORD, make_user

WRONG = "The e-mail or password is not correct."
LOCKED = "Too many failed sign-in attempts."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client: Client, email: str, password: str, **extra: str):
    return client.post(reverse("core:sign_in"), {"email": email, "password": password, **extra})


def test_sign_in_page_renders_with_language_switch(db):
    response = english_client().get(reverse("core:sign_in"))
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'href="/sign-up/"' in response.content


def test_sign_in_success_rotates_session_and_uses_the_users_language(db):
    user = make_user("sam@example.com", language="ar")
    User.objects.filter(pk=user.pk).update(failed_sign_in_count=2)
    client = english_client()
    client.get(reverse("core:sign_in"))
    client.session.save()
    key_before = client.session.session_key
    response = sign_in(client, "  SAM@Example.COM ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != key_before
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    user.refresh_from_db()
    assert user.failed_sign_in_count == 0
    assert user.last_login is not None


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/account/", "/account/"), ("https://evil.example/steal", "/"), ("//evil.example/", "/")],
)
def test_sign_in_follows_only_same_site_next(db, next_url, expected):
    make_user("next@example.com")
    response = sign_in(english_client(), "next@example.com", PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_wrong_password_and_unknown_email_get_the_same_answer(db):
    user = make_user("known@example.com")
    wrong_password = sign_in(english_client(), "known@example.com", "not-the-password")
    unknown_email = sign_in(english_client(), "nobody@example.com", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert WRONG in wrong_password.content.decode()
    assert WRONG in unknown_email.content.decode()
    assert wrong_password.context["form"].errors == unknown_email.context["form"].errors
    user.refresh_from_db()
    assert user.failed_sign_in_count == 1


def test_inactive_user_cannot_sign_in(db):
    make_user("gone@example.com", is_active=False)
    client = english_client()
    response = sign_in(client, "gone@example.com", PASSWORD)
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_out_after_limit_then_unlock_when_time_passes(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    user = make_user("lock@example.com")
    client = english_client()
    for _attempt in range(2):
        assert WRONG in sign_in(client, "lock@example.com", "bad-password-1").content.decode()
    third = sign_in(client, "lock@example.com", "bad-password-1")
    assert LOCKED in third.content.decode()
    user.refresh_from_db()
    assert user.is_locked_out()
    assert user.locked_until > timezone.now() + timedelta(minutes=14)

    # Even the right password is refused while locked, and nobody is signed in.
    locked = sign_in(client, "lock@example.com", PASSWORD)
    assert locked.status_code == 200
    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # Fifteen minutes later the right password works and the counter starts again.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    response = sign_in(client, "lock@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert (user.failed_sign_in_count, user.locked_until) == (0, None)


def test_unknown_email_gets_the_same_lock_out_answer(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    client = english_client()
    assert WRONG in sign_in(client, "ghost@example.com", "whatever-password").content.decode()
    assert LOCKED in sign_in(client, "ghost@example.com", "whatever-password").content.decode()
    assert LOCKED in sign_in(client, "ghost@example.com", "whatever-password").content.decode()
    assert User.objects.count() == 0


def test_failure_counter_is_counted_in_the_database_not_in_memory(db):
    user = make_user("race@example.com")
    first_process_copy = User.objects.get(pk=user.pk)
    second_process_copy = User.objects.get(pk=user.pk)
    sign_in_failure_record(user=first_process_copy)
    sign_in_failure_record(user=second_process_copy)
    user.refresh_from_db()
    assert user.failed_sign_in_count == 2


def test_signed_in_user_visiting_sign_in_goes_home(db):
    client = client_for(make_user("already@example.com"))
    response = client.get(reverse("core:sign_in"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_sign_out_requires_post(db):
    user = make_user("out@example.com")
    client = client_for(user)
    response = client.get(reverse("core:sign_out"))
    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("core:sign_out"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:sign_in")
    assert "_auth_user_id" not in client.session


def test_sign_out_is_csrf_protected(db):
    user = make_user("csrf@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("core:sign_out"))
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(user.pk)
