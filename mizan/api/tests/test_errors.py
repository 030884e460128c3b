"""The one error format: validation, malformed JSON, domain rules, 404, 405, 429."""

from __future__ import annotations

import pytest
from rest_framework.throttling import UserRateThrottle

from mizan.core.models import ApiToken, Invitation
from mizan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_validation_error_names_the_field(tenant, token_client):
    client = token_client(tenant.members[Role.OWNER])
    response = client.post("/api/v1/tokens/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "blank",
        "message": "This field may not be blank.",
        "field": "name",
        "errors": [{"code": "blank", "message": "This field may not be blank.", "field": "name"}],
    }
    assert ApiToken.objects.filter(organization=tenant.org).count() == 1  # only the client's own


def test_several_validation_errors_first_on_top_all_in_errors(tenant, token_client):
    client = token_client(tenant.members[Role.OWNER])
    response = client.post("/api/v1/invitations/", {"email": "not-an-email"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert (body["code"], body["field"]) == ("invalid", "email")
    assert [(item["code"], item["field"]) for item in body["errors"]] == [("invalid", "email"), ("required", "role")]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("payload", ["{bad json", '{"name": ', "[1, 2"])
def test_malformed_json_is_400_in_the_error_format(tenant, token_client, payload):
    client = token_client(tenant.members[Role.OWNER])
    response = client.post("/api/v1/tokens/", data=payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["field"] is None
    assert body["message"].startswith("JSON parse error")


def test_json_body_of_the_wrong_shape_is_400(tenant, token_client):
    client = token_client(tenant.members[Role.OWNER])
    response = client.post("/api/v1/tokens/", data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_domain_error_keeps_its_code_and_field(tenant, token_client):
    client = token_client(tenant.members[Role.OWNER])
    response = client.post("/api/v1/invitations/", {"email": "alpha-sales@example.com", "role": "sales"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "already_member",
        "message": "This person is already a member of the organization.",
        "field": "email",
    }


def test_unknown_id_is_404_in_the_error_format(tenant, token_client):
    response = token_client(tenant.members[Role.OWNER]).get("/api/v1/members/999999/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "field": None}


def test_non_numeric_id_is_404_not_500(tenant, token_client):
    response = token_client(tenant.members[Role.OWNER]).get("/api/v1/members/abc/")
    assert response.status_code == 404


def test_wrong_method_is_405_in_the_error_format(tenant, token_client):
    response = token_client(tenant.members[Role.OWNER]).delete("/api/v1/organization/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_throttled_is_429_with_retry_after(tenant, token_client, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "2/minute", raising=False)
    client = token_client(tenant.members[Role.OWNER])
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response.headers["Retry-After"]) > 0


def test_unknown_api_address_is_404_in_the_error_format(db):
    from django.test import Client

    response = Client().get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "field": None}


def test_missing_trailing_slash_is_explained(tenant, token_client):
    response = token_client(tenant.members[Role.OWNER]).post("/api/v1/tokens", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["message"] == "Not found. API addresses end with a slash: /api/v1/tokens/"
    assert not ApiToken.objects.filter(name="x").exists()


def test_unsupported_media_type_is_415_in_the_error_format(tenant, token_client):
    response = token_client(tenant.members[Role.OWNER]).post(
        "/api/v1/tokens/", data="name=x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
