"""Token and session authentication, the organization a request acts in, two-factor policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from mizan.api.tests.conftest import token_for
from mizan.core.models import ApiToken
from mizan.core.roles import Role
from mizan.core.services.api_tokens import api_token_revoke
from mizan.core.tests.factories import add_member

pytestmark = pytest.mark.django_db


def _bearer(raw: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {raw}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert "field" in body


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_token_authenticates_and_acts_in_its_organization(tenant, keyword):
    raw = token_for(tenant.members[Role.SALES])
    response = _bearer(raw, keyword).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "alpha-sales@example.com"
    organization = _bearer(raw, keyword).get("/api/v1/organization/").json()
    assert organization["id"] == tenant.org.pk


def test_token_format_is_prefix_and_secret(tenant):
    membership = tenant.members[Role.OWNER]
    raw = token_for(membership)
    token = ApiToken.objects.get(user=tenant.owner)
    assert raw.startswith(f"mzn_{token.prefix}_")
    assert len(token.prefix) == 8
    assert raw not in token.token_hash and len(token.token_hash) == 64


def test_no_credentials_is_401_with_challenge():
    response = APIClient().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    _assert_error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(tenant):
    _assert_error(_bearer("mzn_00000000_not-a-real-token").get("/api/v1/me/"), 401, "invalid_token")


def test_malformed_authorization_header_is_401(tenant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    _assert_error(client.get("/api/v1/me/"), 401, "invalid_token_header")


def test_revoked_token_is_401_with_error_format(tenant):
    membership = tenant.members[Role.SALES]
    raw = token_for(membership)
    api_token_revoke(org=tenant.org, membership=membership, token=ApiToken.objects.get(user=membership.user))
    response = _bearer(raw).get("/api/v1/members/")
    _assert_error(response, 401, "token_revoked")
    assert response.json()["field"] is None


def test_inactive_user_token_is_401(tenant):
    membership = tenant.members[Role.SALES]
    raw = token_for(membership)
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    _assert_error(_bearer(raw).get("/api/v1/me/"), 401, "user_inactive")


def test_deactivated_membership_token_is_401(tenant):
    membership = tenant.members[Role.SALES]
    raw = token_for(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _assert_error(_bearer(raw).get("/api/v1/me/"), 401, "membership_inactive")


def test_token_is_bound_to_its_organization_not_the_session_one(tenant, other_tenant):
    """A user in two organizations: the token made in B acts in B even if the session points at A."""
    user = tenant.user(Role.SALES)
    membership_b = add_member(other_tenant.org, Role.EMPLOYEE, user)
    raw = token_for(membership_b)
    client = _bearer(raw)
    client.force_login(user)  # the session would pick organization A
    assert client.get("/api/v1/organization/").json()["id"] == other_tenant.org.pk
    emails = {row["email"] for row in client.get("/api/v1/members/?page_size=100").json()["results"]}
    assert emails == {m.user.email for m in other_tenant.members.values()} | {user.email}


def test_last_used_at_is_written_at_most_once_a_minute(tenant):
    raw = token_for(tenant.members[Role.SALES])
    token = ApiToken.objects.get(user=tenant.user(Role.SALES))
    assert token.last_used_at is None
    client = _bearer(raw)
    assert client.get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    assert client.get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_session_authentication_uses_the_middleware_organization(tenant):
    client = APIClient()
    client.force_login(tenant.user(Role.ADMIN))
    assert client.get("/api/v1/organization/").json()["id"] == tenant.org.pk


def test_session_authentication_enforces_csrf(tenant):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(tenant.user(Role.ADMIN))
    response = client.post("/api/v1/tokens/", {"name": "From the browser"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    _assert_error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["message"]
    assert not ApiToken.objects.filter(user=tenant.user(Role.ADMIN)).exists()


def test_signed_in_user_without_organization_is_refused_on_organization_endpoints(db):
    from mizan.core.tests.factories import make_user

    client = APIClient()
    client.force_login(make_user("lonely@example.com"))
    _assert_error(client.get("/api/v1/members/", HTTP_ACCEPT_LANGUAGE="en"), 403, "no_organization")
    assert client.get("/api/v1/me/").json()["email"] == "lonely@example.com"


def test_organization_requiring_two_factor_refuses_members_without_it(tenant):
    membership = tenant.members[Role.SALES]
    raw = token_for(membership)
    tenant.org.require_two_factor = True
    tenant.org.save(update_fields=["require_two_factor"])
    _assert_error(_bearer(raw).get("/api/v1/members/"), 403, "two_factor_required")
    session = APIClient()
    session.force_login(membership.user)
    _assert_error(session.get("/api/v1/members/", HTTP_ACCEPT_LANGUAGE="en"), 403, "two_factor_required")

    membership.user.totp_secret = "JBSWY3DPEHPK3PXP"
    membership.user.totp_confirmed_at = timezone.now()
    membership.user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    assert _bearer(raw).get("/api/v1/members/").status_code == 200


def test_messages_follow_accept_language_then_the_users_language(tenant):
    membership = tenant.members[Role.SALES]
    membership.user.language = "ar"
    membership.user.save(update_fields=["language"])
    raw = token_for(membership)
    english = _bearer(raw).post("/api/v1/tokens/", {}, format="json")
    assert english.json()["message"] == "This field is required."
    no_header = APIClient()
    no_header.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    arabic = no_header.post("/api/v1/tokens/", {}, format="json")
    assert arabic.status_code == 400
    assert arabic.json()["message"] != "This field is required."
    assert arabic.headers["Content-Language"] == "ar"
