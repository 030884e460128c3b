"""/api/v1/billing/invoices/: drafts with nested lines, posting, immutability, credit notes, documents,
filters, and another organization's invoices (404 through every action, nothing changed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import Invoice, InvoiceLine
from mizan.billing.tests.factories import (
    RECEIVABLE,
    REVENUE,
    VAT,
    draft_invoice,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.roles import Role
from mizan.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/billing/invoices/"


@pytest.fixture
def api(tenant):
    return token_client_for(tenant.members[Role.ACCOUNTANT])


def _snapshot(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    lines = list(invoice.lines.order_by("position").values_list("description", "quantity", "unit_price"))
    return (invoice.status, invoice.number, invoice.total, invoice.amount_due, invoice.notes, lines)


def test_create_post_retrieve_and_ledger(tenant, api):
    org = tenant.org
    client = make_client(org, vat_number="300000000000003")
    tax = standard_tax(org, "15")
    today = org.today()
    number = f"INV-{today.year}-00001"
    payload = {
        "company": client.pk,
        "issue_date": today.isoformat(),
        "reference": "PO-77",
        "lines": [
            {"description": "Design", "quantity": "2", "unit_price": "500", "tax": tax.pk},
            {"description": "Hosting", "quantity": "1", "unit_price": "250.50", "tax": tax.pk},
        ],
    }
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    draft = response.json()
    pk = draft["id"]
    assert draft["status"] == "draft" and draft["sequence_number"] is None
    assert draft["number"] == f"INV-DRAFT-{pk}"
    assert (draft["net_total"], draft["tax_total"], draft["total"]) == ("1250.500", "187.580", "1438.080")
    assert draft["due_date"] == (today + datetime.timedelta(days=30)).isoformat()  # the default term: net 30
    assert draft["saudi_type"] == "standard" and draft["currency"] == "SAR" and draft["exchange_rate"] == "1.00000000"
    assert [row["net_amount"] for row in draft["lines"]] == ["1000.000", "250.500"]
    assert draft["qr_code"] == ""

    response = api.post(f"{URL}{pk}/post/")
    assert response.status_code == 200, response.json()
    posted = response.json()
    assert posted["status"] == "posted" and posted["number"] == number and posted["sequence_number"] == 1
    assert posted["amount_due"] == "1438.080" and posted["amount_paid"] == "0.000"
    assert posted["qr_code"] and posted["posted_at"]

    response = api.get(f"{URL}{pk}/")
    assert response.status_code == 200
    detail = response.json()
    assert detail["number"] == number and detail["total"] == "1438.080" and detail["reference"] == "PO-77"
    assert detail["tax_breakdown"] == [
        {
            "tax": tax.pk,
            "name": tax.display_name(),
            "rate": "15.0000",
            "kind": "standard",
            "exemption_reason_code": "",
            "taxable_amount": "1250.500",
            "tax_amount": "187.580",
        }
    ]
    assert detail["allocations"] == [] and detail["is_overdue"] is False
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("1438.08")
    assert role_balance(org, REVENUE) == Decimal("-1250.50")
    assert role_balance(org, VAT) == Decimal("-187.58")


def test_draft_update_replaces_lines_and_delete_removes_it(tenant, api):
    invoice = draft_invoice(tenant)
    tax = standard_tax(tenant.org, "15")
    response = api.patch(
        f"{URL}{invoice.pk}/",
        {"notes": "Thanks", "lines": [{"description": "Audit", "quantity": "3", "unit_price": "10", "tax": None}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["notes"], body["total"], body["tax_total"]) == ("Thanks", "30.000", "0.000")
    assert body["tax_breakdown"][0]["tax"] is None and body["tax_breakdown"][0]["taxable_amount"] == "30.000"
    response = api.patch(f"{URL}{invoice.pk}/", {"lines": [{"description": "X", "quantity": "0"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "billing.quantity_invalid" and response.json()["field"] == "lines"
    assert InvoiceLine.objects.get(invoice=invoice).description == "Audit"
    response = api.patch(f"{URL}{invoice.pk}/", {"lines": [{"quantity": "1.5", "tax": tax.pk}]}, format="json")
    assert response.status_code == 400 and "description" in response.json()["message"]

    assert api.delete(f"{URL}{invoice.pk}/").status_code == 204
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


def test_a_posted_invoice_is_immutable_through_the_api(tenant, api):
    invoice = posted_invoice(tenant)
    before = _snapshot(invoice)
    entries = JournalEntry.objects.count()
    response = api.patch(f"{URL}{invoice.pk}/", {"notes": "changed", "lines": [line(unit_price="1")]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "billing.posted_immutable"
    assert response.json()["message"] == ("A posted invoice cannot be changed or deleted; issue a credit note instead.")
    response = api.delete(f"{URL}{invoice.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "billing.posted_immutable"
    response = api.post(f"{URL}{invoice.pk}/post/")
    assert response.status_code == 400 and response.json()["code"] == "billing.posted_immutable"
    assert _snapshot(invoice) == before
    assert JournalEntry.objects.count() == entries


def test_cancel_posts_a_full_credit_note(tenant, api):
    org = tenant.org
    client = make_client(org)
    invoice = posted_invoice(tenant, company=client, lines=[line(unit_price="1000", tax=standard_tax(org, "15"))])
    response = api.post(f"{URL}{invoice.pk}/cancel/", {}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.POSTED

    response = api.post(f"{URL}{invoice.pk}/cancel/", {"reason": "Wrong client"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["invoice"]["status"] == "cancelled" and body["invoice"]["amount_due"] == "0.000"
    credit_note = body["credit_note"]
    assert credit_note["kind"] == "credit_note" and credit_note["status"] == "paid"
    assert credit_note["number"].startswith("CN-") and credit_note["total"] == "1150.000"
    assert credit_note["original_invoice"] == invoice.pk
    assert credit_note["notes"] == "Wrong client"
    assert [row["amount"] for row in body["invoice"]["allocations"]] == ["1150.000"]
    assert body["invoice"]["allocations"][0]["credit_note_number"] == credit_note["number"]
    for role in (RECEIVABLE, REVENUE, VAT):
        assert role_balance(org, role, partner=client if role == RECEIVABLE else None) == 0

    response = api.post(f"{URL}{invoice.pk}/cancel/", {"reason": "Again"}, format="json")
    assert response.status_code == 400
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_partial_credit_note_draft_then_post(tenant, api):
    org = tenant.org
    tax = standard_tax(org, "15")
    invoice = posted_invoice(tenant, lines=[line(unit_price="1000", tax=tax)])
    response = api.post(
        f"{URL}{invoice.pk}/credit-notes/",
        {"reason": "Discount agreed", "lines": [{"description": "Discount", "unit_price": "200", "tax": tax.pk}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    note = response.json()
    assert (note["kind"], note["status"], note["total"]) == ("credit_note", "draft", "230.000")
    assert Invoice.objects.get(pk=invoice.pk).amount_due == Decimal("1150.00")

    response = api.post(f"{URL}{note['id']}/post/")
    assert response.status_code == 200, response.json()
    assert response.json()["number"].startswith("CN-")
    detail = api.get(f"{URL}{invoice.pk}/").json()
    assert (detail["status"], detail["amount_due"], detail["amount_paid"]) == ("partially_paid", "920.000", "230.000")
    assert [(row["credit_note"], row["amount"]) for row in detail["allocations"]] == [(note["id"], "230.000")]
    note_detail = api.get(f"{URL}{note['id']}/").json()
    assert [(row["invoice"], row["amount"]) for row in note_detail["allocations"]] == [(invoice.pk, "230.000")]
    assert role_balance(org, RECEIVABLE) == Decimal("920.00")

    response = api.post(
        f"{URL}{invoice.pk}/credit-notes/",
        {"reason": "Too much", "lines": [{"description": "More", "unit_price": "900", "tax": tax.pk}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "billing.credit_exceeds_invoice"
    response = api.post(f"{URL}{note['id']}/credit-notes/", {"reason": "Of a credit note"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "billing.not_creditable"
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_pdf_and_xml_downloads(tenant, api):
    draft = draft_invoice(tenant)
    response = api.get(f"{URL}{draft.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = api.get(f"{URL}{draft.pk}/xml/")
    assert response.status_code == 400 and response.json()["code"] == "billing.zatca_not_posted"

    invoice = posted_invoice(tenant)
    response = api.get(f"{URL}{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.display_number}.pdf"' in response["Content-Disposition"]
    response = api.get(f"{URL}{invoice.pk}/xml/")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert invoice.display_number.encode() in response.content and b"<Invoice" in response.content


def test_xml_is_for_saudi_organizations_only(other_tenant):
    invoice = posted_invoice(other_tenant)
    api = token_client_for(other_tenant.members[Role.ACCOUNTANT])
    response = api.get(f"{URL}{invoice.pk}/xml/")
    assert response.status_code == 400 and response.json()["code"] == "billing.xml_saudi_only"


def test_list_filters_and_constant_queries(tenant, api):
    org = tenant.org
    today = org.today()
    alpha, beta = make_client(org, name_latin="Alpha Trading"), make_client(org, name_latin="Beta Services")
    old = posted_invoice(tenant, company=alpha, issue_date=today - datetime.timedelta(days=60))
    recent = posted_invoice(tenant, company=beta, issue_date=today)
    draft = draft_invoice(tenant, company=beta, currency="USD")

    def ids(query: str) -> set[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {old.pk, recent.pk, draft.pk}
    assert ids("status=draft") == {draft.pk}
    assert ids("status=overdue") == {old.pk}
    assert ids(f"client={alpha.pk}") == {old.pk}
    assert ids("currency=USD") == {draft.pk}
    assert ids(f"date_from={today.isoformat()}") == {recent.pk, draft.pk}
    assert ids(f"date_to={(today - datetime.timedelta(days=1)).isoformat()}") == {old.pk}
    assert ids(f"q={recent.display_number}") == {recent.pk}
    assert ids("kind=credit_note") == set()
    response = api.get(f"{URL}?ordering=-total")
    assert response.status_code == 200
    rows = api.get(f"{URL}?status=overdue").json()["results"]
    assert rows[0]["is_overdue"] is True and rows[0]["company_name"] == "Alpha Trading"

    response = api.get(f"{URL}?status=lost")
    assert response.status_code == 400 and response.json()["field"] == "status"
    response = api.get(f"{URL}?ordering=secret")
    assert response.status_code == 400 and response.json()["code"] == "invalid_ordering"

    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for _ in range(4):
        draft_invoice(tenant, company=make_client(org, name_latin="Gamma"))
    with CaptureQueriesContext(connection) as many:
        response = api.get(URL)
    assert response.json()["count"] == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bad_input_gives_the_error_format_and_creates_nothing(tenant, other_tenant, api):
    client = make_client(tenant.org)
    foreign_client = make_client(other_tenant.org)
    foreign_tax = standard_tax(other_tenant.org)
    response = api.post(URL, {"company": client.pk, "lines": []}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "billing.no_lines"
    response = api.post(URL, {"company": client.pk, "lines": [{"description": "X", "quantity": "abc"}]}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "lines.0.quantity"
    response = api.post(URL, {"company": foreign_client.pk, "lines": [line()]}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post(URL, {"company": client.pk, "lines": [line(tax=foreign_tax.pk)]}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post(URL, {"lines": [line()]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "billing.client_required"
    assert not Invoice.objects.exists()

    sales = token_client_for(tenant.members[Role.SALES])
    assert sales.get(URL).status_code == 200
    response = sales.post(URL, {"company": client.pk, "lines": [line()]}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Invoice.objects.exists()


def test_another_organizations_invoice_is_404_through_every_action(tenant, other_tenant, api):
    foreign = posted_invoice(other_tenant)
    foreign_draft = draft_invoice(other_tenant)
    before = [_snapshot(foreign), _snapshot(foreign_draft)]
    base = f"{URL}{foreign.pk}/"
    draft_base = f"{URL}{foreign_draft.pk}/"
    responses = [
        api.get(base),
        api.get(f"{base}pdf/"),
        api.get(f"{base}xml/"),
        api.patch(draft_base, {"notes": "x"}, format="json"),
        api.delete(draft_base),
        api.post(f"{draft_base}post/"),
        api.post(f"{base}cancel/", {"reason": "x"}, format="json"),
        api.post(f"{base}credit-notes/", {"reason": "x"}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert [_snapshot(foreign), _snapshot(foreign_draft)] == before
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert api.get(URL).json()["count"] == 0
