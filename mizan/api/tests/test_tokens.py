"""/api/v1/tokens/: the raw token is returned once; members revoke their own, admins anyone's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from mizan.api.tests.conftest import token_for
from mizan.core.models import ApiToken, AuditEntry
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_create_returns_the_raw_token_once_and_it_works(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    response = client.post("/api/v1/tokens/", {"name": "  CI export  "}, format="json")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["name"] == "CI export"
    assert body["token"].startswith(f"mzn_{body['prefix']}_")
    token = ApiToken.objects.get(pk=body["id"])
    assert (token.organization, token.user) == (tenant.org, tenant.user(Role.SALES))
    assert body["token"] != token.token_hash

    listed = client.get("/api/v1/tokens/").json()["results"]
    assert {row["name"] for row in listed} == {"CI export", "Test token"}
    assert all("token" not in row for row in listed)

    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert fresh.get("/api/v1/me/").json()["email"] == "alpha-sales@example.com"


def test_create_without_a_name_is_400_and_creates_nothing(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    response = client.post("/api/v1/tokens/", {"name": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert ApiToken.objects.filter(user=tenant.user(Role.SALES)).count() == 1


def test_member_sees_and_revokes_only_their_own_tokens(tenant, token_client):
    sales = token_client(tenant.members[Role.SALES])
    token_for(tenant.members[Role.EMPLOYEE], name="Employee's")
    employee_token = ApiToken.objects.get(name="Employee's")
    assert {row["name"] for row in sales.get("/api/v1/tokens/").json()["results"]} == {"Test token"}
    assert sales.post(f"/api/v1/tokens/{employee_token.pk}/revoke/").status_code == 404
    employee_token.refresh_from_db()
    assert employee_token.revoked_at is None


def test_revoking_your_own_token(tenant, token_client):
    sales = token_client(tenant.members[Role.SALES])
    token_for(tenant.members[Role.SALES], name="Spare")
    spare = ApiToken.objects.get(name="Spare")
    response = sales.post(f"/api/v1/tokens/{spare.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    assert AuditEntry.objects.filter(object_id=str(spare.pk), action="update").count() == 1


def test_revoking_the_token_in_use_ends_access(tenant):
    raw = token_for(tenant.members[Role.SALES])
    token = ApiToken.objects.get(user=tenant.user(Role.SALES))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401


def test_admin_sees_and_revokes_anyones_token(tenant, token_client):
    admin = token_client(tenant.members[Role.ADMIN])
    token_for(tenant.members[Role.EMPLOYEE], name="Leaked")
    leaked = ApiToken.objects.get(name="Leaked")
    rows = admin.get("/api/v1/tokens/").json()["results"]
    assert {(row["name"], row["user_email"]) for row in rows} == {
        ("Leaked", "alpha-employee@example.com"),
        ("Test token", "alpha-admin@example.com"),
    }
    assert admin.post(f"/api/v1/tokens/{leaked.pk}/revoke/").status_code == 200
    leaked.refresh_from_db()
    assert leaked.revoked_at is not None


def test_token_list_ordering_is_allow_listed(tenant, token_client):
    client = token_client(tenant.members[Role.SALES])
    assert client.get("/api/v1/tokens/?ordering=-name").status_code == 200
    response = client.get("/api/v1/tokens/?ordering=token_hash")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ordering"
