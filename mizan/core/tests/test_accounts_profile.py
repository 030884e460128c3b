"""The profile page: name, language (applied at once), password change, two-factor status."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import client_for
from mizan.core.models import User
from mizan.core.tests.factories import PASSWORD, make_user

NEW_PASSWORD = "another-long-passphrase-7"


def test_profile_requires_sign_in(db):
    response = client_for(make_user()).get(reverse("core:profile"))
    assert response.status_code == 200
    anonymous = Client().get(reverse("core:profile"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("core:sign_in"))


def test_profile_shows_two_factor_status(db):
    user = make_user("status@example.com")
    html = client_for(user).get(reverse("core:profile")).content.decode()
    assert reverse("core:two_factor_setup") in html
    assert reverse("core:two_factor_disable") not in html
    assert "status@example.com" in html


def test_language_change_switches_the_interface_at_once(db):
    user = make_user("lang@example.com", language="en")
    client = client_for(user)
    assert 'lang="en" dir="ltr"' in client.get(reverse("core:profile")).content.decode()
    response = client.post(reverse("core:profile"), {"action": "profile", "full_name": "Layla", "language": "ar"})
    assert response.status_code == 302
    assert response.cookies["mizan_language"].value == "ar"
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Layla", "ar")
    page = client.get(reverse("core:profile"))
    assert page["Content-Language"] == "ar"
    assert 'lang="ar" dir="rtl"' in page.content.decode()


def test_invalid_language_changes_nothing(db):
    user = make_user("badlang@example.com", language="en", full_name="Kept")
    response = client_for(user).post(reverse("core:profile"), {"action": "profile", "full_name": "X", "language": "fr"})
    assert response.status_code == 200
    assert "language" in response.context["profile_form"].errors
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Kept", "en")


def test_password_change_needs_the_old_password_and_keeps_the_session(db):
    user = make_user("change@example.com")
    client = client_for(user)
    data = {"action": "password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = client.post(reverse("core:profile"), {**data, "old_password": "not-the-old-one"})
    assert wrong.status_code == 200
    assert "old_password" in wrong.context["password_form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    right = client.post(reverse("core:profile"), {**data, "old_password": PASSWORD})
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in after the password changed (the session hash was updated).
    assert client.get(reverse("core:profile")).status_code == 200


def test_password_change_refuses_a_weak_password(db):
    user = make_user("weakchange@example.com")
    response = client_for(user).post(
        reverse("core:profile"),
        {"action": "password", "old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    assert response.context["password_form"].errors["new_password2"]
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
