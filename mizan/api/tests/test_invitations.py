"""/api/v1/invitations/: create (never returns the link) and revoke; bad input creates nothing."""

from __future__ import annotations

import pytest

from mizan.core.models import Invitation
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(tenant, token_client):
    return token_client(tenant.members[Role.OWNER])


def test_create_invitation_sends_the_link_by_email_only(
    tenant, owner_api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            "/api/v1/invitations/", {"email": "New.Person@Example.com", "role": "sales"}, format="json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == ("new.person@example.com", "sales", "pending")
    assert body["invited_by_email"] == "alpha-owner@example.com"
    assert "token" not in body and "token_hash" not in body
    invitation = Invitation.objects.get(organization=tenant.org)
    assert invitation.email == "new.person@example.com"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    assert invitation.token_hash not in response.content.decode()
    listed = owner_api.get("/api/v1/invitations/").json()
    assert [row["id"] for row in listed["results"]] == [invitation.pk]


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"email": "alpha-sales@example.com", "role": "sales"}, "already_member", "email"),
        ({"email": "ALPHA-SALES@example.com", "role": "employee"}, "already_member", "email"),
        ({"email": "someone@example.com", "role": "emperor"}, "invalid_choice", "role"),
        ({"email": "not an e-mail", "role": "sales"}, "invalid", "email"),
        ({"email": "", "role": "sales"}, "blank", "email"),
        ({"role": "sales"}, "required", "email"),
        ({"email": ["a@example.com"], "role": "sales"}, "invalid", "email"),
    ],
)
def test_bad_invitation_creates_nothing(
    tenant, owner_api, mailoutbox, django_capture_on_commit_callbacks, payload, code, field
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post("/api/v1/invitations/", payload, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_second_pending_invitation_to_the_same_address_is_refused(tenant, owner_api):
    payload = {"email": "twice@example.com", "role": "employee"}
    assert owner_api.post("/api/v1/invitations/", payload, format="json").status_code == 201
    response = owner_api.post("/api/v1/invitations/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "already_invited"
    assert Invitation.objects.count() == 1


def test_admin_cannot_invite_an_owner(tenant, token_client):
    response = token_client(tenant.members[Role.ADMIN]).post(
        "/api/v1/invitations/", {"email": "boss@example.com", "role": "owner"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "owner_only"
    assert not Invitation.objects.exists()


def test_revoke_invitation(tenant, owner_api):
    created = owner_api.post("/api/v1/invitations/", {"email": "x@example.com", "role": "sales"}, format="json").json()
    response = owner_api.post(f"/api/v1/invitations/{created['id']}/revoke/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert Invitation.objects.get(pk=created["id"]).revoked_at is not None
    assert owner_api.get("/api/v1/invitations/").json()["count"] == 0
    again = owner_api.post(f"/api/v1/invitations/{created['id']}/revoke/")
    assert again.status_code == 400
    assert again.json()["code"] == "invitation_not_pending"


def test_revoke_unknown_invitation_is_404(owner_api):
    assert owner_api.post("/api/v1/invitations/424242/revoke/").status_code == 404
