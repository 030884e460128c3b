"""Credit notes reverse what their invoice charged: same terms, bounded per tax, in order, once."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from mizan.billing.models import Invoice, Tax, TaxKind
from mizan.billing.services.invoices import credit_note_create, invoice_cancel, invoice_post, invoice_update
from mizan.billing.services.taxes import tax_update
from mizan.billing.tests.factories import (
    RECEIVABLE,
    VAT,
    billing_member,
    line,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.errors import DomainError
from mizan.core.roles import Role
from mizan.ledger.models import JournalLine
from mizan.ledger.services.currencies import exchange_rate_set

pytestmark = pytest.mark.django_db


def test_a_credit_note_keeps_its_invoices_currency_and_rate(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    exchange_rate_set(org=org, actor_membership=member, currency="USD", date=org.today(), rate=Decimal("50"))
    invoice = posted_invoice(other_tenant, currency="USD", lines=[line(unit_price="1000")])
    credit_note = credit_note_create(org=org, actor_membership=member, invoice=invoice, reason="Error")
    for change in ({"currency": "EGP"}, {"exchange_rate": Decimal("60")}):
        with pytest.raises(DomainError) as error:
            invoice_update(org=org, actor_membership=member, invoice=credit_note, data=change, lines=None)
        assert error.value.code == "billing.credit_note_frozen"
    credit_note.refresh_from_db()
    assert (credit_note.currency, credit_note.exchange_rate) == ("USD", Decimal("50"))
    invoice_post(org=org, actor_membership=member, invoice=credit_note)
    assert role_balance(org, RECEIVABLE) == 0


def test_vat_never_charged_cannot_be_credited(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    invoice = posted_invoice(other_tenant, lines=[line(unit_price="1000", tax=None)])
    with pytest.raises(DomainError) as error:
        credit_note_create(
            org=org,
            actor_membership=member,
            invoice=invoice,
            reason="x",
            lines=[line(unit_price="500", tax=standard_tax(org))],
        )
    assert error.value.code == "billing.credit_line_not_invoiced"
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_credit_is_bounded_per_tax_across_credit_notes(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    tax = standard_tax(org)
    invoice = posted_invoice(other_tenant, lines=[line(unit_price="600", tax=tax), line(unit_price="400", tax=None)])
    first = credit_note_create(
        org=org, actor_membership=member, invoice=invoice, reason="a", lines=[line(unit_price="500", tax=tax)]
    )
    invoice_post(org=org, actor_membership=member, invoice=first)
    with pytest.raises(DomainError) as error:  # 500 + 200 > 600 at 14%, although the total would fit
        credit_note_create(
            org=org, actor_membership=member, invoice=invoice, reason="b", lines=[line(unit_price="200", tax=tax)]
        )
    assert error.value.code == "billing.credit_exceeds_tax"


def test_an_invoice_with_a_retired_tax_can_still_be_cancelled(tenant):
    org, member = tenant.org, billing_member(tenant)
    tax = standard_tax(org, "15")
    invoice = posted_invoice(tenant, lines=[line(unit_price="1000", tax=tax)])
    Tax.objects.filter(pk=tax.pk).update(is_active=False, valid_to=org.today() - datetime.timedelta(days=1))
    credit_note = invoice_cancel(org=org, actor_membership=member, invoice=invoice, reason="Cancelled order")
    invoice.refresh_from_db()
    assert credit_note.tax_total == Decimal("150.00") and invoice.status == Invoice.Status.CANCELLED
    assert role_balance(org, VAT) == 0


def test_cancelling_twice_is_refused(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    invoice = posted_invoice(other_tenant)
    invoice_cancel(org=org, actor_membership=member, invoice=invoice, reason="x")
    with pytest.raises(DomainError) as error:
        invoice_cancel(org=org, actor_membership=member, invoice=invoice, reason="x")
    assert error.value.code == "billing.partly_credited"
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1


def test_journal_lines_carry_the_number_and_fiscal_years_name_the_number(other_tenant):
    org = other_tenant.org
    org.fiscal_year_start_month = 4
    org.save(update_fields=["fiscal_year_start_month"])
    invoice = posted_invoice(other_tenant)
    assert invoice.document_number == f"INV-{invoice.fiscal_year.name}-00001"
    descriptions = set(JournalLine.objects.filter(entry=invoice.journal_entry).values_list("description", flat=True))
    assert descriptions == {invoice.document_number}


def test_a_tax_rate_in_use_cannot_change(other_tenant):
    org = other_tenant.org
    tax = standard_tax(org)
    posted_invoice(other_tenant, lines=[line(tax=tax)])
    with pytest.raises(DomainError) as error:
        tax_update(org=org, actor_membership=other_tenant.members[Role.OWNER], tax=tax, data={"rate": Decimal("10")})
    assert error.value.code == "billing.tax_in_use"
    tax.refresh_from_db()
    assert tax.rate == Decimal("14") and tax.kind == TaxKind.STANDARD


def test_changing_a_drafts_currency_drops_the_old_rate(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    for currency, rate in (("USD", "48"), ("EUR", "55")):
        exchange_rate_set(org=org, actor_membership=member, currency=currency, date=org.today(), rate=Decimal(rate))
    from mizan.billing.tests.factories import draft_invoice

    draft = draft_invoice(other_tenant, currency="USD", exchange_rate=Decimal("48"))
    invoice_update(org=org, actor_membership=member, invoice=draft, data={"currency": "EUR"}, lines=None)
    posted = invoice_post(org=org, actor_membership=member, invoice=draft)
    assert posted.exchange_rate == Decimal("55")


@pytest.mark.parametrize(
    "bad_line",
    [line(quantity="1000000000"), line(quantity="1000", unit_price="99999999999999999.999")],
)
def test_absurd_amounts_are_refused_before_anything_is_saved(other_tenant, bad_line):
    from mizan.billing.tests.factories import draft_invoice

    with pytest.raises(DomainError) as error:
        draft_invoice(other_tenant, lines=[bad_line])
    assert error.value.code in {"billing.quantity_invalid", "billing.amount_too_large"}
    assert not Invoice.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Needs PostgreSQL row locks and real concurrency.")
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancels_credit_the_invoice_once(other_tenant):
    org, member = other_tenant.org, billing_member(other_tenant)
    invoice = posted_invoice(other_tenant)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def cancel() -> None:
        try:
            barrier.wait(timeout=30)
            invoice_cancel(org=org, actor_membership=member, invoice=invoice, reason="double click")
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["billing.partly_credited", "ok"]
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert role_balance(org, RECEIVABLE) == 0


def test_foreign_invoice_paid_in_parts_leaves_no_base_residue(other_tenant):
    """2.00 USD booked at 48.555 (97.11 EGP), paid by two 1.00 USD payments at 48.555 (48.56 each)."""
    from mizan.billing.services.payments import payment_record
    from mizan.ledger.models import Account, AccountRole

    org, member = other_tenant.org, billing_member(other_tenant)
    exchange_rate_set(org=org, actor_membership=member, currency="USD", date=org.today(), rate=Decimal("48.555"))
    invoice = posted_invoice(other_tenant, currency="USD", lines=[line(unit_price="2", tax=None)])
    bank = Account.objects.filter(organization=org, role=AccountRole.BANK).first()
    for reference in ("first", "second"):
        payment_record(
            org=org,
            actor_membership=member,
            data={
                "company": invoice.company,
                "amount": Decimal("1"),
                "currency": "USD",
                "account": bank,
                "reference": reference,
            },
            allocations=[{"invoice": invoice, "amount": Decimal("1")}],
        )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert role_balance(org, RECEIVABLE, partner=invoice.company) == 0
