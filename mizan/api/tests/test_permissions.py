"""Capabilities are checked before anything is written."""

from __future__ import annotations

import pytest

from mizan.core.models import AuditEntry, Invitation, Membership
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


def _snapshot(org):
    org.refresh_from_db()
    return (org.name_en, org.vat_rate, org.require_two_factor, org.language)


@pytest.mark.parametrize("role", [Role.SALES, Role.PROJECT_MANAGER, Role.ACCOUNTANT, Role.EMPLOYEE])
def test_patch_organization_without_capability_is_403_and_changes_nothing(tenant, token_client, role):
    client = token_client(tenant.members[role])
    before = _snapshot(tenant.org)
    audit_before = AuditEntry.objects.count()
    response = client.patch("/api/v1/organization/", {"name_en": "Hijacked", "vat_rate": "1.00"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "You do not have permission to do this.",
        "field": None,
    }
    assert _snapshot(tenant.org) == before
    assert AuditEntry.objects.count() == audit_before


def test_permission_is_checked_before_validation(tenant, token_client):
    """A forbidden caller learns nothing about the payload: 403 even when it is invalid."""
    response = token_client(tenant.members[Role.SALES]).patch(
        "/api/v1/organization/", {"vat_rate": "not a number"}, format="json"
    )
    assert response.status_code == 403


def test_admin_patch_organization_changes_and_audits(tenant, token_client):
    client = token_client(tenant.members[Role.ADMIN])
    response = client.patch(
        "/api/v1/organization/", {"name_en": "Alpha Trading", "show_hijri_dates": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["name_en"] == "Alpha Trading"
    tenant.org.refresh_from_db()
    assert (tenant.org.name_en, tenant.org.show_hijri_dates) == ("Alpha Trading", True)
    entry = AuditEntry.objects.filter(organization=tenant.org, action="update").latest("id")
    assert entry.actor == tenant.user(Role.ADMIN)
    assert entry.changes["name_en"] == ["Alpha Co", "Alpha Trading"]


def test_patch_organization_rule_broken_is_400_and_unchanged(tenant, token_client):
    client = token_client(tenant.members[Role.OWNER])
    before = _snapshot(tenant.org)
    response = client.patch("/api/v1/organization/", {"name_ar": "", "name_en": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "name_required"
    assert _snapshot(tenant.org) == before


def test_sales_cannot_invite_or_list_invitations(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    response = client.post("/api/v1/invitations/", {"email": "new@example.com", "role": "sales"}, format="json")
    assert response.status_code == 403
    assert client.get("/api/v1/invitations/").status_code == 403
    assert not Invitation.objects.exists()


def test_sales_can_list_members_but_not_change_roles(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    assert client.get("/api/v1/members/").status_code == 200
    employee = tenant.members[Role.EMPLOYEE]
    assert client.patch(f"/api/v1/members/{employee.pk}/", {"role": "admin"}, format="json").status_code == 403
    assert client.post(f"/api/v1/members/{employee.pk}/deactivate/").status_code == 403
    employee.refresh_from_db()
    assert (employee.role, employee.is_active) == (Role.EMPLOYEE, True)
    assert Membership.objects.filter(organization=tenant.org, is_active=True).count() == 6
