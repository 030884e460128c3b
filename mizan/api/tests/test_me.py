"""/api/v1/me/ and /api/v1/me/organizations/."""

from __future__ import annotations

import pytest

from mizan.core.roles import Role
from mizan.core.tests.factories import add_member

pytestmark = pytest.mark.django_db


def test_read_profile(tenant, token_client):
    body = token_client(tenant.members[Role.SALES]).get("/api/v1/me/").json()
    user = tenant.user(Role.SALES)
    assert body == {"id": user.pk, "email": user.email, "full_name": "", "language": "en"}


def test_update_name_and_language(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    response = client.patch("/api/v1/me/", {"full_name": " Sara Ali ", "language": "ar"}, format="json")
    assert response.status_code == 200
    user = tenant.user(Role.SALES)
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Sara Ali", "ar")
    only_name = client.patch("/api/v1/me/", {"full_name": "Sara"}, format="json")
    assert only_name.json()["language"] == "ar"


def test_update_with_unknown_language_is_400_and_unchanged(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    response = client.patch("/api/v1/me/", {"full_name": "X", "language": "fr"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_choice", "language")
    user = tenant.user(Role.SALES)
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("", "en")


def test_email_cannot_be_changed_here(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    assert client.patch("/api/v1/me/", {"email": "evil@example.com"}, format="json").status_code == 200
    user = tenant.user(Role.SALES)
    user.refresh_from_db()
    assert user.email == "alpha-sales@example.com"


def test_my_organizations_lists_active_memberships_and_marks_the_current_one(tenant, other_tenant, token_client):
    user = tenant.user(Role.SALES)
    add_member(other_tenant.org, Role.EMPLOYEE, user)
    body = token_client(tenant.members[Role.SALES]).get("/api/v1/me/organizations/").json()
    rows = [(row["organization_id"], row["role"], row["is_current"]) for row in body["results"]]
    assert rows == [(tenant.org.pk, "sales", True), (other_tenant.org.pk, "employee", False)]
