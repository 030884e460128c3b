"""Billing settings: the new fields through the service, the page and the API; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.utils import translation
from django.utils.translation import gettext

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import BillingSettings
from mizan.billing.services.taxes import billing_settings_update, reminder_offsets_parse
from mizan.billing.tests.factories import billing_member, make_client, posted_invoice
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.formatting import active_formatter
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.core.tests.test_i18n_pages import inline_code

pytestmark = pytest.mark.django_db


def _row(org) -> dict:
    return model_to_dict(BillingSettings.objects.get(organization=org))


VALID = {
    "prices_include_tax": True,
    "rounding": "line",
    "address_ar": " الرياض، طريق الملك فهد ",
    "address_en": "King Fahd Road, Riyadh",
    "commercial_registration": "1010123456",
    "invoice_series": "inv",
    "credit_note_series": "CRN",
    "document_language": "ar",
    "default_terms": "Payment by bank transfer.",
    "quote_validity_days": 14,
    "reminders_enabled": True,
    "reminder_offsets": " 14, -3,7 ",
}


def test_settings_update_normalizes_and_audits(tenant):
    org = tenant.org
    row = billing_settings_update(org=org, actor_membership=billing_member(tenant), data=VALID)
    assert row.address_ar == "الرياض، طريق الملك فهد"
    assert (row.invoice_series, row.credit_note_series) == ("INV", "CRN")
    assert row.reminder_offsets == "-3,7,14"
    assert (row.document_language, row.quote_validity_days, row.commercial_registration) == ("ar", 14, "1010123456")
    entry = AuditEntry.objects.filter(organization=org, action="update").latest("pk")
    assert "reminder_offsets" not in entry.changes  # "-3,7,14" before and after normalizing
    assert entry.changes["credit_note_series"] == ["CN", "CRN"]
    assert reminder_offsets_parse("") == []
    assert reminder_offsets_parse("+7,-60,365") == [-60, 7, 365]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"reminder_offsets": "-3,7,7"}, "billing.reminder_offsets_duplicate", "reminder_offsets"),
        ({"reminder_offsets": "-61"}, "billing.reminder_offsets_invalid", "reminder_offsets"),
        ({"reminder_offsets": "366"}, "billing.reminder_offsets_invalid", "reminder_offsets"),
        ({"reminder_offsets": "3;7"}, "billing.reminder_offsets_invalid", "reminder_offsets"),
        ({"reminder_offsets": "1.5"}, "billing.reminder_offsets_invalid", "reminder_offsets"),
        ({"reminder_offsets": "3,,7"}, "billing.reminder_offsets_invalid", "reminder_offsets"),
        (
            {"reminder_offsets": ",".join(str(day) for day in range(11))},
            "billing.reminder_offsets_too_many",
            "reminder_offsets",
        ),
        ({"reminder_offsets": "", "reminders_enabled": True}, "billing.reminder_offsets_required", "reminder_offsets"),
        ({"invoice_series": "IN V"}, "billing.series_invalid", "invoice_series"),
        ({"invoice_series": "INV-2"}, "billing.series_invalid", "invoice_series"),
        ({"invoice_series": ""}, "billing.series_invalid", "invoice_series"),
        ({"credit_note_series": "ABCDEFGHIJK"}, "billing.series_invalid", "credit_note_series"),
        ({"credit_note_series": "فاتورة"}, "billing.series_invalid", "credit_note_series"),
        ({"credit_note_series": "inv"}, "billing.series_same", "credit_note_series"),
        ({"quote_validity_days": 0}, "billing.quote_validity_invalid", "quote_validity_days"),
        ({"quote_validity_days": 366}, "billing.quote_validity_invalid", "quote_validity_days"),
        ({"document_language": "fr"}, "billing.language_invalid", "document_language"),
        ({"rounding": "sometimes"}, "billing.rounding_invalid", "rounding"),
        ({"commercial_registration": "1" * 31}, "billing.registration_invalid", "commercial_registration"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(tenant, data, code, field):
    org = tenant.org
    before = _row(org)
    count = AuditEntry.objects.filter(organization=org).count()
    with pytest.raises(DomainError) as error:
        billing_settings_update(
            org=org, actor_membership=billing_member(tenant), data={"address_en": "Changed", **data}
        )
    assert (error.value.code, error.value.field) == (code, field)
    assert error.value.message
    assert _row(org) == before
    assert AuditEntry.objects.filter(organization=org).count() == count


def test_errors_are_translated_in_the_active_language(tenant):
    with translation.override("ar"):
        with pytest.raises(DomainError) as error:
            billing_settings_update(
                org=tenant.org, actor_membership=billing_member(tenant), data={"invoice_series": "IN V"}
            )
        assert error.value.message == gettext("A series is 1 to 10 capital Latin letters or digits, for example INV.")
        with pytest.raises(DomainError) as error:
            billing_settings_update(
                org=tenant.org, actor_membership=billing_member(tenant), data={"reminder_offsets": "5,5"}
            )
        assert error.value.message == gettext("The day {day} is listed twice.").format(day=active_formatter().number(5))


def test_only_billing_managers_change_settings(tenant):
    before = _row(tenant.org)
    with pytest.raises(PermissionDeniedError):
        billing_settings_update(
            org=tenant.org, actor_membership=tenant.members[Role.SALES], data={"quote_validity_days": 10}
        )
    assert _row(tenant.org) == before


def test_renamed_series_numbers_from_one_and_the_old_series_continues(tenant):
    org = tenant.org
    member = billing_member(tenant)
    client = make_client(org)
    first = posted_invoice(tenant, company=client)
    billing_settings_update(org=org, actor_membership=member, data={"invoice_series": "F"})
    second = posted_invoice(tenant, company=client)
    billing_settings_update(org=org, actor_membership=member, data={"invoice_series": "INV"})
    third = posted_invoice(tenant, company=client)
    assert [(invoice.series, invoice.number) for invoice in (first, second, third)] == [
        ("INV", 1),
        ("F", 1),
        ("INV", 2),
    ]


def _page_data(**overrides):
    data = {
        "rounding": "line",
        "address_ar": "",
        "address_en": "",
        "commercial_registration": "",
        "invoice_series": "INV",
        "credit_note_series": "CN",
        "document_language": "both",
        "default_terms": "",
        "quote_validity_days": "30",
        "reminders_enabled": "on",
        "reminder_offsets": "-3,7,14",
    }
    data.update(overrides)
    return data


def test_settings_page(tenant, owner_client):
    org = tenant.org
    response = owner_client.get("/billing/settings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reminder_offsets"' in html and 'value="-3,7,14"' in html
    assert inline_code(html) == []

    before = _row(org)
    response = owner_client.post("/billing/settings/", _page_data(reminder_offsets="7,7", address_en="Changed"))
    assert response.status_code == 200
    assert "listed twice" in response.content.decode()
    response = owner_client.post("/billing/settings/", _page_data(invoice_series="IN-V", address_en="Changed"))
    assert response.status_code == 200
    assert "capital Latin letters" in response.content.decode()
    assert _row(org) == before

    response = owner_client.post(
        "/billing/settings/",
        _page_data(reminder_offsets="30, -7", invoice_series="fac", quote_validity_days="60", address_en="Jeddah"),
    )
    assert response.status_code == 302
    row = BillingSettings.objects.get(organization=org)
    assert (row.reminder_offsets, row.invoice_series, row.quote_validity_days, row.address_en) == (
        "-7,30",
        "FAC",
        60,
        "Jeddah",
    )
    assert client_for(tenant.user(Role.SALES)).get("/billing/settings/").status_code == 403


def test_settings_api(tenant):
    org = tenant.org
    api = token_client_for(tenant.members[Role.ACCOUNTANT])
    response = api.get("/api/v1/billing/settings/")
    assert response.status_code == 200
    assert response.json()["reminder_offsets"] == "-3,7,14"
    assert response.json()["invoice_series"] == "INV"

    before = _row(org)
    response = api.patch(
        "/api/v1/billing/settings/", {"reminder_offsets": "400", "address_en": "Changed"}, format="json"
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "billing.reminder_offsets_invalid",
        "reminder_offsets",
    )
    response = api.patch("/api/v1/billing/settings/", {"credit_note_series": "C N"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("billing.series_invalid", "credit_note_series")
    response = api.patch("/api/v1/billing/settings/", {"credit_note_series": "TOOLONGSERIES"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "credit_note_series"
    assert _row(org) == before

    response = api.patch(
        "/api/v1/billing/settings/",
        {"reminder_offsets": "10,-1", "document_language": "en", "reminders_enabled": False},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["reminder_offsets"], body["document_language"], body["reminders_enabled"]) == ("-1,10", "en", False)

    response = token_client_for(tenant.members[Role.SALES]).patch(
        "/api/v1/billing/settings/", {"quote_validity_days": 5}, format="json"
    )
    assert response.status_code == 403
    assert BillingSettings.objects.get(organization=org).quote_validity_days == 30
