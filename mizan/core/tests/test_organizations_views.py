"""Organization pages: create, settings, switch."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from conftest import client_for
from mizan.core.middleware import ORGANIZATION_SESSION_KEY
from mizan.core.models import AuditEntry, Membership, Organization
from mizan.core.roles import Role
from mizan.core.tests.factories import make_user


def settings_post(org: Organization, **changes) -> dict:
    """The settings form as the browser would send it, with `changes` applied."""
    data = {
        "name_ar": org.name_ar,
        "name_en": org.name_en,
        "base_currency": org.base_currency,
        "timezone": org.timezone,
        "language": org.language,
        "fiscal_year_start_month": org.fiscal_year_start_month,
        "vat_number": org.vat_number,
        "vat_rate": str(org.vat_rate),
        "sales_visibility": org.sales_visibility,
    }
    for flag in ("use_arabic_indic_digits", "show_hijri_dates", "require_two_factor"):
        if getattr(org, flag):
            data[flag] = "on"
    data.update(changes)
    return data


# --- create ----------------------------------------------------------------------------------------


def test_a_user_without_organization_is_sent_to_create_one(db):
    user = make_user("lonely@example.com")
    client = client_for(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url == reverse("core:organization_create")
    page = client.get(reverse("core:organization_create"))
    assert page.status_code == 200
    assert "not a member of any organization" in page.content.decode()


def test_create_first_organization(db):
    user = make_user("lonely@example.com")
    client = client_for(user)
    response = client.post(reverse("core:organization_create"), {"name_en": "Nile Works", "country": "EG"})
    assert response.status_code == 302
    org = Organization.objects.get(name_en="Nile Works")
    assert (org.base_currency, org.timezone) == ("EGP", "Africa/Cairo")
    assert Membership.objects.get(organization=org, user=user).role == Role.OWNER
    assert client.session[ORGANIZATION_SESSION_KEY] == org.pk
    assert client.get(reverse("core:home")).status_code == 200


def test_create_another_organization_switches_to_it(tenant, owner_client):
    response = owner_client.post(
        reverse("core:organization_create"),
        {"name_en": "London Branch", "country": "OTHER", "base_currency": "GBP", "timezone": "Europe/London"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(name_en="London Branch")
    assert (org.base_currency, org.timezone) == ("GBP", "Europe/London")
    assert owner_client.session[ORGANIZATION_SESSION_KEY] == org.pk
    tenant.owner.refresh_from_db()
    assert tenant.owner.last_organization == org


def test_create_other_country_needs_currency_and_timezone(tenant, owner_client):
    count = Organization.objects.count()
    response = owner_client.post(reverse("core:organization_create"), {"name_en": "Nowhere", "country": "OTHER"})
    assert response.status_code == 400
    assert "Choose the organization&#x27;s base currency." in response.content.decode()
    assert Organization.objects.count() == count


def test_create_needs_sign_in(db):
    response = Client().get(reverse("core:organization_create"))
    assert response.status_code == 302
    assert reverse("core:sign_in") in response.url


# --- settings --------------------------------------------------------------------------------------


def test_settings_page_renders_with_history(tenant, owner_client):
    response = owner_client.get(reverse("core:organization_settings"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="vat_number"' in content
    assert 'enctype="multipart/form-data"' in content
    assert "Alpha Co" in content
    # The creation entry of the organization is in its history.
    assert "History" in content
    assert "Created" in content


def test_settings_post_saves_and_audits(tenant, owner_client):
    org = tenant.org
    response = owner_client.post(
        reverse("core:organization_settings"),
        settings_post(org, name_en="Alpha Group", vat_number="300000000000003", show_hijri_dates="on"),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name_en, org.vat_number, org.show_hijri_dates) == ("Alpha Group", "300000000000003", True)
    entry = AuditEntry.objects.filter(organization=org, action="update").get()
    assert entry.changes == {
        "name_en": ["Alpha Co", "Alpha Group"],
        "show_hijri_dates": ["False", "True"],
        "vat_number": ["", "300000000000003"],
    }
    page = owner_client.get(reverse("core:organization_settings"))
    assert "Alpha Group" in page.content.decode()
    assert "300000000000003" in page.content.decode()


def test_settings_invalid_saudi_vat_number_shows_error_and_changes_nothing(tenant, owner_client):
    owner_client.cookies["mizan_language"] = "en"
    tenant.owner.language = "en"
    tenant.owner.save()
    before = AuditEntry.objects.count()
    response = owner_client.post(reverse("core:organization_settings"), settings_post(tenant.org, vat_number="123"))
    assert response.status_code == 400
    assert "A Saudi VAT number has 15 digits and starts and ends with 3." in response.content.decode()
    tenant.org.refresh_from_db()
    assert tenant.org.vat_number == ""
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.EMPLOYEE, Role.PROJECT_MANAGER])
def test_settings_forbidden_without_capability(tenant, role):
    client = client_for(tenant.user(role))
    assert client.get(reverse("core:organization_settings")).status_code == 403
    response = client.post(reverse("core:organization_settings"), settings_post(tenant.org, name_en="Hacked"))
    assert response.status_code == 403
    tenant.org.refresh_from_db()
    assert tenant.org.name_en == "Alpha Co"


def test_settings_admin_may_edit(tenant):
    client = client_for(tenant.user(Role.ADMIN))
    response = client.post(reverse("core:organization_settings"), settings_post(tenant.org, vat_rate="16.00"))
    assert response.status_code == 302
    tenant.org.refresh_from_db()
    assert tenant.org.vat_rate == Decimal("16.00")


def test_settings_logo_upload_and_rejections(tenant, owner_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(buffer, format="PNG")
    logo = SimpleUploadedFile("brand.png", buffer.getvalue(), content_type="image/png")
    response = owner_client.post(reverse("core:organization_settings"), {**settings_post(tenant.org), "logo": logo})
    assert response.status_code == 302
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name.startswith("logos/brand")
    not_an_image = SimpleUploadedFile("evil.png", b"<svg></svg>", content_type="image/png")
    response = owner_client.post(
        reverse("core:organization_settings"), {**settings_post(tenant.org), "logo": not_an_image}
    )
    assert response.status_code == 400
    too_big = SimpleUploadedFile("big.png", buffer.getvalue() + b"0" * (2 * 1024 * 1024), content_type="image/png")
    response = owner_client.post(reverse("core:organization_settings"), {**settings_post(tenant.org), "logo": too_big})
    assert response.status_code == 400
    tenant.org.refresh_from_db()
    assert tenant.org.logo.name.startswith("logos/brand")


def test_settings_edits_only_the_current_organization(tenant, other_tenant):
    """An owner of two organizations edits the one the session points at, never the other."""
    client = client_for(other_tenant.owner)
    response = client.post(reverse("core:organization_settings"), settings_post(other_tenant.org, name_en="Beta 2"))
    assert response.status_code == 302
    tenant.org.refresh_from_db()
    other_tenant.org.refresh_from_db()
    assert (tenant.org.name_en, other_tenant.org.name_en) == ("Alpha Co", "Beta 2")


# --- switch ----------------------------------------------------------------------------------------


def test_switch_to_own_organization(tenant, owner_client):
    from mizan.core.services.organizations import organization_create

    second = organization_create(owner=tenant.owner, name_en="Second Co", country="AE")
    response = owner_client.post(reverse("core:organization_switch"), {"organization_id": tenant.org.pk})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert owner_client.session[ORGANIZATION_SESSION_KEY] == tenant.org.pk
    owner_client.post(reverse("core:organization_switch"), {"organization_id": second.pk})
    assert owner_client.session[ORGANIZATION_SESSION_KEY] == second.pk
    assert "Second Co" in owner_client.get(reverse("core:home")).content.decode()


def test_switch_to_another_organization_is_404_and_changes_nothing(tenant, other_tenant, owner_client):
    owner_client.post(reverse("core:organization_switch"), {"organization_id": tenant.org.pk})
    response = owner_client.post(reverse("core:organization_switch"), {"organization_id": other_tenant.org.pk})
    assert response.status_code == 404
    assert owner_client.session[ORGANIZATION_SESSION_KEY] == tenant.org.pk
    tenant.owner.refresh_from_db()
    assert tenant.owner.last_organization == tenant.org
    assert owner_client.post(reverse("core:organization_switch"), {"organization_id": "x"}).status_code == 404


def test_switch_is_post_only(owner_client):
    assert owner_client.get(reverse("core:organization_switch")).status_code == 405


@pytest.mark.parametrize(
    "url_name", ["organization_settings", "organization_create", "member_list", "invitation_create", "audit_log"]
)
def test_pages_render_in_arabic_right_to_left(tenant, url_name):
    tenant.owner.language = "ar"
    tenant.owner.save()
    response = client_for(tenant.owner).get(reverse(f"core:{url_name}"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'dir="rtl"' in content
    assert "شركة alpha" in content
