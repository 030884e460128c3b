"""Two-factor sign-in: set-up with a real TOTP code, the second step, replay, recovery codes, enforcement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from conftest import client_for
from mizan.core.models import RecoveryCode, User
from mizan.core.roles import Role
from mizan.core.services.two_factor import (
    two_factor_confirm,
    two_factor_required_but_missing,
    two_factor_setup_start,
)
from mizan.core.tests.factories import PASSWORD, make_user

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def enrolled_user(email: str) -> tuple[User, list[str]]:
    """A user with two-factor on, enrolled at START (whose time-step is then spent)."""
    user = make_user(email)
    with freeze_time(START):
        secret = two_factor_setup_start(user=user)
        codes = two_factor_confirm(user=user, code=pyotp.TOTP(secret).now())
    return user, codes


def password_step(client: Client, email: str) -> None:
    response = client.post(reverse("core:sign_in"), {"email": email, "password": PASSWORD, "next": "/account/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:two_factor_verify")
    assert "_auth_user_id" not in client.session


def code_step(client: Client, code: str):
    return client.post(reverse("core:two_factor_verify"), {"code": code})


def test_full_setup_and_sign_in_flow_with_a_real_code(db):
    user = make_user("otp@example.com")
    client = client_for(user)
    with freeze_time(START):
        page = client.get(reverse("core:two_factor_setup"))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'src="data:image/svg+xml;base64,' in html
        user.refresh_from_db()
        secret = user.totp_secret
        assert len(secret) >= 16
        assert secret[:4] in html
        # Reloading keeps the same secret.
        client.get(reverse("core:two_factor_setup"))
        user.refresh_from_db()
        assert user.totp_secret == secret

        wrong = client.post(reverse("core:two_factor_setup"), {"code": "000000"})
        assert wrong.status_code == 200
        user.refresh_from_db()
        assert not user.has_two_factor

        done = client.post(reverse("core:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    for code in codes:
        assert code in done.content.decode()
    user.refresh_from_db()
    assert user.has_two_factor
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not set(codes) & set(stored)

    # Sign in again: the password alone is not enough, the code finishes it.
    client.post(reverse("core:sign_out"))
    signer = english_client()
    with freeze_time(START + timedelta(seconds=90)):
        password_step(signer, "otp@example.com")
        response = code_step(signer, pyotp.TOTP(secret).now())
        assert signer.session["_auth_user_id"] == str(user.pk)  # sessions expire relative to the frozen clock
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_replayed_code_is_refused(db):
    user, _codes = enrolled_user("replay@example.com")
    later = START + timedelta(minutes=5)
    code = pyotp.TOTP(user.totp_secret).at(later)
    first = english_client()
    with freeze_time(later):
        password_step(first, "replay@example.com")
        assert code_step(first, code).status_code == 302
    second = english_client()
    with freeze_time(later + timedelta(seconds=5)):
        password_step(second, "replay@example.com")
        response = code_step(second, code)
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_code_used_for_setup_cannot_sign_in(db):
    user, _codes = enrolled_user("setupcode@example.com")
    client = english_client()
    with freeze_time(START + timedelta(seconds=3)):
        password_step(client, "setupcode@example.com")
        response = code_step(client, pyotp.TOTP(user.totp_secret).at(START))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_recovery_code_works_once(db):
    user, codes = enrolled_user("recover@example.com")
    first = english_client()
    password_step(first, "recover@example.com")
    assert code_step(first, codes[0].upper()).status_code == 302
    assert first.session["_auth_user_id"] == str(user.pk)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1

    second = english_client()
    password_step(second, "recover@example.com")
    response = code_step(second, codes[0])
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_another_users_recovery_code_is_refused(db):
    _alice, alice_codes = enrolled_user("alice2fa@example.com")
    bob, _bob_codes = enrolled_user("bob2fa@example.com")
    client = english_client()
    password_step(client, "bob2fa@example.com")
    response = code_step(client, alice_codes[0])
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0
    bob.refresh_from_db()
    assert bob.failed_sign_in_count == 1


def test_wrong_codes_count_toward_lock_out(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user, _codes = enrolled_user("brute@example.com")
    client = english_client()
    password_step(client, "brute@example.com")
    assert code_step(client, "111111").status_code == 200
    response = code_step(client, "222222")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:sign_in")
    user.refresh_from_db()
    assert user.is_locked_out()
    # The half-finished sign-in is gone, and the right password is now refused too.
    assert client.get(reverse("core:two_factor_verify"))["Location"] == reverse("core:sign_in")
    refused = client.post(reverse("core:sign_in"), {"email": "brute@example.com", "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 0


def test_verify_page_without_password_step_goes_to_sign_in(db):
    response = english_client().get(reverse("core:two_factor_verify"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:sign_in")


def test_disable_requires_the_password(db):
    user, _codes = enrolled_user("disable@example.com")
    client = client_for(user)
    wrong = client.post(reverse("core:two_factor_disable"), {"password": "not-my-password"})
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.has_two_factor
    assert RecoveryCode.objects.filter(user=user).count() == 10

    right = client.post(reverse("core:two_factor_disable"), {"password": PASSWORD})
    assert right.status_code == 302
    user.refresh_from_db()
    assert not user.has_two_factor
    assert user.totp_secret == ""
    assert RecoveryCode.objects.filter(user=user).count() == 0


def test_regenerated_recovery_codes_replace_the_old_ones(db):
    user, old_codes = enrolled_user("regen@example.com")
    client = client_for(user)
    page = client.get(reverse("core:recovery_codes"))
    assert "10 of 10" in page.content.decode()
    refused = client.post(reverse("core:recovery_codes"), {"password": "wrong-password-x"})
    assert refused.context["codes"] is None
    response = client.post(reverse("core:recovery_codes"), {"password": PASSWORD})
    new_codes = response.context["codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)

    signer = english_client()
    password_step(signer, "regen@example.com")
    assert code_step(signer, old_codes[1]).status_code == 200
    assert code_step(signer, new_codes[1]).status_code == 302


def test_organization_requiring_two_factor_sends_members_to_setup(tenant):
    tenant.org.require_two_factor = True
    tenant.org.save(update_fields=["require_two_factor"])
    member = tenant.user(Role.SALES)
    assert two_factor_required_but_missing(member, tenant.org)
    response = client_for(member).get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:two_factor_setup")

    User.objects.filter(pk=member.pk).update(totp_secret=pyotp.random_base32(), totp_confirmed_at=START)
    member.refresh_from_db()
    assert not two_factor_required_but_missing(member, tenant.org)
    assert client_for(member).get(reverse("core:home")).status_code == 200


def test_organization_without_requirement_lets_members_in(tenant, other_tenant):
    other_tenant.org.require_two_factor = True
    other_tenant.org.save(update_fields=["require_two_factor"])
    response = client_for(tenant.user(Role.SALES)).get(reverse("core:home"))
    assert response.status_code == 200
    assert not two_factor_required_but_missing(tenant.user(Role.SALES), tenant.org)
