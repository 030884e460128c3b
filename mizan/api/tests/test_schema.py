"""The OpenAPI schema generates without warnings and the docs page works under our CSP."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--lang", "en", "--file", str(target))
    text = target.read_text()
    for name in [
        "UserOutput:",
        "UserInputRequest:",
        "OrganizationOutput:",
        "PatchedOrganizationInputRequest:",
        "MemberOutput:",
        "InvitationOutput:",
        "InvitationInputRequest:",
        "ApiTokenOutput:",
        "ApiTokenCreatedOutput:",
        "ApiTokenInputRequest:",
        "ErrorOutput:",
    ]:
        assert name in text
    for path in [
        "/api/v1/me/:",
        "/api/v1/me/organizations/:",
        "/api/v1/organization/:",
        "/api/v1/members/{id}/deactivate/:",
        "/api/v1/invitations/{id}/revoke/:",
        "/api/v1/tokens/{id}/revoke/:",
    ]:
        assert path in text


def test_schema_endpoint_is_served_in_english_by_default():
    response = Client().get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Mizan API"
    assert "bearer" in str(schema["components"]["securitySchemes"]["apiToken"]).lower()
    assert response.headers["Content-Language"] == "en"


def test_docs_page_has_no_inline_script_or_style_and_no_cdn():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads Swagger UI"
    assert all(re.search(r"\bsrc=", tag) for tag in scripts)
    assert re.search(r"<script[^>]*>\s*[^<\s]", html) is None  # no script bodies
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert "http://" not in html and "https://" not in html
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert 'data-schema-url="/api/schema/?format=json"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_docs_static_files_exist():
    from django.contrib.staticfiles import finders

    for path in [
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "core/js/api_docs.js",
    ]:
        assert finders.find(path), path
