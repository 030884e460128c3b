"""Sign-up: one form creates the user and the organization together, or nothing at all."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization, User
from mizan.core.roles import Role
from mizan.core.services.accounts import user_sign_up
from mizan.core.tests.factories import make_user

GOOD = {
    "full_name": "Nour Hassan",
    "email": "Nour@Example.com",
    "password": "quiet-river-lantern-88",
    "password_confirm": "quiet-river-lantern-88",
    "name_ar": "شركة نور",
    "name_en": "Nour Studio",
    "country": "SA",
    "base_currency": "",
    "timezone": "",
}


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Organization.objects.count(), Membership.objects.count()


def test_sign_up_creates_user_and_organization_and_signs_in(db):
    client = english_client()
    assert client.get(reverse("core:sign_up")).status_code == 200
    response = client.post(reverse("core:sign_up"), GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user = User.objects.get()
    assert (user.email, user.full_name, user.language) == ("nour@example.com", "Nour Hassan", "en")
    org = Organization.objects.get()
    assert (org.name_ar, org.name_en, org.base_currency, org.timezone) == (
        "شركة نور",
        "Nour Studio",
        "SAR",
        "Asia/Riyadh",
    )
    assert Membership.objects.get(organization=org, user=user).role == Role.OWNER
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("core:home")).status_code == 200


def test_country_defaults_win_over_currency_and_timezone_fields(db):
    english_client().post(
        reverse("core:sign_up"), {**GOOD, "country": "EG", "base_currency": "USD", "timezone": "Europe/Paris"}
    )
    org = Organization.objects.get()
    assert (org.base_currency, org.timezone) == ("EGP", "Africa/Cairo")


def test_other_country_uses_the_given_currency_and_timezone(db):
    response = english_client().post(
        reverse("core:sign_up"), {**GOOD, "country": "OTHER", "base_currency": "KWD", "timezone": "Asia/Kuwait"}
    )
    assert response.status_code == 302
    org = Organization.objects.get()
    assert (org.country, org.base_currency, org.timezone) == ("OTHER", "KWD", "Asia/Kuwait")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"country": "OTHER"}, "base_currency", "Choose the base currency for this country."),
        ({"country": "OTHER", "base_currency": "USD"}, "timezone", "Choose the time zone for this country."),
        ({"password": "12345", "password_confirm": "12345"}, "password", "too short"),
        ({"password": "password123", "password_confirm": "password123"}, "password", "too common"),
        ({"password_confirm": "something-else-entirely"}, "password_confirm", "do not match"),
        ({"name_ar": "", "name_en": ""}, "name_ar", "in Arabic or in English"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_bad_input_creates_nothing(db, changes, field, message):
    before = counts()
    response = english_client().post(reverse("core:sign_up"), {**GOOD, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert counts() == before


def test_email_already_used_creates_nothing(db):
    make_user("nour@example.com")
    before = counts()
    response = english_client().post(reverse("core:sign_up"), GOOD)
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert counts() == before
    assert "_auth_user_id" not in response.client.session


def test_organization_failure_rolls_back_the_user(db):
    with pytest.raises(DomainError) as error:
        user_sign_up(
            full_name="Rollback",
            email="rollback@example.com",
            password="quiet-river-lantern-88",
            language="ar",
            name_en="Acme",
            country="OTHER",
            timezone_name="Not/AZone",
            base_currency="USD",
        )
    assert error.value.field == "timezone"
    assert counts() == (0, 0, 0)
