"""The API tokens page: list mine, create (raw token shown once), revoke; other org's id -> 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.core.models import ApiToken
from mizan.core.roles import Role
from mizan.core.services.api_tokens import api_token_create

pytestmark = pytest.mark.django_db

URL = "/settings/api-tokens/"


def test_url_names():
    assert reverse("core:api_token_list") == URL
    assert reverse("core:api_token_revoke", args=[7]) == "/settings/api-tokens/7/revoke/"


def test_page_lists_only_my_tokens_in_this_organization(tenant, other_tenant):
    sales = tenant.members[Role.SALES]
    api_token_create(org=tenant.org, membership=sales, name="My export")
    api_token_create(org=tenant.org, membership=tenant.members[Role.ADMIN], name="Admin script")
    api_token_create(org=other_tenant.org, membership=other_tenant.members[Role.OWNER], name="Beta script")
    response = client_for(sales.user).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "My export" in html
    assert "Admin script" not in html and "Beta script" not in html
    assert "Never" in html  # not used yet


def test_signed_out_is_sent_to_sign_in(db):
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302


def test_create_shows_the_raw_token_once(tenant):
    client = client_for(tenant.user(Role.EMPLOYEE))
    response = client.post(URL, {"name": "Phone app"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    match = re.search(r'value="(mzn_[0-9a-f]{8}_[^"]+)"', html)
    assert match, "the raw token is on the page"
    raw = match.group(1)
    token = ApiToken.objects.get(user=tenant.user(Role.EMPLOYEE))
    assert token.name == "Phone app"
    assert raw.startswith(f"mzn_{token.prefix}_")
    assert 'data-copy-target="new-token-value"' in html
    assert raw not in client.get(URL).content.decode()


def test_create_without_name_shows_the_error_and_creates_nothing(tenant):
    response = client_for(tenant.user(Role.EMPLOYEE)).post(URL, {"name": "  "})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_my_token(tenant):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.SALES], name="Old")
    client = client_for(tenant.user(Role.SALES))
    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response["Location"] == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(URL).content.decode()


def test_revoke_needs_post(tenant):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.SALES], name="Old")
    response = client_for(tenant.user(Role.SALES)).get(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_colleagues_token_is_404_for_a_member(tenant):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.ADMIN], name="Admin's")
    response = client_for(tenant.user(Role.SALES)).post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_other_organizations_token_is_404_and_unchanged(tenant, other_tenant):
    token, _raw = api_token_create(org=other_tenant.org, membership=other_tenant.members[Role.OWNER], name="Beta")
    response = client_for(tenant.owner).post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_page_has_no_inline_script_or_style(tenant):
    html = client_for(tenant.owner).post(URL, {"name": "x"}).content.decode()
    assert all(re.search(r"\bsrc=", tag) for tag in re.findall(r"<script\b[^>]*>", html))
    assert "core/js/api_tokens.js" in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
