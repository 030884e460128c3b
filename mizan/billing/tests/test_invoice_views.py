"""Invoice pages: the draft form with the line editor, posting, credit notes, the filtered list with
totals and export, files, tenancy and languages. Everything runs through the real services."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from conftest import client_for
from mizan.billing.forms.lines import line_formset
from mizan.billing.models import Allocation, Invoice, InvoiceLine
from mizan.billing.services.invoices import credit_note_create
from mizan.billing.tests.factories import (
    RECEIVABLE,
    REVENUE,
    VAT,
    billing_member,
    draft_invoice,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, FiscalYear, JournalEntry
from mizan.ledger.services.periods import fiscal_year_create, fiscal_year_start_for
from mizan.sales.models import Product, ProductPrice

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------------


def accountant(tenant: Any, language: str = "en") -> Any:
    """A signed-in accountant; the user's own language decides the page language."""
    user = tenant.user(Role.ACCOUNTANT)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return client_for(user)


def management(lines: list[dict[str, str]], *, prefix: str = "lines", initial: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "200",
    }
    for index, row in enumerate(lines):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def invoice_post_data(company: Any, lines: list[dict[str, str]], **header: Any) -> dict[str, str]:
    org = company.organization
    data = {
        "company": str(company.pk),
        "currency": org.base_currency,
        "issue_date": org.today().isoformat(),
        "due_date": "",
        "payment_term": "",
        "reference": "",
        "discount_percent": "",
        "language": "",
        "saudi_type": "",
        "exchange_rate": "",
        "notes": "",
        "terms": "",
        **{key: str(value) for key, value in header.items()},
    }
    return {**data, **management(lines)}


def ensure_fiscal_year(tenant: Any, day: datetime.date) -> None:
    """Open the fiscal years back to `day` (a test may need a date before this year)."""
    org = tenant.org
    while not FiscalYear.objects.filter(organization=org, start_date__lte=day, end_date__gte=day).exists():
        earliest = FiscalYear.objects.filter(organization=org).order_by("start_date").first()
        start = fiscal_year_start_for(org, earliest.start_date - datetime.timedelta(days=1))
        fiscal_year_create(org=org, actor_membership=tenant.members[Role.OWNER], start_date=start)


def revenue_account(org: Any) -> Account:
    return Account.objects.get(organization=org, role=AccountRole.REVENUE)


# --- the line formset ---------------------------------------------------------------------------


def test_line_formset_reads_its_choices_once_and_returns_service_mappings(tenant):
    org = tenant.org
    tax = standard_tax(org)
    product = Product.objects.create(
        organization=org, code="CONS", name_en="Consulting", income_account=revenue_account(org), default_tax=tax
    )
    ProductPrice.objects.create(product=product, currency="SAR", unit_price=Decimal("250"))
    rows = [{"product": str(product.pk), "quantity": "2", "tax": ""}]
    rows += [{"description": f"Line {n}", "quantity": "1", "unit_price": "10", "tax": "none"} for n in range(20)]
    rows += [{"quantity": "1"}, {"description": "removed", "unit_price": "5", "DELETE": "on"}]
    with CaptureQueriesContext(connection) as queries:
        formset = line_formset(management(rows), org=org)
        assert formset.is_valid()
        lines = formset.line_inputs()
    assert len(queries.captured_queries) == 4  # products, their prices, taxes, income accounts
    assert len(lines) == 21  # the blank and the removed rows are left out
    assert lines[0]["product"] == product and "unit_price" not in lines[0] and "tax" not in lines[0]
    assert lines[1]["tax"] is None and lines[1]["unit_price"] == Decimal("10")


# --- create, edit, post -------------------------------------------------------------------------


def test_create_a_draft_through_the_form(tenant):
    org = tenant.org
    client = make_client(org)
    tax = standard_tax(org)  # 15%
    product = Product.objects.create(
        organization=org, code="AUD", name_en="Audit", name_ar="تدقيق", income_account=revenue_account(org)
    )
    ProductPrice.objects.create(product=product, currency="SAR", unit_price=Decimal("250"))
    data = invoice_post_data(
        client,
        [
            {"description": "Consulting", "quantity": "2", "unit_price": "100", "tax": str(tax.pk)},
            {"description": "Printing", "quantity": "1", "unit_price": "50", "tax": "none", "discount_percent": "10"},
            {"product": str(product.pk), "quantity": "1", "tax": str(tax.pk)},
            {"quantity": "1"},  # an untouched empty row
        ],
        reference="PO-77",
    )
    before = Invoice.objects.count()
    response = accountant(tenant).post(reverse("billing:invoice_create"), data)
    assert response.status_code == 302
    assert Invoice.objects.count() == before + 1
    invoice = Invoice.objects.latest("pk")
    assert response["Location"] == reverse("billing:invoice_detail", args=[invoice.pk])
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
    assert invoice.company == client and invoice.reference == "PO-77" and invoice.currency == "SAR"
    lines = list(invoice.lines.order_by("position"))
    assert [(row.description, row.quantity, row.unit_price) for row in lines] == [
        ("Consulting", Decimal("2"), Decimal("100")),
        ("Printing", Decimal("1"), Decimal("50")),
        ("Audit", Decimal("1"), Decimal("250")),  # the product filled its name (English page) and price
    ]
    assert [row.tax_id for row in lines] == [tax.pk, None, tax.pk]
    assert [row.net_amount for row in lines] == [Decimal("200.00"), Decimal("45.00"), Decimal("250.00")]
    assert invoice.net_total == Decimal("495.00")
    assert invoice.tax_total == Decimal("67.50")
    assert invoice.total == Decimal("562.50")


def test_create_preselects_the_client_and_the_deal(tenant):
    from mizan.crm.services.deals import deal_create

    org = tenant.org
    client = make_client(org, name_latin="Preselected Co")
    deal = deal_create(
        org=org,
        actor_membership=tenant.members[Role.OWNER],
        data={"title": "Big deal", "company": client, "currency": "USD", "value": Decimal("5000")},
    )
    page = accountant(tenant).get(reverse("billing:invoice_create"), {"deal": deal.pk}).content.decode()
    assert f'<option value="{client.pk}" selected>' in page
    assert f'<option value="{deal.pk}" selected>' in page
    assert '<option value="USD" selected>' in page
    page = accountant(tenant).get(reverse("billing:invoice_create"), {"company": client.pk}).content.decode()
    assert f'<option value="{client.pk}" selected>' in page


def test_edit_a_draft_replaces_its_lines_and_totals(tenant):
    org = tenant.org
    tax = standard_tax(org)
    invoice = draft_invoice(tenant, lines=[line(unit_price="100", tax=tax)])
    client = accountant(tenant)
    page = client.get(reverse("billing:invoice_edit", args=[invoice.pk])).content.decode()
    assert 'name="lines-0-description" value="Consulting"' in page
    assert 'name="lines-0-unit_price" value="100"' in page
    data = invoice_post_data(
        invoice.company,
        [
            {"description": "Consulting", "quantity": "3", "unit_price": "100", "tax": str(tax.pk)},
            {"description": "Travel", "quantity": "1", "unit_price": "80", "tax": "none"},
        ],
        issue_date=invoice.issue_date.isoformat(),
        due_date=invoice.due_date.isoformat(),
    )
    data["lines-INITIAL_FORMS"] = "1"
    response = client.post(reverse("billing:invoice_edit", args=[invoice.pk]), data)
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 2
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("380.00"),
        Decimal("45.00"),
        Decimal("425.00"),
    )
    assert invoice.amount_due == Decimal("425.00")


def test_a_posted_invoice_cannot_be_edited(tenant):
    invoice = posted_invoice(tenant)
    total = invoice.total
    client = accountant(tenant)
    assert client.get(reverse("billing:invoice_edit", args=[invoice.pk])).status_code == 302
    data = invoice_post_data(invoice.company, [{"description": "X", "quantity": "9", "unit_price": "9"}])
    client.post(reverse("billing:invoice_edit", args=[invoice.pk]), data)
    invoice.refresh_from_db()
    assert invoice.total == total and invoice.lines.count() == 1


def test_post_from_the_page_numbers_and_books_it(tenant):
    org = tenant.org
    invoice = draft_invoice(tenant, lines=[line(unit_price="1000", tax=standard_tax(org))])
    response = accountant(tenant).post(reverse("billing:invoice_post", args=[invoice.pk]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.POSTED and invoice.number == 1
    assert invoice.display_number == f"INV-{invoice.issue_date.year}-00001"
    entry = JournalEntry.objects.get(pk=invoice.journal_entry_id)
    assert entry.is_posted
    assert role_balance(org, RECEIVABLE, partner=invoice.company) == Decimal("1150.00")
    assert role_balance(org, REVENUE) == Decimal("-1000.00")
    assert role_balance(org, VAT) == Decimal("-150.00")
    page = accountant(tenant).get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert invoice.display_number in page
    assert reverse("ledger:entry_detail", args=[entry.pk]) in page
    assert f'href="{reverse("billing:payment_create")}?invoice={invoice.pk}"' in page
    assert f'href="{reverse("billing:invoice_send", args=[invoice.pk])}"' in page
    assert reverse("billing:invoice_cancel", args=[invoice.pk]) in page


def test_save_and_post_from_the_form(tenant):
    org = tenant.org
    client = make_client(org)
    data = invoice_post_data(client, [{"description": "Design", "quantity": "1", "unit_price": "200", "tax": "none"}])
    data["action"] = "post"
    accountant(tenant).post(reverse("billing:invoice_create"), data)
    invoice = Invoice.objects.get(organization=org, company=client)
    assert invoice.status == Invoice.Status.POSTED and invoice.number == 1
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("200.00")


@pytest.mark.parametrize(
    ("rows", "english", "message"),
    [
        ([{"quantity": "1"}], "Add at least one line.", "Add at least one line."),
        (
            [{"description": "Consulting", "quantity": "0", "unit_price": "100"}],
            "Line 1: the quantity must be greater than zero.",
            "the quantity must be greater than zero.",
        ),
    ],
)
def test_bad_lines_show_a_translated_error_and_save_nothing(tenant, rows, english, message):
    org = tenant.org
    client = make_client(org)
    data = invoice_post_data(client, rows)
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), AuditEntry.objects.count())
    response = accountant(tenant).post(reverse("billing:invoice_create"), data)
    assert response.status_code == 200
    assert english in response.content.decode()
    response = accountant(tenant, "ar").post(reverse("billing:invoice_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    with translation.override("ar"):
        assert gettext(message) in html
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), AuditEntry.objects.count()) == before


def test_delete_a_draft(tenant):
    invoice = draft_invoice(tenant)
    response = accountant(tenant).post(reverse("billing:invoice_delete", args=[invoice.pk]))
    assert response["Location"] == reverse("billing:invoice_list")
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=invoice.pk).exists()


def test_sales_role_sees_but_cannot_edit(tenant):
    invoice = draft_invoice(tenant)
    client = client_for(tenant.user(Role.SALES))
    assert client.get(reverse("billing:invoice_detail", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("billing:invoice_create")).status_code == 403
    assert client.post(reverse("billing:invoice_post", args=[invoice.pk])).status_code == 403
    invoice.refresh_from_db()
    assert invoice.is_draft


# --- credit notes -------------------------------------------------------------------------------


def test_cancel_with_a_credit_note_from_the_page(tenant):
    org = tenant.org
    invoice = posted_invoice(tenant, lines=[line(unit_price="1000", tax=standard_tax(org))])
    client = accountant(tenant)
    response = client.post(reverse("billing:invoice_cancel", args=[invoice.pk]), {"reason": ""})
    assert response.status_code == 400
    assert Invoice.objects.filter(original_invoice=invoice).count() == 0
    response = client.post(reverse("billing:invoice_cancel", args=[invoice.pk]), {"reason": "Wrong client"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    credit_note = Invoice.objects.get(original_invoice=invoice)
    assert invoice.status == Invoice.Status.CANCELLED and invoice.amount_due == Decimal("0")
    assert credit_note.status == Invoice.Status.PAID and credit_note.total == Decimal("1150.00")
    assert credit_note.notes == "Wrong client"
    assert role_balance(org, RECEIVABLE, partner=invoice.company) == Decimal("0")
    page = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert credit_note.display_number in page


def test_partial_credit_note_from_the_prefilled_form(tenant):
    org = tenant.org
    tax = standard_tax(org)
    invoice = posted_invoice(
        tenant, lines=[line("Consulting", quantity="4", unit_price="100", tax=tax), line("Travel", tax=tax)]
    )
    client = accountant(tenant)
    page = client.get(reverse("billing:invoice_credit_note", args=[invoice.pk])).content.decode()
    assert 'name="lines-0-quantity" value="4"' in page and 'name="lines-1-description" value="Travel"' in page
    data = {
        "issue_date": org.today().isoformat(),
        "reason": "One session not delivered",
        **management(
            [
                {"description": "Consulting", "quantity": "1", "unit_price": "100", "tax": str(tax.pk)},
                {"description": "Travel", "quantity": "1", "unit_price": "100", "tax": str(tax.pk), "DELETE": "on"},
            ],
            initial=2,
        ),
    }
    response = client.post(reverse("billing:invoice_credit_note", args=[invoice.pk]), data)
    credit_note = Invoice.objects.get(original_invoice=invoice)
    assert response["Location"] == reverse("billing:invoice_detail", args=[credit_note.pk])
    assert credit_note.is_credit_note and credit_note.is_draft
    assert credit_note.total == Decimal("115.00") and credit_note.lines.count() == 1
    client.post(reverse("billing:invoice_post", args=[credit_note.pk]))
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("460.00") and invoice.status == Invoice.Status.PARTIALLY_PAID
    assert Allocation.objects.get(invoice=invoice).amount == Decimal("115.00")
    assert role_balance(org, RECEIVABLE, partner=invoice.company) == Decimal("460.00")


def test_edit_a_draft_credit_note_keeps_its_client(tenant):
    org = tenant.org
    tax = standard_tax(org)
    invoice = posted_invoice(tenant, lines=[line(quantity="4", unit_price="100", tax=tax)])
    note = credit_note_create(
        org=org,
        actor_membership=billing_member(tenant),
        invoice=invoice,
        lines=[line(unit_price="100", tax=tax)],
        reason="Late",
    )
    other_client = make_client(org, name_latin="Someone else")
    data = invoice_post_data(
        other_client,
        [{"description": "Consulting", "quantity": "2", "unit_price": "100", "tax": str(tax.pk)}],
        issue_date=note.issue_date.isoformat(),
        notes="Two sessions late",
    )
    response = accountant(tenant).post(reverse("billing:invoice_edit", args=[note.pk]), data)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.company == invoice.company and note.is_credit_note and note.original_invoice == invoice
    assert note.total == Decimal("230.00") and note.notes == "Two sessions late"


def test_credit_note_above_the_invoice_is_refused(tenant):
    org = tenant.org
    tax = standard_tax(org)
    invoice = posted_invoice(tenant, lines=[line(unit_price="100", tax=tax)])
    data = {
        "issue_date": org.today().isoformat(),
        "reason": "Too much",
        **management([{"description": "Consulting", "quantity": "2", "unit_price": "100", "tax": str(tax.pk)}]),
    }
    response = accountant(tenant).post(reverse("billing:invoice_credit_note", args=[invoice.pk]), data)
    assert response.status_code == 200
    assert "The credit notes would exceed the invoice" in response.content.decode()
    assert not Invoice.objects.filter(original_invoice=invoice).exists()


# --- list, filters, totals, export --------------------------------------------------------------


@pytest.fixture
def listed(tenant):
    """Four documents: an overdue SAR invoice, a current SAR invoice, a USD invoice, a SAR draft,
    and a posted credit note on the current SAR invoice."""
    org = tenant.org
    tax = standard_tax(org)
    today = org.today()
    old_day = today - datetime.timedelta(days=45)
    ensure_fiscal_year(tenant, old_day)
    gulf = make_client(org, name_ar="شركة الخليج", name_latin="Gulf Trading")
    nile = make_client(org, name_ar="شركة النيل", name_latin="Nile Systems")
    overdue = posted_invoice(
        tenant, company=gulf, issue_date=old_day, lines=[line(unit_price="1000", tax=tax)]
    )  # due 30 days later: overdue
    current = posted_invoice(tenant, company=nile, lines=[line(unit_price="200", tax=tax)])
    dollars = posted_invoice(
        tenant, company=nile, currency="USD", exchange_rate=Decimal("3.75"), lines=[line(unit_price="300")]
    )
    draft = draft_invoice(tenant, company=gulf, lines=[line(unit_price="50")])
    member = billing_member(tenant)
    from mizan.billing.services.invoices import invoice_post

    credit = credit_note_create(
        org=org, actor_membership=member, invoice=current, lines=[line(unit_price="100", tax=tax)], reason="Discount"
    )
    credit = invoice_post(org=org, actor_membership=member, invoice=credit)
    return {
        "overdue": overdue,
        "current": current,
        "dollars": dollars,
        "draft": draft,
        "credit": credit,
        "gulf": gulf,
        "nile": nile,
        "old_day": old_day,
    }


def listed_numbers(response: Any) -> set[int]:
    return {invoice.pk for invoice in response.context["page"]}


def totals(response: Any) -> dict[str, tuple[Decimal, Decimal]]:
    return {row.currency: (row.total, row.amount_due) for row in response.context["totals"]}


def test_list_totals_per_currency(tenant, listed):
    response = accountant(tenant).get(reverse("billing:invoice_list"))
    assert listed_numbers(response) == {doc.pk for key, doc in listed.items() if isinstance(doc, Invoice)}
    # SAR: 1150 + 230 - 115 (credit note); due: 1150 + (230 - 115) - 0; drafts left out
    assert totals(response) == {
        "SAR": (Decimal("1265.00"), Decimal("1265.00")),
        "USD": (Decimal("300.00"), Decimal("300.00")),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "overdue"}, {"overdue"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": "partially_paid"}, {"current"}),
        ({"status": "paid"}, {"credit"}),
        ({"kind": "credit_note"}, {"credit"}),
        ({"kind": "invoice", "currency": "USD"}, {"dollars"}),
        ({"q": "Gulf"}, {"overdue", "draft"}),
        ({"q": "الخليج"}, {"overdue", "draft"}),
    ],
)
def test_list_filters(tenant, listed, params, expected):
    response = accountant(tenant).get(reverse("billing:invoice_list"), params)
    assert listed_numbers(response) == {listed[name].pk for name in expected}


def test_list_filters_by_client_dates_and_number(tenant, listed):
    client = accountant(tenant)
    response = client.get(reverse("billing:invoice_list"), {"client": listed["nile"].pk})
    assert listed_numbers(response) == {listed["current"].pk, listed["dollars"].pk, listed["credit"].pk}
    assert totals(response) == {
        "SAR": (Decimal("115.00"), Decimal("115.00")),
        "USD": (Decimal("300.00"), Decimal("300.00")),
    }
    old_day = listed["old_day"]
    response = client.get(reverse("billing:invoice_list"), {"date_to": old_day.isoformat()})
    assert listed_numbers(response) == {listed["overdue"].pk}
    assert totals(response) == {"SAR": (Decimal("1150.00"), Decimal("1150.00"))}
    response = client.get(
        reverse("billing:invoice_list"), {"date_from": (old_day + datetime.timedelta(days=1)).isoformat()}
    )
    assert listed["overdue"].pk not in listed_numbers(response) and len(listed_numbers(response)) == 4
    response = client.get(reverse("billing:invoice_list"), {"q": listed["overdue"].display_number})
    assert listed_numbers(response) == {listed["overdue"].pk}


def test_list_export_csv_is_the_filtered_list(tenant, listed):
    response = accountant(tenant).get(reverse("billing:invoice_list"), {"client": listed["nile"].pk, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Number", "Kind", "Status"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {listed[name].display_number for name in ("current", "dollars", "credit")}
    dollars = by_number[listed["dollars"].display_number]
    header = rows[0]
    assert dollars[header.index("Currency")] == "USD"
    assert dollars[header.index("Total")] == "300.00"
    assert dollars[header.index("Client")] == "Nile Systems"
    credit = by_number[listed["credit"].display_number]
    assert credit[header.index("Kind")] == "Credit note"
    assert credit[header.index("Credited invoice")] == listed["current"].display_number
    xlsx = accountant(tenant).get(reverse("billing:invoice_list"), {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert accountant(tenant).get(reverse("billing:invoice_list"), {"export": "pdf"}).status_code == 400


def _list_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("billing:invoice_list"))
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_list_query_count_is_constant(tenant):
    org = tenant.org
    client = accountant(tenant)
    company = make_client(org)
    posted_invoice(tenant, company=company)
    one = _list_queries(client)
    for number in range(29):
        draft_invoice(tenant, company=make_client(org, name_latin=f"Client {number}", name_ar=""))
    thirty = _list_queries(client)
    assert Invoice.objects.filter(organization=org).count() == 30
    assert one == thirty


# --- files ---------------------------------------------------------------------------------------


def test_pdf_of_a_posted_invoice_is_rendered_once_and_stored(tenant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = posted_invoice(tenant)
    client = accountant(tenant)
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.pdf.name.endswith(".pdf")
    stored = invoice.pdf.name
    client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.pdf.name == stored
    xml = client.get(reverse("billing:invoice_xml", args=[invoice.pk]))
    assert xml.status_code == 200 and b"<Invoice" in b"".join(xml.streaming_content)


def test_pdf_preview_of_a_draft_is_not_stored(tenant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = draft_invoice(tenant)
    response = accountant(tenant).get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    invoice.refresh_from_db()
    assert not invoice.pdf
    assert accountant(tenant).get(reverse("billing:invoice_xml", args=[invoice.pk])).status_code == 404


# --- tenancy and languages ----------------------------------------------------------------------


def test_another_organizations_invoice_is_404_and_unchanged(tenant, other_tenant):
    draft = draft_invoice(other_tenant)
    posted = posted_invoice(other_tenant)
    client = accountant(tenant)
    for name in ("invoice_detail", "invoice_edit", "invoice_pdf", "invoice_xml", "invoice_credit_note"):
        assert client.get(reverse(f"billing:{name}", args=[posted.pk])).status_code == 404, name
    for name in ("invoice_post", "invoice_delete"):
        assert client.post(reverse(f"billing:{name}", args=[draft.pk])).status_code == 404, name
    assert client.post(reverse("billing:invoice_cancel", args=[posted.pk]), {"reason": "x"}).status_code == 404
    data = invoice_post_data(draft.company, [{"description": "X", "quantity": "1", "unit_price": "1"}])
    assert client.post(reverse("billing:invoice_edit", args=[draft.pk]), data).status_code == 404
    draft.refresh_from_db()
    posted.refresh_from_db()
    assert draft.is_draft and draft.total == Decimal("114.00") and draft.lines.count() == 1
    assert posted.status == Invoice.Status.POSTED and not Invoice.objects.filter(original_invoice=posted).exists()
    # Nor can its client, deal or lines' choices be used from this organization.
    response = client.get(reverse("billing:invoice_create"), {"company": draft.company_id})
    assert response.status_code == 404
    response = client.get(reverse("billing:invoice_list"), {"client": draft.company_id})
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pages_render_in_both_languages(tenant, listed, language):
    client = accountant(tenant, language)
    pages = [
        reverse("billing:invoice_list"),
        reverse("billing:invoice_create"),
        reverse("billing:invoice_detail", args=[listed["current"].pk]),
        reverse("billing:invoice_detail", args=[listed["credit"].pk]),
        reverse("billing:invoice_detail", args=[listed["draft"].pk]),
        reverse("billing:invoice_edit", args=[listed["draft"].pk]),
        reverse("billing:invoice_credit_note", args=[listed["overdue"].pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
        assert "style=" not in html.replace('rel="stylesheet"', "")
        assert "<script>" not in html
    detail = client.get(reverse("billing:invoice_detail", args=[listed["current"].pk])).content.decode()
    words = "مائتان وثلاثون ريالاً سعودياً" if language == "ar" else "Two Hundred Thirty Saudi Riyals"
    assert words in detail


def test_sidebar_links_to_the_billing_pages(tenant):
    html = accountant(tenant).get(reverse("billing:invoice_list")).content.decode()
    names = ("quote_list", "invoice_list", "payment_list", "recurring_list", "term_list", "tax_list")
    for name in (f"billing:{name}" for name in names):
        assert f'href="{reverse(name)}"' in html, name
    assert f'aria-current="page" href="{reverse("billing:invoice_list")}"' in html
    sales = client_for(tenant.user(Role.SALES)).get(reverse("billing:invoice_list")).content.decode()
    assert f'href="{reverse("billing:invoice_list")}"' in sales  # sellers see invoices without the ledger


def test_the_client_filter_lists_a_few_clients_and_still_filters_by_any(tenant):
    from mizan.core.forms.base import FILTER_CHOICES_CAP
    from mizan.crm.models import Company

    Company.objects.bulk_create(
        Company(
            organization=tenant.org, name_ar=f"عميل {n:03}", name_latin=f"Client {n:03}", search_name=f"client {n:03}"
        )
        for n in range(FILTER_CHOICES_CAP + 30)
    )
    last = Company.objects.get(organization=tenant.org, name_latin=f"Client {FILTER_CHOICES_CAP + 29:03}")
    invoice = draft_invoice(tenant, company=last)
    client = client_for(billing_member(tenant).user)
    page = client.get(reverse("billing:invoice_list")).content.decode()
    listed = re.findall(r'<option value="(\d+)"', page.split('name="client"')[1].split("</select>")[0])
    assert len(listed) == FILTER_CHOICES_CAP
    chosen = client.get(reverse("billing:invoice_list"), {"client": last.pk})
    html = chosen.content.decode()
    assert f'<option value="{last.pk}" selected>' in html  # beyond the cap, listed because chosen
    assert list(chosen.context["page"].object_list) == [invoice]
