"""Password reset by e-mail: same answer for unknown e-mails, a link that works once."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mizan.core.models import User
from mizan.core.tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a-much-newer-passphrase-42"


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def request_reset(client: Client, email: str, capture):
    with capture(execute=True):
        return client.post(reverse("core:password_reset"), {"email": email})


def reset_path(user: User, token: str) -> str:
    return reverse(
        "core:password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token}
    )


def link_path(body: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def test_reset_link_works_once_and_lifts_the_lock_out(db, mailoutbox, django_capture_on_commit_callbacks):
    user = make_user("forgot@example.com", language="en", full_name="Forgetful Fatma")
    User.objects.filter(pk=user.pk).update(failed_sign_in_count=3, locked_until=timezone.now() + timedelta(minutes=9))
    client = english_client()
    response = request_reset(client, "FORGOT@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password_reset_sent")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["forgot@example.com"]
    assert message.subject == "Reset your Mizan password"
    assert "Hello Forgetful Fatma," in message.body
    assert "30 minutes" in message.body
    path = link_path(message.body)
    assert path in message.alternatives[0][0]

    # Django moves the token out of the URL into the session before showing the form.
    opened = client.get(path)
    assert opened.status_code == 302
    form_page = client.get(opened["Location"])
    assert form_page.context["validlink"] is True
    done = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("core:password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert (user.failed_sign_in_count, user.locked_until) == (0, None)
    signed_in = english_client().post(reverse("core:sign_in"), {"email": user.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302

    # The same link is dead now: the token hashed the old password.
    again = english_client().get(path, follow=True)
    assert again.context["validlink"] is False
    assert "This link no longer works" in again.content.decode()


def test_reset_email_is_in_the_users_language(db, mailoutbox, django_capture_on_commit_callbacks):
    make_user("arabic@example.com", language="ar")
    request_reset(english_client(), "arabic@example.com", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    html = mailoutbox[0].alternatives[0][0]
    assert 'lang="ar"' in html
    assert 'dir="rtl"' in html


def test_unknown_email_gets_the_same_answer_and_no_mail(db, mailoutbox, django_capture_on_commit_callbacks):
    make_user("real@example.com")
    known = request_reset(english_client(), "real@example.com", django_capture_on_commit_callbacks)
    unknown = request_reset(english_client(), "nobody@example.com", django_capture_on_commit_callbacks)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mailoutbox] == [["real@example.com"]]
    page = english_client().get(unknown["Location"])
    assert "If an account uses this e-mail" in page.content.decode()


def test_token_of_one_user_does_not_open_another_users_account(db):
    alice = make_user("alice-reset@example.com")
    bob = make_user("bob-reset@example.com")
    token = default_token_generator.make_token(alice)
    path = reset_path(bob, token)
    client = english_client()
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False
    set_password_path = reset_path(bob, "set-password")
    client.post(set_password_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_weak_new_password_is_refused(db):
    user = make_user("weak-reset@example.com")
    client = english_client()
    path = reset_path(user, default_token_generator.make_token(user))
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
