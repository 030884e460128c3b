"""Member pages: list, detail, role change and removal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.core.models import AuditEntry, Membership
from mizan.core.roles import Role
from mizan.core.services.invitations import invitation_create


def test_member_list_shows_active_members_and_invitations_to_managers(tenant, owner_client):
    invitation_create(
        org=tenant.org, actor_membership=tenant.members[Role.OWNER], email="pending@example.com", role=Role.SALES
    )
    gone = tenant.members[Role.EMPLOYEE]
    gone.is_active = False
    gone.save()
    content = owner_client.get(reverse("core:member_list")).content.decode()
    assert tenant.user(Role.SALES).email in content
    assert "Accountant" in content
    assert tenant.user(Role.EMPLOYEE).email not in content
    assert "pending@example.com" in content
    assert reverse("core:invitation_revoke", args=[tenant.org.invitations.get().pk]) in content


def test_member_list_for_everyone_but_invitations_only_for_managers(tenant):
    invitation_create(
        org=tenant.org, actor_membership=tenant.members[Role.OWNER], email="pending@example.com", role=Role.SALES
    )
    response = client_for(tenant.user(Role.EMPLOYEE)).get(reverse("core:member_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert tenant.owner.email in content
    assert "pending@example.com" not in content
    assert reverse("core:invitation_create") not in content


def test_member_list_excludes_other_organizations(tenant, other_tenant, owner_client):
    content = owner_client.get(reverse("core:member_list")).content.decode()
    assert other_tenant.owner.email not in content


def test_member_detail_shows_member_and_history(tenant, owner_client):
    member = tenant.members[Role.SALES]
    owner_client.post(reverse("core:member_detail", args=[member.pk]), {"action": "change_role", "role": "employee"})
    response = owner_client.get(reverse("core:member_detail", args=[member.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert member.user.email in content
    assert "History" in content
    assert "Sales" in content and "Employee" in content  # old -> new in the history


def test_change_role_through_the_page(tenant, owner_client):
    member = tenant.members[Role.SALES]
    response = owner_client.post(
        reverse("core:member_detail", args=[member.pk]), {"action": "change_role", "role": Role.ACCOUNTANT}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.ACCOUNTANT
    entry = AuditEntry.objects.filter(organization=tenant.org, action="update").latest("id")
    assert entry.changes == {"role": ["sales", "accountant"]}


def test_admin_cannot_make_an_owner_through_the_page(tenant):
    member = tenant.members[Role.SALES]
    client = client_for(tenant.user(Role.ADMIN))
    response = client.post(
        reverse("core:member_detail", args=[member.pk]), {"action": "change_role", "role": Role.OWNER}
    )
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.role == Role.SALES


def test_last_owner_cannot_be_demoted_through_the_page(tenant, owner_client):
    owner = tenant.members[Role.OWNER]
    response = owner_client.post(
        reverse("core:member_detail", args=[owner.pk]), {"action": "change_role", "role": Role.ADMIN}
    )
    assert response.status_code == 400
    assert "An organization must keep at least one owner." in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    response = owner_client.post(reverse("core:member_detail", args=[owner.pk]), {"action": "deactivate"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.is_active


def test_deactivate_through_the_page(tenant, owner_client):
    member = tenant.members[Role.SALES]
    response = owner_client.post(reverse("core:member_detail", args=[member.pk]), {"action": "deactivate"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
    # The removed member no longer reaches the organization.
    assert client_for(member.user).get(reverse("core:member_list")).status_code == 302


@pytest.mark.parametrize("role", [Role.SALES, Role.EMPLOYEE, Role.ACCOUNTANT])
def test_members_without_manage_cannot_change_anyone(tenant, role):
    client = client_for(tenant.user(role))
    member = tenant.members[Role.PROJECT_MANAGER]
    page = client.get(reverse("core:member_detail", args=[member.pk]))
    assert page.status_code == 200
    assert 'value="change_role"' not in page.content.decode()
    for data in ({"action": "change_role", "role": Role.ADMIN}, {"action": "deactivate"}):
        assert client.post(reverse("core:member_detail", args=[member.pk]), data).status_code == 403
    member.refresh_from_db()
    assert (member.role, member.is_active) == (Role.PROJECT_MANAGER, True)


def test_another_organizations_member_is_404_and_unchanged(tenant, other_tenant, owner_client):
    foreign = other_tenant.members[Role.SALES]
    url = reverse("core:member_detail", args=[foreign.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"action": "deactivate"}).status_code == 404
    assert owner_client.post(url, {"action": "change_role", "role": Role.ADMIN}).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.role, foreign.is_active) == (Role.SALES, True)
    assert not AuditEntry.objects.filter(organization=other_tenant.org, action="update").exists()
    assert Membership.objects.filter(organization=other_tenant.org, is_active=True).count() == 6
