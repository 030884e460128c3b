"""/api/v1/members/: filtering, allow-listed ordering, pagination, role change, deactivation."""

from __future__ import annotations

import pytest

from mizan.core.models import AuditEntry
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(tenant, token_client):
    return token_client(tenant.members[Role.OWNER])


def _emails(response):
    assert response.status_code == 200, response.content
    return [row["email"] for row in response.json()["results"]]


def test_list_is_ordered_by_email_by_default(owner_api):
    assert _emails(owner_api.get("/api/v1/members/")) == [
        "alpha-accountant@example.com",
        "alpha-admin@example.com",
        "alpha-employee@example.com",
        "alpha-owner@example.com",
        "alpha-project_manager@example.com",
        "alpha-sales@example.com",
    ]


def test_filter_by_role(owner_api):
    assert _emails(owner_api.get("/api/v1/members/?role=sales")) == ["alpha-sales@example.com"]


def test_filter_with_an_unknown_role_is_400(owner_api):
    response = owner_api.get("/api/v1/members/?role=pirate")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_choice", "role")


def test_unknown_filter_parameter_is_ignored(owner_api):
    assert len(_emails(owner_api.get("/api/v1/members/?colour=blue"))) == 6


def test_ordering_by_allowed_fields(tenant, owner_api):
    descending = _emails(owner_api.get("/api/v1/members/?ordering=-email"))
    assert descending[0] == "alpha-sales@example.com"
    by_joined = _emails(owner_api.get("/api/v1/members/?ordering=created_at"))
    assert by_joined[0] == "alpha-owner@example.com"


@pytest.mark.parametrize("ordering", ["user__password", "password", "email,secret", "-", ","])
def test_ordering_by_a_field_not_allowed_is_400(owner_api, ordering):
    response = owner_api.get(f"/api/v1/members/?ordering={ordering}")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_ordering", "ordering")


def test_pagination(owner_api):
    first = owner_api.get("/api/v1/members/?page_size=4").json()
    assert first["count"] == 6
    assert len(first["results"]) == 4
    assert "page=2" in first["next"]
    second = owner_api.get("/api/v1/members/?page_size=4&page=2").json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    all_emails = [row["email"] for row in first["results"] + second["results"]]
    assert len(set(all_emails)) == 6


def test_page_size_is_capped(owner_api, monkeypatch):
    from mizan.api.pagination import StandardPagination

    assert StandardPagination.max_page_size == 200
    monkeypatch.setattr(StandardPagination, "max_page_size", 4)
    response = owner_api.get("/api/v1/members/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4


def test_bad_page_size_falls_back_to_the_default(owner_api):
    response = owner_api.get("/api/v1/members/?page_size=abc")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 6


def test_page_beyond_the_end_is_404_in_the_error_format(owner_api):
    response = owner_api.get("/api/v1/members/?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "invalid_page"


def test_retrieve_member(tenant, owner_api):
    member = tenant.members[Role.ACCOUNTANT]
    body = owner_api.get(f"/api/v1/members/{member.pk}/").json()
    assert body["email"] == "alpha-accountant@example.com"
    assert body["role"] == "accountant"


def test_change_role(tenant, owner_api):
    member = tenant.members[Role.EMPLOYEE]
    response = owner_api.patch(f"/api/v1/members/{member.pk}/", {"role": "project_manager"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "project_manager"
    member.refresh_from_db()
    assert member.role == Role.PROJECT_MANAGER
    assert AuditEntry.objects.filter(object_id=str(member.pk), changes__role=["employee", "project_manager"]).exists()


def test_change_role_to_unknown_is_400_and_unchanged(tenant, owner_api):
    member = tenant.members[Role.EMPLOYEE]
    response = owner_api.patch(f"/api/v1/members/{member.pk}/", {"role": "king"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "role"
    member.refresh_from_db()
    assert member.role == Role.EMPLOYEE


def test_last_owner_cannot_be_demoted(tenant, owner_api):
    owner = tenant.members[Role.OWNER]
    response = owner_api.patch(f"/api/v1/members/{owner.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "last_owner"
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_deactivate_member(tenant, owner_api):
    member = tenant.members[Role.SALES]
    response = owner_api.post(f"/api/v1/members/{member.pk}/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    member.refresh_from_db()
    assert member.is_active is False
    assert _emails(owner_api.get("/api/v1/members/?is_active=false")) == ["alpha-sales@example.com"]
