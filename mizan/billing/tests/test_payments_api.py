"""/api/v1/billing/payments/: record with an Idempotency-Key, apply credit, refund, list, tenancy."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import Allocation, Invoice, Payment
from mizan.billing.tests.factories import (
    RECEIVABLE,
    billing_member,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, JournalEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/billing/payments/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def api_for(tenant):
    return token_client_for(billing_member(tenant))


def bank(org) -> Account:
    return Account.objects.get(organization=org, role=AccountRole.BANK)


def invoice_of(tenant, client, unit_price: str = "100") -> Invoice:
    return posted_invoice(tenant, company=client, lines=[line(unit_price=unit_price, tax=standard_tax(tenant.org))])


def body(org, client, amount: str, allocations=(), **extra) -> dict:
    return {
        "company": client.pk,
        "amount": amount,
        "account": bank(org).pk,
        "method": "bank_transfer",
        "reference": "API-1",
        "allocations": [{"invoice": invoice.pk, "amount": value} for invoice, value in allocations],
        **extra,
    }


def test_create_with_an_idempotency_key_records_one_payment(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    api = api_for(other_tenant)
    key = str(uuid.uuid4())
    first = api.post(URL, body(org, client, "114.00", [(invoice, "114.00")]), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["display_number"].startswith("RCT-") and data["amount"] == "114.000"
    assert data["allocations"][0]["invoice"] == invoice.pk and data["unallocated"] == "0.000"
    entries = JournalEntry.objects.filter(organization=org).count()
    again = api.post(URL, body(org, client, "114.00", [(invoice, "114.00")]), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Payment.objects.filter(organization=org).count() == 1
    assert JournalEntry.objects.filter(organization=org).count() == entries
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert role_balance(org, AccountRole.BANK) == Decimal("114.00")

    changed = api.post(URL, body(org, client, "100.00"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert changed.status_code == 400 and changed.json()["code"] == "billing.idempotency_key_reused"
    assert Payment.objects.filter(organization=org).count() == 1


def test_overpayment_then_apply_credit_and_refund(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    api = api_for(other_tenant)
    created = api.post(URL, body(org, client, "300"), format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    invoice = invoice_of(other_tenant, client, "200")  # 228
    applied = api.post(f"{URL}{pk}/allocations/", {"invoice": invoice.pk, "amount": "228"}, format="json")
    assert applied.status_code == 201 and applied.json()["invoice_number"] == invoice.display_number
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    refund = api.post(f"{URL}{pk}/refunds/", {"amount": "72", "account": bank(org).pk}, format="json")
    assert refund.status_code == 201 and refund.json()["direction"] == "refund"
    assert refund.json()["refund_of_payment"] == pk
    assert api.get(f"{URL}{pk}/").json()["unallocated"] == "0.000"
    assert role_balance(org, AccountRole.BANK) == Decimal("228.00")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "allocated", "code"),
    [
        ("100", "114", "billing.allocation_exceeds_payment"),
        ("200", "150", "billing.allocation_exceeds_due"),
        ("0", None, "billing.amount_invalid"),
        ("-1", None, "billing.amount_invalid"),
    ],
)
def test_bad_amounts_answer_400_and_record_nothing(other_tenant, amount, allocated, code):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    response = api_for(other_tenant).post(
        URL, body(org, client, amount, [(invoice, allocated)] if allocated else []), format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["message"]
    assert not Payment.objects.filter(organization=org).exists()
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("114.00")


def test_another_clients_invoice_and_a_non_bank_account_are_refused(other_tenant):
    org = other_tenant.org
    client, other_client = make_client(org), make_client(org, name_latin="Other Co")
    invoice = invoice_of(other_tenant, other_client)
    api = api_for(other_tenant)
    response = api.post(URL, body(org, client, "114", [(invoice, "114")]), format="json")
    assert response.status_code == 400 and response.json()["code"] == "billing.allocation_other_client"
    revenue = Account.objects.get(organization=org, role=AccountRole.REVENUE)
    response = api.post(URL, body(org, client, "114", account=revenue.pk), format="json")
    assert response.status_code == 400 and response.json()["field"] == "account"
    assert not Payment.objects.filter(organization=org).exists()


def test_another_organizations_records_are_404_and_nothing_changes(tenant, other_tenant):
    org = other_tenant.org
    client = make_client(org)
    foreign_invoice = posted_invoice(tenant, lines=[line(tax=standard_tax(tenant.org, "15"))])
    api = api_for(other_tenant)
    response = api.post(URL, body(org, client, "115", [(foreign_invoice, "115")]), format="json")
    assert response.status_code == 404
    assert api.post(URL, body(org, make_client(tenant.org), "10"), format="json").status_code == 404
    assert api.post(URL, {**body(org, client, "10"), "account": bank(tenant.org).pk}, format="json").status_code == 404
    assert not Payment.objects.filter(organization=org).exists()
    foreign_invoice.refresh_from_db()
    assert foreign_invoice.amount_due == Decimal("115.00")

    theirs = api_for(tenant).post(URL, body(tenant.org, make_client(tenant.org), "50"), format="json").json()["id"]
    assert api.get(f"{URL}{theirs}/").status_code == 404
    mine = invoice_of(other_tenant, client)
    apply = api.post(f"{URL}{theirs}/allocations/", {"invoice": mine.pk, "amount": "10"}, format="json")
    refund = api.post(f"{URL}{theirs}/refunds/", {"amount": "10", "account": bank(org).pk}, format="json")
    assert (apply.status_code, refund.status_code) == (404, 404)
    assert Payment.objects.get(pk=theirs).amount_used == 0
    assert not Allocation.objects.filter(payment_id=theirs).exists()


def test_list_filters_and_query_count(other_tenant, django_assert_num_queries):
    org = other_tenant.org
    api = api_for(other_tenant)
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    api.post(URL, body(org, client, "114", [(invoice, "114")]), format="json")
    api.post(URL, body(org, make_client(org, name_latin="Cash Co"), "20", method="cash"), format="json")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL).status_code == 200
        return len(queries.captured_queries)

    few = count()
    for number in range(10):
        api.post(URL, body(org, make_client(org, name_latin=f"C{number}"), "5"), format="json")
    assert count() == few
    with django_assert_num_queries(few):
        response = api.get(URL, {"method": "cash"})
    assert [row["company_name"] for row in response.json()["results"]] == ["Cash Co"]
    assert api.get(URL, {"company": client.pk}).json()["count"] == 1
    assert api.get(URL, {"direction": "refund"}).json()["count"] == 0
    assert api.get(URL, {"ordering": "amount"}).json()["results"][0]["amount"] == "5.000"


def test_sales_member_reads_but_cannot_record(tenant):
    api = token_client_for(tenant.members[Role.SALES])
    assert api.get(URL).status_code == 200
    response = api.post(URL, body(tenant.org, make_client(tenant.org), "10"), format="json")
    assert response.status_code == 403
    assert not Payment.objects.filter(organization=tenant.org).exists()
