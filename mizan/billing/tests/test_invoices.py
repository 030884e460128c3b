"""Invoice and credit-note rules: totals, posting to the ledger, numbering, immutability."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.billing.models import Allocation, Invoice, InvoiceLine
from mizan.billing.services.invoices import (
    credit_note_create,
    invoice_cancel,
    invoice_delete,
    invoice_post,
    invoice_update,
)
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
from mizan.core.errors import DomainError
from mizan.ledger.models import JournalEntry
from mizan.ledger.services.currencies import exchange_rate_set

pytestmark = pytest.mark.django_db


def test_draft_totals_with_line_and_document_discounts(other_tenant):
    tax = standard_tax(other_tenant.org)  # Egypt 14%
    invoice = draft_invoice(
        other_tenant,
        lines=[line(quantity="3", unit_price="200", discount_percent="10", tax=tax), line(unit_price="50.50", tax=tax)],
        discount_percent="5",
    )
    # 600 - 60 = 540 and 50.50; document discount 5% of 590.50 = 29.53 (29.525 rounded half up)
    assert invoice.net_total == Decimal("560.97")
    assert invoice.discount_total == Decimal("89.53")
    lines = list(invoice.lines.order_by("position"))
    assert [row.net_amount for row in lines] == [Decimal("513.00"), Decimal("47.97")]
    assert invoice.tax_total == sum(row.tax_amount for row in lines) == Decimal("78.54")
    assert invoice.total == Decimal("639.51")
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=30)  # default term: net 30


def test_kwd_three_decimals_and_inclusive_prices(other_tenant):
    org = other_tenant.org
    exchange_rate_set(
        org=org, actor_membership=billing_member(other_tenant), currency="KWD", date=org.today(), rate=Decimal("160")
    )
    tax = standard_tax(org)
    invoice = draft_invoice(
        other_tenant, currency="KWD", prices_include_tax=True, lines=[line(quantity="3", unit_price="1.333", tax=tax)]
    )
    assert invoice.total == Decimal("3.999")
    assert invoice.net_total + invoice.tax_total == Decimal("3.999")
    assert invoice.tax_total == (invoice.net_total * Decimal("0.14")).quantize(Decimal("0.001"))


def test_posting_writes_the_ledger_and_numbers_gaplessly(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    first = posted_invoice(other_tenant, company=client, lines=[line(unit_price="1000", tax=standard_tax(org))])
    second = posted_invoice(other_tenant, company=client, lines=[line(unit_price="500", tax=standard_tax(org))])
    assert (first.number, second.number) == (1, 2)
    assert first.display_number == f"INV-{first.issue_date.year}-00001"
    assert first.status == Invoice.Status.POSTED and first.amount_due == Decimal("1140.00")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("1710.00")
    assert role_balance(org, REVENUE) == Decimal("-1500.00")
    assert role_balance(org, VAT) == Decimal("-210.00")
    entry = JournalEntry.objects.get(pk=first.journal_entry_id)
    assert entry.state == "posted" and entry.source_id == first.pk
    receivable_line = entry.lines.get(account__role=RECEIVABLE)
    assert receivable_line.due_date == first.due_date and receivable_line.partner == client


def test_saudi_invoice_keeps_br_s_09_and_gets_a_qr_code(tenant):
    tax = standard_tax(tenant.org, "15")
    invoice = posted_invoice(tenant, lines=[line(unit_price="0.05", tax=tax) for _ in range(3)])
    # per line 0.01 x 3 = 0.03; once on the sum: 0.15 x 15% = 0.0225 -> 0.02
    assert invoice.tax_total == Decimal("0.02")
    assert invoice.qr_code
    assert role_balance(tenant.org, VAT) == Decimal("-0.02")


def test_foreign_currency_invoice_uses_the_rate_of_its_date(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    exchange_rate_set(org=org, actor_membership=member, currency="USD", date=org.today(), rate=Decimal("48.5"))
    invoice = posted_invoice(other_tenant, currency="USD", lines=[line(unit_price="100", tax=standard_tax(org))])
    assert invoice.exchange_rate == Decimal("48.5")
    assert role_balance(org, RECEIVABLE) == Decimal("5529.00")  # 114 USD x 48.5


def test_foreign_currency_without_a_rate_is_refused_and_nothing_changes(other_tenant):
    invoice = draft_invoice(other_tenant, currency="USD")
    with pytest.raises(DomainError) as error:
        invoice_post(org=other_tenant.org, actor_membership=billing_member(other_tenant), invoice=invoice)
    assert error.value.code == "ledger.no_exchange_rate"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
    assert not JournalEntry.objects.filter(organization=other_tenant.org).exists()


def test_an_invoice_dated_before_the_last_numbered_one_is_refused(other_tenant):
    org = other_tenant.org
    today = org.today()
    posted_invoice(other_tenant, issue_date=today)
    earlier = draft_invoice(other_tenant, issue_date=today - datetime.timedelta(days=1))
    with pytest.raises(DomainError) as error:
        invoice_post(org=org, actor_membership=billing_member(other_tenant), invoice=earlier)
    assert error.value.code == "billing.date_before_last"
    earlier.refresh_from_db()
    assert earlier.number is None and earlier.journal_entry_id is None
    assert JournalEntry.objects.filter(organization=org).count() == 1
    # The refused attempt took no number: the next invoice is 2.
    assert posted_invoice(other_tenant, issue_date=today).number == 2


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "billing.no_lines"),
        ([line(quantity="0")], "billing.quantity_invalid"),
        ([line(quantity="-1")], "billing.quantity_invalid"),
        ([line(unit_price="-5")], "billing.price_invalid"),
        ([line(quantity="abc")], "billing.line_invalid"),
    ],
)
def test_bad_lines_are_refused(other_tenant, lines, code):
    with pytest.raises(DomainError) as error:
        draft_invoice(other_tenant, lines=lines)
    assert error.value.code == code
    assert not Invoice.objects.filter(organization=other_tenant.org).exists()


def test_a_tax_of_another_organization_is_refused(tenant, other_tenant):
    foreign_tax = standard_tax(tenant.org)
    with pytest.raises(DomainError) as error:
        draft_invoice(other_tenant, lines=[line(tax=foreign_tax.pk)])
    assert error.value.code == "not_found"
    assert not Invoice.objects.exists()


def test_a_posted_invoice_cannot_be_edited_or_deleted(other_tenant):
    member = billing_member(other_tenant)
    invoice = posted_invoice(other_tenant)
    with pytest.raises(DomainError):
        invoice_update(org=other_tenant.org, actor_membership=member, invoice=invoice, data={"notes": "x"}, lines=None)
    with pytest.raises(DomainError):
        invoice_delete(org=other_tenant.org, actor_membership=member, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.notes == "" and invoice.status == Invoice.Status.POSTED


def test_full_credit_note_cancels_the_invoice_and_reverses_the_ledger(other_tenant):
    org = other_tenant.org
    invoice = posted_invoice(other_tenant, lines=[line(unit_price="1000", tax=standard_tax(org))])
    credit_note = invoice_cancel(
        org=org, actor_membership=billing_member(other_tenant), invoice=invoice, reason="Wrong client"
    )
    invoice.refresh_from_db()
    assert credit_note.kind == Invoice.Kind.CREDIT_NOTE and credit_note.number == 1 and credit_note.series == "CN"
    assert invoice.status == Invoice.Status.CANCELLED and invoice.amount_due == 0
    assert credit_note.amount_due == 0 and Allocation.objects.get().amount == Decimal("1140.00")
    for role in (RECEIVABLE, REVENUE, VAT):
        assert role_balance(org, role) == 0


def test_partial_credit_note_reduces_what_is_due_and_cannot_exceed_the_invoice(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    invoice = posted_invoice(other_tenant, lines=[line(unit_price="1000", tax=standard_tax(org))])
    partial = credit_note_create(
        org=org,
        actor_membership=member,
        invoice=invoice,
        reason="Discount agreed",
        lines=[line(unit_price="200", tax=standard_tax(org))],
    )
    invoice_post(org=org, actor_membership=member, invoice=partial)
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("912.00") and invoice.status == Invoice.Status.PARTIALLY_PAID
    assert role_balance(org, RECEIVABLE) == Decimal("912.00")
    with pytest.raises(DomainError) as error:
        credit_note_create(
            org=org,
            actor_membership=member,
            invoice=invoice,
            reason="Too much",
            lines=[line(unit_price="900", tax=standard_tax(org))],
        )
    assert error.value.code == "billing.credit_exceeds_invoice"
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert InvoiceLine.objects.filter(invoice__kind=Invoice.Kind.CREDIT_NOTE).count() == 1
