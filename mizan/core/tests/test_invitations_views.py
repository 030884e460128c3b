"""Invitation pages: invite, withdraw, and the accept page signed in and signed out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.middleware import ORGANIZATION_SESSION_KEY
from mizan.core.models import Invitation, Membership, Notification, User
from mizan.core.roles import Role
from mizan.core.services.invitations import invitation_create
from mizan.core.tests.factories import make_user

NEW_EMAIL = "nour@example.com"
PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def invite(tenant, email=NEW_EMAIL, role=Role.SALES):
    return invitation_create(org=tenant.org, actor_membership=tenant.members[Role.OWNER], email=email, role=role)


def accept_url(raw: str) -> str:
    return reverse("core:invitation_accept", kwargs={"token": raw})


# --- invite and withdraw ---------------------------------------------------------------------------------


def test_invite_page_sends_an_email_with_a_working_link(
    tenant, owner_client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://mizan.example"
    assert owner_client.get(reverse("core:invitation_create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("core:invitation_create"), {"email": NEW_EMAIL, "role": Role.SALES})
    assert response.status_code == 302
    assert Invitation.objects.get().email == NEW_EMAIL
    assert len(mailoutbox) == 1
    link = re.search(r"https://mizan\.example(/invitations/accept/[\w-]+/)", mailoutbox[0].body).group(1)
    # The link opens the accept page, which names the organization.
    page = Client().get(link)
    assert page.status_code == 200
    assert "شركة alpha" in page.content.decode()


def test_invite_refuses_existing_member_on_the_email_field(tenant, owner_client, mailoutbox):
    response = owner_client.post(
        reverse("core:invitation_create"), {"email": tenant.user(Role.SALES).email, "role": Role.SALES}
    )
    assert response.status_code == 400
    assert "This person is already a member of the organization." in response.content.decode()
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_admin_is_not_offered_the_owner_role(tenant):
    client = client_for(tenant.user(Role.ADMIN))
    content = client.get(reverse("core:invitation_create")).content.decode()
    assert 'value="sales"' in content
    assert 'value="owner"' not in content
    response = client.post(reverse("core:invitation_create"), {"email": NEW_EMAIL, "role": Role.OWNER})
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.EMPLOYEE])
def test_invite_forbidden_without_members_manage(tenant, role):
    client = client_for(tenant.user(role))
    assert client.get(reverse("core:invitation_create")).status_code == 403
    response = client.post(reverse("core:invitation_create"), {"email": NEW_EMAIL, "role": Role.SALES})
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_withdraw_through_the_page(tenant, owner_client):
    invitation, _raw = invite(tenant)
    response = owner_client.post(reverse("core:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_withdraw_another_organizations_invitation_is_404(tenant, other_tenant, owner_client):
    foreign, _raw = invitation_create(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.OWNER], email=NEW_EMAIL, role=Role.SALES
    )
    response = owner_client.post(reverse("core:invitation_revoke", args=[foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_withdraw_forbidden_for_sales(tenant):
    invitation, _raw = invite(tenant)
    response = client_for(tenant.user(Role.SALES)).post(reverse("core:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- accept, signed in -------------------------------------------------------------------------------------


def test_signed_in_invitee_accepts(tenant):
    _invitation, raw = invite(tenant)
    user = make_user(NEW_EMAIL, full_name="Nour Hassan")
    client = client_for(user)
    page = client.get(accept_url(raw))
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    response = client.post(accept_url(raw))
    assert response.status_code == 302
    membership = Membership.objects.get(organization=tenant.org, user=user)
    assert membership.role == Role.SALES
    assert client.session[ORGANIZATION_SESSION_KEY] == tenant.org.pk
    assert Notification.objects.filter(user=tenant.owner, organization=tenant.org).count() == 1
    assert "Nour Hassan" in Notification.objects.get(user=tenant.owner).message


def test_signed_in_with_another_email_cannot_accept(tenant):
    invitation, raw = invite(tenant)
    client = client_for(make_user("someone.else@example.com"))
    page = client.get(accept_url(raw))
    assert page.status_code == 200
    assert "but you are signed in as someone.else@example.com" in page.content.decode()
    client.post(accept_url(raw))
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__email="someone.else@example.com").exists()


# --- accept, signed out ------------------------------------------------------------------------------------


def test_signed_out_page_offers_sign_in_and_sign_up(tenant, english):
    _invitation, raw = invite(tenant)
    response = Client().get(accept_url(raw))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Join Alpha Co" in content
    assert reverse("core:sign_in") + "?next=" + accept_url(raw) in content
    assert 'name="full_name"' in content
    assert f'value="{NEW_EMAIL}" readonly' in content


def test_signed_out_page_with_existing_account_offers_only_sign_in(tenant):
    _invitation, raw = invite(tenant)
    make_user(NEW_EMAIL)
    content = Client().get(accept_url(raw)).content.decode()
    assert 'name="full_name"' not in content
    assert reverse("core:sign_in") in content


def test_sign_up_on_the_accept_page_creates_user_and_membership(tenant):
    _invitation, raw = invite(tenant)
    client = Client()
    response = client.post(
        accept_url(raw), {"full_name": "Nour Hassan", "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name == "Nour Hassan"
    assert Membership.objects.get(user=user).organization == tenant.org
    # Signed in, inside the organization.
    assert client.get(reverse("core:member_list")).status_code == 200


def test_sign_up_with_mismatched_or_weak_password_creates_nothing(tenant):
    _invitation, raw = invite(tenant)
    client = Client()
    response = client.post(accept_url(raw), {"full_name": "Nour", "password": PASSWORD, "password_confirm": "x"})
    assert response.status_code == 400
    response = client.post(accept_url(raw), {"full_name": "Nour", "password": "123", "password_confirm": "123"})
    assert response.status_code == 400
    assert not User.objects.filter(email=NEW_EMAIL).exists()


# --- unusable links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, 410, "This invitation has expired."),
        ({"accepted_at": timezone.now()}, 410, "This invitation has already been used."),
        ({"revoked_at": timezone.now()}, 410, "This invitation was withdrawn by the organization."),
    ],
)
def test_unusable_invitation_shows_a_clear_page_and_creates_nothing(tenant, english, change, status, text):
    invitation, raw = invite(tenant)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    users, memberships = User.objects.count(), Membership.objects.count()
    signed_out = Client()
    assert text in signed_out.get(accept_url(raw)).content.decode()
    response = signed_out.post(
        accept_url(raw), {"full_name": "Nour", "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.status_code == status
    assert text in response.content.decode()
    invitee = make_user(NEW_EMAIL)
    response = client_for(invitee).post(accept_url(raw))
    assert response.status_code == status
    assert (User.objects.count(), Membership.objects.count()) == (users + 1, memberships)


def test_reused_link_after_acceptance_creates_nothing(tenant, english):
    _invitation, raw = invite(tenant)
    Client().post(accept_url(raw), {"full_name": "Nour", "password": PASSWORD, "password_confirm": PASSWORD})
    memberships = Membership.objects.count()
    response = Client().post(
        accept_url(raw), {"full_name": "Again", "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert Membership.objects.count() == memberships
    assert User.objects.filter(email=NEW_EMAIL).count() == 1


def test_unknown_token_is_404_page(db, english):
    response = Client().get(accept_url("no-such-token"))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()
