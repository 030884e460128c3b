"""Taxes: country defaults, services (capabilities, validation, audit), pages and API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import BillingSettings, Tax, TaxKind
from mizan.billing.selectors.taxes import taxes_valid_on
from mizan.billing.services.taxes import billing_settings_update, tax_create, tax_update
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.core.tests.factories import make_organization, make_user
from mizan.ledger.models import Account, AccountRole

pytestmark = pytest.mark.django_db
#: Pinned: the shell queries + billing settings + taxes with their accounts (one join).
TAX_LIST_QUERIES = 7


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def vat_account(org):
    return Account.objects.get(organization=org, role=AccountRole.VAT_PAYABLE)


def test_saudi_defaults_with_effective_dates_and_reason_codes(tenant):
    taxes = Tax.objects.filter(organization=tenant.org)
    standard = taxes.filter(kind=TaxKind.STANDARD)
    assert sorted(standard.values_list("rate", flat=True)) == [Decimal("5"), Decimal("15")]
    assert all(tax.account == vat_account(tenant.org) for tax in taxes)
    assert set(taxes.exclude(kind=TaxKind.STANDARD).values_list("exemption_reason_code", flat=True)) == {
        "VATEX-SA-33",
        "VATEX-SA-29",
    }
    before = taxes_valid_on(org=tenant.org, day=datetime.date(2020, 6, 30)).filter(kind=TaxKind.STANDARD)
    after = taxes_valid_on(org=tenant.org, day=datetime.date(2020, 7, 1)).filter(kind=TaxKind.STANDARD)
    assert [tax.rate for tax in before] == [Decimal("5")]
    assert [tax.rate for tax in after] == [Decimal("15")]
    assert BillingSettings.objects.get(organization=tenant.org).rounding == "line"


def test_egyptian_and_emirati_defaults(other_tenant):
    assert list(Tax.objects.filter(organization=other_tenant.org).values_list("rate", flat=True)) == [Decimal("14")]
    org = make_organization(make_user("uae@example.com"), country="AE", name_en="UAE Co", name_ar="شركة")
    kinds = dict(Tax.objects.filter(organization=org).values_list("kind", "rate"))
    assert kinds == {"standard": Decimal("5"), "zero_rated": Decimal("0"), "exempt": Decimal("0")}
    other = make_organization(
        make_user("other@example.com"),
        country="OTHER",
        name_en="Other Co",
        name_ar="شركة",
        base_currency="USD",
        timezone_name="UTC",
    )
    assert not Tax.objects.filter(organization=other).exists()
    assert BillingSettings.objects.filter(organization=other).exists()


def test_create_tax_defaults_to_vat_account_and_is_audited(tenant):
    tax = tax_create(
        org=tenant.org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        data={
            "name_en": "Exempt: education",
            "rate": Decimal("0"),
            "kind": "exempt",
            "exemption_reason_code": "VATEX-SA-EDU",
        },
    )
    assert tax.account == vat_account(tenant.org)
    assert AuditEntry.objects.filter(object_id=str(tax.pk), action="create", content_type__model="tax").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name_en": "", "rate": Decimal("15"), "kind": "standard"}, "name_ar"),
        ({"name_en": "Too much", "rate": Decimal("150"), "kind": "standard"}, "rate"),
        (
            {"name_en": "Zero", "rate": Decimal("5"), "kind": "zero_rated", "exemption_reason_code": "VATEX-SA-32"},
            "rate",
        ),
        ({"name_en": "Zero", "rate": Decimal("0"), "kind": "zero_rated"}, "exemption_reason_code"),
        (
            {"name_en": "Std", "rate": Decimal("15"), "kind": "standard", "exemption_reason_code": "VATEX-SA-32"},
            "exemption_reason_code",
        ),
        (
            {
                "name_en": "Dates",
                "rate": Decimal("15"),
                "kind": "standard",
                "valid_from": datetime.date(2021, 1, 1),
                "valid_to": datetime.date(2020, 1, 1),
            },
            "valid_to",
        ),
    ],
)
def test_bad_tax_input_is_refused_and_nothing_saved(tenant, data, field):
    count = Tax.objects.count()
    with pytest.raises(DomainError) as error:
        tax_create(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data=data)
    assert error.value.field == field
    assert Tax.objects.count() == count


def test_tax_account_of_another_organization_is_refused(tenant, other_tenant):
    tax = Tax.objects.filter(organization=tenant.org).first()
    with pytest.raises(DomainError):
        tax_update(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            tax=tax,
            data={"account": vat_account(other_tenant.org)},
        )
    tax.refresh_from_db()
    assert tax.account == vat_account(tenant.org)


def test_sales_member_cannot_manage_taxes(tenant):
    with pytest.raises(PermissionDeniedError):
        tax_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.SALES],
            data={"name_en": "X", "rate": Decimal("1"), "kind": "standard"},
        )
    with pytest.raises(PermissionDeniedError):
        billing_settings_update(
            org=tenant.org, actor_membership=tenant.members[Role.SALES], data={"rounding": "document"}
        )
    assert not Tax.objects.filter(name_en="X").exists()


def test_settings_update(tenant):
    row = billing_settings_update(
        org=tenant.org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        data={"prices_include_tax": True, "rounding": "document"},
    )
    assert (row.prices_include_tax, row.rounding) == (True, "document")
    with pytest.raises(DomainError):
        billing_settings_update(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"rounding": "x"})


# --- pages ---------------------------------------------------------------------------------------


def test_tax_pages(tenant, owner_client, django_assert_num_queries):
    with django_assert_num_queries(TAX_LIST_QUERIES):
        response = owner_client.get("/billing/taxes/")
    assert response.status_code == 200
    assert "VATEX-SA-33" in response.content.decode()
    response = owner_client.post(
        "/billing/taxes/new/",
        {"name_en": "Out of scope", "rate": "0", "kind": "out_of_scope", "exemption_reason_code": "VATEX-SA-OOS"},
    )
    assert response.status_code == 302
    tax = Tax.objects.get(organization=tenant.org, name_en="Out of scope")
    response = owner_client.post(
        f"/billing/taxes/{tax.pk}/edit/",
        {"name_en": "OOS", "rate": "0", "kind": "out_of_scope", "exemption_reason_code": "VATEX-SA-OOS"},
    )
    assert response.status_code == 302
    tax.refresh_from_db()
    assert tax.name_en == "OOS"
    owner_client.post(f"/billing/taxes/{tax.pk}/active/", {"is_active": "0"})
    tax.refresh_from_db()
    assert not tax.is_active
    response = owner_client.post("/billing/settings/", {"prices_include_tax": "on", "rounding": "document"})
    assert response.status_code == 302
    assert BillingSettings.objects.get(organization=tenant.org).prices_include_tax


def test_tax_page_bad_input_shows_translated_error(tenant, owner_client):
    count = Tax.objects.count()
    response = owner_client.post("/billing/taxes/new/", {"name_en": "Zero", "rate": "0", "kind": "zero_rated"})
    assert response.status_code == 200
    assert "reason code" in response.content.decode()
    assert Tax.objects.count() == count


def test_other_organization_tax_is_404(tenant, other_tenant, owner_client):
    tax = Tax.objects.filter(organization=other_tenant.org).first()
    assert owner_client.get(f"/billing/taxes/{tax.pk}/edit/").status_code == 404
    assert owner_client.post(f"/billing/taxes/{tax.pk}/active/", {"is_active": "0"}).status_code == 404
    tax.refresh_from_db()
    assert tax.is_active


def test_sales_member_sees_taxes_but_cannot_add(tenant):
    client = client_for(tenant.user(Role.SALES))
    assert client.get("/billing/taxes/").status_code == 200
    assert client.get("/billing/taxes/new/").status_code == 403


# --- API -----------------------------------------------------------------------------------------


def test_api_taxes(tenant, other_tenant):
    api = token_client_for(tenant.members[Role.ACCOUNTANT])
    response = api.get("/api/v1/billing/taxes/")
    assert response.status_code == 200
    assert len(response.json()["results"] if isinstance(response.json(), dict) else response.json()) == 4
    response = api.post(
        "/api/v1/billing/taxes/", {"name_en": "VAT 15% bis", "rate": "15", "kind": "standard"}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.patch(f"/api/v1/billing/taxes/{pk}/", {"rate": "16"}, format="json")
    assert response.json()["rate"] == "16.0000"
    response = api.post("/api/v1/billing/taxes/", {"name_en": "Zero", "rate": "0", "kind": "zero_rated"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "exemption_reason_code"
    other = Tax.objects.filter(organization=other_tenant.org).first()
    assert api.get(f"/api/v1/billing/taxes/{other.pk}/").status_code == 404
    assert api.post(f"/api/v1/billing/taxes/{other.pk}/deactivate/").status_code == 404
    foreign_account = vat_account(other_tenant.org)
    response = api.post(
        "/api/v1/billing/taxes/",
        {"name_en": "X", "rate": "1", "kind": "standard", "account_id": foreign_account.pk},
        format="json",
    )
    assert response.status_code == 404
    assert not Tax.objects.filter(name_en="X").exists()
    response = api.patch("/api/v1/billing/settings/", {"rounding": "document"}, format="json")
    body = response.json()
    assert {"prices_include_tax": body["prices_include_tax"], "rounding": body["rounding"]} == {
        "prices_include_tax": False,
        "rounding": "document",
    }


def test_api_sales_member_cannot_create_tax(tenant):
    api = token_client_for(tenant.members[Role.SALES])
    assert api.get("/api/v1/billing/taxes/").status_code == 200
    response = api.post("/api/v1/billing/taxes/", {"name_en": "X", "rate": "1", "kind": "standard"}, format="json")
    assert response.status_code == 403
