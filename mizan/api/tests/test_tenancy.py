"""A token of organization A never reaches organization B: B's ids answer 404 and nothing changes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mizan.core.models import ApiToken, AuditEntry, Invitation, Membership
from mizan.core.roles import Role
from mizan.core.services.api_tokens import api_token_create
from mizan.core.services.invitations import invitation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(tenant, token_client):
    return token_client(tenant.members[Role.OWNER])


def test_member_list_shows_only_the_tokens_organization(tenant, other_tenant, client_a):
    rows = client_a.get("/api/v1/members/?page_size=100").json()["results"]
    assert {row["email"] for row in rows} == {m.user.email for m in tenant.members.values()}


def test_other_organizations_member_is_404_and_unchanged(tenant, other_tenant, client_a):
    member_b = other_tenant.members[Role.SALES]
    audit_before = AuditEntry.objects.count()
    assert client_a.get(f"/api/v1/members/{member_b.pk}/").status_code == 404
    assert client_a.patch(f"/api/v1/members/{member_b.pk}/", {"role": "admin"}, format="json").status_code == 404
    assert client_a.post(f"/api/v1/members/{member_b.pk}/deactivate/").status_code == 404
    member_b.refresh_from_db()
    assert (member_b.role, member_b.is_active) == (Role.SALES, True)
    assert AuditEntry.objects.count() == audit_before


def test_other_organizations_invitation_is_404_and_unchanged(tenant, other_tenant, client_a):
    invitation_b, _raw = invitation_create(
        org=other_tenant.org,
        actor_membership=other_tenant.members[Role.OWNER],
        email="guest@example.com",
        role=Role.EMPLOYEE,
    )
    assert client_a.get("/api/v1/invitations/").json()["count"] == 0
    assert client_a.post(f"/api/v1/invitations/{invitation_b.pk}/revoke/").status_code == 404
    invitation_b.refresh_from_db()
    assert invitation_b.revoked_at is None


def test_other_organizations_token_is_404_and_unchanged(tenant, other_tenant, client_a):
    token_b, _raw = api_token_create(org=other_tenant.org, membership=other_tenant.members[Role.OWNER], name="B")
    listed = {row["id"] for row in client_a.get("/api/v1/tokens/").json()["results"]}
    assert token_b.pk not in listed
    assert client_a.post(f"/api/v1/tokens/{token_b.pk}/revoke/").status_code == 404
    token_b.refresh_from_db()
    assert token_b.revoked_at is None


def test_organization_endpoint_is_the_tokens_organization(tenant, other_tenant, client_a):
    response = client_a.patch("/api/v1/organization/", {"name_en": "Renamed A"}, format="json")
    assert response.status_code == 200
    other_tenant.org.refresh_from_db()
    assert other_tenant.org.name_en == "Beta Co"
    tenant.org.refresh_from_db()
    assert tenant.org.name_en == "Renamed A"


def test_revoking_in_a_then_b_memberships_untouched(tenant, other_tenant, client_a):
    before = list(Membership.objects.filter(organization=other_tenant.org).values_list("pk", "role", "is_active"))
    for membership in Membership.objects.filter(organization=other_tenant.org):
        client_a.post(f"/api/v1/members/{membership.pk}/deactivate/")
    after = list(Membership.objects.filter(organization=other_tenant.org).values_list("pk", "role", "is_active"))
    assert before == after
    assert not ApiToken.objects.filter(organization=other_tenant.org, revoked_at__lte=timezone.now()).exists()
    assert not Invitation.objects.exists()
