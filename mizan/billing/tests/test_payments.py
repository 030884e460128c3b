"""Payments, allocations, client credit and refunds: their effect on invoices and on the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError

from mizan.billing.models import Allocation, Invoice, Payment
from mizan.billing.selectors.payments import (
    allocation_plan,
    client_credit,
    client_credit_sources,
    open_invoices_for,
    payment_list,
    payment_totals,
)
from mizan.billing.services import payments as payment_services
from mizan.billing.services.invoices import credit_note_create, invoice_cancel, invoice_post
from mizan.billing.services.payments import allocation_create, payment_record, refund_create
from mizan.billing.tests.factories import (
    RECEIVABLE,
    billing_member,
    line,
    make_client,
    posted_invoice,
    role_balance,
    standard_tax,
)
from mizan.core.errors import DomainError
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, JournalEntry
from mizan.ledger.services.currencies import exchange_rate_set

pytestmark = pytest.mark.django_db

BANK = AccountRole.BANK
CASH = AccountRole.CASH


def bank(org) -> Account:
    return Account.objects.get(organization=org, role=BANK)


def invoice_of(tenant, client, unit_price: str = "100", **data) -> Invoice:
    """A posted invoice of `unit_price` plus the standard VAT (Egypt: 14%)."""
    return posted_invoice(
        tenant, company=client, lines=[line(unit_price=unit_price, tax=standard_tax(tenant.org))], **data
    )


def record(tenant, client, amount, allocations=(), **data) -> Payment:
    org = tenant.org
    key = data.pop("key", "")
    values = {"company": client, "amount": Decimal(amount), "account": bank(org), **data}
    return payment_record(
        org=org,
        actor_membership=billing_member(tenant),
        data=values,
        allocations=[{"invoice": invoice, "amount": Decimal(value)} for invoice, value in allocations],
        idempotency_key=key,
    )


def refreshed(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db()
    return invoice


def entry_count(org) -> int:
    return JournalEntry.objects.filter(organization=org).count()


# --- recording ------------------------------------------------------------------------------------


def test_full_payment_settles_the_invoice_and_moves_receivable_to_bank(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)  # 114.00 EGP
    payment = record(other_tenant, client, "114", [(invoice, "114")], reference="TRX-1")
    assert payment.number == 1 and payment.display_number == f"RCT-{payment.date.year}-00001"
    assert payment.amount_used == Decimal("114") and payment.unallocated == 0
    invoice = refreshed(invoice)
    assert invoice.status == Invoice.Status.PAID
    assert (invoice.amount_paid, invoice.amount_due) == (Decimal("114.00"), Decimal("0.00"))
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert role_balance(org, BANK) == Decimal("114.00")
    entry = JournalEntry.objects.get(pk=payment.journal_entry_id)
    assert entry.state == "posted" and entry.journal.code == "BNK" and entry.source_id == payment.pk
    allocation = Allocation.objects.get(payment=payment)
    assert allocation.invoice == invoice and allocation.amount == Decimal("114") and allocation.fx_entry is None


def test_partial_payment_leaves_the_rest_due(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client, "1000")  # 1140.00
    record(other_tenant, client, "400", [(invoice, "400")])
    invoice = refreshed(invoice)
    assert invoice.status == Invoice.Status.PARTIALLY_PAID
    assert (invoice.amount_paid, invoice.amount_due) == (Decimal("400.00"), Decimal("740.00"))
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("740.00")
    assert role_balance(org, BANK) == Decimal("400.00")


def test_cash_payment_posts_in_the_cash_journal(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    cash = Account.objects.get(organization=org, role=CASH)
    payment = record(other_tenant, client, "50", account=cash, method="cash")
    assert payment.journal_entry.journal.code == "CSH"
    assert role_balance(org, CASH) == Decimal("50.00")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("-50.00")


def test_one_payment_settles_several_invoices_and_numbers_follow(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    first, second = invoice_of(other_tenant, client), invoice_of(other_tenant, client, "200")  # 114, 228
    payment = record(other_tenant, client, "342", [(second, "228"), (first, "114")])
    assert {refreshed(first).status, refreshed(second).status} == {Invoice.Status.PAID}
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert Allocation.objects.filter(payment=payment).count() == 2
    assert record(other_tenant, client, "1").number == 2


def test_overpayment_is_client_credit_applied_later_without_an_entry(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)  # 114
    payment = record(other_tenant, client, "200", [(invoice, "114")])
    assert payment.unallocated == Decimal("86")
    assert client_credit(org=org, company=client) == {"EGP": Decimal("86.00")}
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("-86.00")

    later = invoice_of(other_tenant, client, "50")  # 57
    entries = entry_count(org)
    allocation = allocation_create(
        org=org, actor_membership=billing_member(other_tenant), source=payment, invoice=later, amount="57"
    )
    assert entry_count(org) == entries  # no new entry: the credit was already on the receivable
    assert allocation.payment == payment and allocation.fx_entry is None
    assert refreshed(later).status == Invoice.Status.PAID and refreshed(invoice).status == Invoice.Status.PAID
    payment.refresh_from_db()
    assert payment.amount_used == Decimal("171") and payment.unallocated == Decimal("29")
    assert client_credit(org=org, company=client) == {"EGP": Decimal("29.00")}
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("-29.00")
    assert role_balance(org, BANK) == Decimal("200.00")


def test_refund_pays_the_credit_back(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    payment = record(other_tenant, client, "150", [(invoice, "114")])
    refund = refund_create(
        org=org,
        actor_membership=billing_member(other_tenant),
        source=payment,
        amount="36",
        date=org.today(),
        account=bank(org),
        method="bank_transfer",
        reference="RF-1",
    )
    assert refund.direction == Payment.Direction.REFUND and refund.number == 1
    assert refund.display_number.startswith("RFD-") and refund.refund_of_payment == payment
    payment.refresh_from_db()
    assert payment.amount_used == Decimal("150") and payment.unallocated == 0
    assert role_balance(org, BANK) == Decimal("114.00")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert client_credit(org=org, company=client) == {}
    assert refund.journal_entry.journal.code == "BNK" and refund.journal_entry.source_id == refund.pk


def test_credit_note_credit_is_allocated_and_refunded(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    paid = invoice_of(other_tenant, client)  # 114, paid in full then cancelled: 114 of credit
    record(other_tenant, client, "114", [(paid, "114")])
    credit_note = invoice_cancel(org=org, actor_membership=member, invoice=paid, reason="Returned")
    assert credit_note.amount_due == Decimal("114.00")
    assert client_credit(org=org, company=client) == {"EGP": Decimal("114.00")}
    later = invoice_of(other_tenant, client, "50")  # 57
    allocation_create(org=org, actor_membership=member, source=credit_note, invoice=later, amount=Decimal("57"))
    assert refreshed(later).status == Invoice.Status.PAID
    assert refreshed(credit_note).amount_due == Decimal("57.00")
    refund = refund_create(
        org=org, actor_membership=member, source=credit_note, amount="57", date=org.today(), account=bank(org)
    )
    assert refund.refund_of_credit_note == credit_note
    assert refreshed(credit_note).amount_due == Decimal("0.00")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert role_balance(org, BANK) == Decimal("57.00")  # 114 in, 57 back
    assert client_credit(org=org, company=client) == {}


# --- foreign currency ------------------------------------------------------------------------------


def set_rate(tenant, currency: str, rate: str, day: datetime.date) -> None:
    exchange_rate_set(
        org=tenant.org, actor_membership=tenant.members[Role.OWNER], currency=currency, date=day, rate=Decimal(rate)
    )


def test_foreign_payment_at_a_higher_rate_posts_the_fx_gain(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    today = org.today()
    set_rate(other_tenant, "USD", "48.5", today - datetime.timedelta(days=10))
    invoice = invoice_of(other_tenant, client, currency="USD", issue_date=today - datetime.timedelta(days=10))
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("5529.00")  # 114 USD x 48.5
    set_rate(other_tenant, "USD", "50", today)
    payment = record(other_tenant, client, "114", [(invoice, "114")], currency="USD")
    assert payment.exchange_rate == Decimal("50")
    assert role_balance(org, BANK) == Decimal("5700.00")
    assert role_balance(org, AccountRole.FX_GAIN) == Decimal("-171.00")  # 114 x (50 - 48.5), a credit
    assert role_balance(org, AccountRole.FX_LOSS) == Decimal("0")
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    allocation = Allocation.objects.get(payment=payment)
    assert allocation.fx_entry.state == "posted" and allocation.fx_entry.source_id == payment.pk
    assert refreshed(invoice).status == Invoice.Status.PAID


def test_foreign_partial_payment_at_a_lower_rate_posts_the_fx_loss(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    today = org.today()
    set_rate(other_tenant, "USD", "48.5", today - datetime.timedelta(days=10))
    invoice = invoice_of(other_tenant, client, currency="USD", issue_date=today - datetime.timedelta(days=10))
    set_rate(other_tenant, "USD", "47.25", today)
    record(other_tenant, client, "100", [(invoice, "100")], currency="USD")
    assert role_balance(org, AccountRole.FX_LOSS) == Decimal("125.00")  # 100 x (48.5 - 47.25)
    assert role_balance(org, BANK) == Decimal("4725.00")
    # what is left is the 14 USD still due, at the invoice's rate
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("679.00")
    assert refreshed(invoice).amount_due == Decimal("14.00")


def test_foreign_credit_applied_and_refunded_later_realizes_the_difference(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    today = org.today()
    set_rate(other_tenant, "USD", "50", today - datetime.timedelta(days=5))
    payment = record(
        other_tenant, client, "200", currency="USD", date=today - datetime.timedelta(days=5)
    )  # all credit, at 50
    set_rate(other_tenant, "USD", "49", today)
    invoice = invoice_of(other_tenant, client, currency="USD")  # 114 USD at 49
    allocation = allocation_create(org=org, actor_membership=member, source=payment, invoice=invoice, amount="114")
    assert allocation.fx_entry is not None
    assert role_balance(org, AccountRole.FX_GAIN) == Decimal("-114.00")  # booked at 49, settled at 50
    refund_create(org=org, actor_membership=member, source=payment, amount="86", date=today, account=bank(org))
    assert role_balance(org, AccountRole.FX_GAIN) == Decimal("-200.00")  # and 86 x (50 - 49) on the refund
    assert role_balance(org, BANK) == Decimal("5786.00")  # 200 x 50 in, 86 x 49 out
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")


# --- Saudi organization ------------------------------------------------------------------------------


def test_saudi_payment_settles_a_simplified_tax_invoice(tenant):
    org = tenant.org
    client = make_client(org)
    invoice = posted_invoice(tenant, company=client, lines=[line(unit_price="1000", tax=standard_tax(org, "15"))])
    record(tenant, client, "1150", [(invoice, "1150")])
    assert refreshed(invoice).status == Invoice.Status.PAID
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("0.00")
    assert role_balance(org, BANK) == Decimal("1150.00")


# --- idempotency -----------------------------------------------------------------------------------


def test_same_key_twice_records_one_payment(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    first = record(other_tenant, client, "114", [(invoice, "114")], key="abc-1")
    entries = entry_count(org)
    again = record(other_tenant, client, "114", [(invoice, "114")], key="abc-1")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Payment.objects.filter(organization=org).count() == 1
    assert entry_count(org) == entries
    assert role_balance(org, BANK) == Decimal("114.00")


def test_same_key_with_another_payload_is_refused(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    record(other_tenant, client, "100", key="abc-2")
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, "101", key="abc-2")
    assert error.value.code == "billing.idempotency_key_reused"
    assert Payment.objects.filter(organization=org).count() == 1


def test_concurrent_same_key_returns_the_winner(other_tenant):
    """The loser of a race passes the first lookup, then hits the unique constraint."""
    org = other_tenant.org
    client = make_client(org)
    winner = record(other_tenant, client, "100", key="race")
    real = payment_services._existing_for_key
    calls = []

    def first_miss(org_, key):
        calls.append(key)
        return None if len(calls) == 1 else real(org_, key)

    with mock.patch.object(payment_services, "_existing_for_key", side_effect=first_miss):
        loser = record(other_tenant, client, "100", key="race")
    assert loser.pk == winner.pk and loser.replayed
    assert Payment.objects.filter(organization=org).count() == 1
    assert role_balance(org, BANK) == Decimal("100.00")


def test_an_integrity_error_without_a_key_is_not_swallowed(other_tenant):
    client = make_client(other_tenant.org)
    with (
        mock.patch.object(payment_services, "_payment_record", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        record(other_tenant, client, "100")


# --- bad input: a translated error and nothing changed ------------------------------------------------


def assert_nothing_recorded(org, entries: int, invoice: Invoice | None = None, due: str | None = None) -> None:
    assert not Payment.objects.filter(organization=org).exists()
    assert not Allocation.objects.filter(organization=org, payment__isnull=False).exists()
    assert entry_count(org) == entries
    if invoice is not None:
        invoice = refreshed(invoice)
        assert invoice.amount_due == Decimal(due) and invoice.status == Invoice.Status.POSTED


@pytest.mark.parametrize(
    ("amount", "allocated", "code"),
    [
        ("100", "114", "billing.allocation_exceeds_payment"),
        ("200", "150", "billing.allocation_exceeds_due"),
        ("0", None, "billing.amount_invalid"),
        ("-5", None, "billing.amount_invalid"),
        ("10.005", None, "billing.amount_precision"),
        ("114", "0", "billing.amount_invalid"),
    ],
)
def test_bad_amounts_are_refused(other_tenant, amount, allocated, code):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    entries = entry_count(org)
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, amount, [(invoice, allocated)] if allocated else [])
    assert error.value.code == code and error.value.message
    assert_nothing_recorded(org, entries, invoice, "114.00")


def test_allocation_to_another_clients_invoice_is_refused(other_tenant):
    org = other_tenant.org
    client, other_client = make_client(org), make_client(org, name_latin="Other Co")
    invoice = invoice_of(other_tenant, other_client)
    entries = entry_count(org)
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, "114", [(invoice, "114")])
    assert error.value.code == "billing.allocation_other_client"
    assert_nothing_recorded(org, entries, invoice, "114.00")


def test_allocation_to_another_organizations_invoice_is_not_found(other_tenant, tenant):
    org = other_tenant.org
    client = make_client(org)
    foreign = posted_invoice(tenant, lines=[line(tax=standard_tax(tenant.org, "15"))])
    entries = entry_count(org)
    for target in (foreign, foreign.pk):
        with pytest.raises(DomainError) as error:
            record(other_tenant, client, "115", [(target, "115")])
        assert error.value.code == "not_found"
    assert_nothing_recorded(org, entries)
    assert refreshed(foreign).amount_due == Decimal("115.00")


def test_allocation_in_another_currency_or_to_a_draft_is_refused(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    set_rate(other_tenant, "USD", "50", org.today())
    usd = invoice_of(other_tenant, client, currency="USD")
    entries = entry_count(org)
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, "114", [(usd, "114")])
    assert error.value.code == "billing.allocation_currency"
    credit_note = credit_note_create(
        org=org, actor_membership=billing_member(other_tenant), invoice=usd, reason="Discount"
    )
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, "114", [(credit_note, "114")], currency="USD")
    assert error.value.code == "billing.invoice_not_open"
    assert_nothing_recorded(org, entries)


def test_an_account_that_is_not_bank_or_cash_is_refused(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    invoice = invoice_of(other_tenant, client)
    entries = entry_count(org)
    revenue = Account.objects.get(organization=org, role=AccountRole.REVENUE)
    with pytest.raises(DomainError) as error:
        record(other_tenant, client, "114", [(invoice, "114")], account=revenue)
    assert error.value.code == "billing.account_not_money" and error.value.field == "account"
    assert_nothing_recorded(org, entries, invoice, "114.00")


def test_another_organizations_client_or_account_is_not_found(other_tenant, tenant):
    org = other_tenant.org
    entries = entry_count(org)
    with pytest.raises(DomainError) as error:
        record(other_tenant, make_client(tenant.org), "10")
    assert error.value.code == "not_found"
    with pytest.raises(DomainError) as error:
        record(other_tenant, make_client(org), "10", account=bank(tenant.org))
    assert error.value.code == "not_found"
    assert_nothing_recorded(org, entries)


def test_a_member_without_billing_edit_cannot_record(other_tenant):
    org = other_tenant.org
    with pytest.raises(DomainError) as error:
        payment_record(
            org=org,
            actor_membership=other_tenant.members[Role.SALES],
            data={"company": make_client(org), "amount": Decimal("10"), "account": bank(org)},
        )
    assert error.value.code == "permission_denied"
    assert not Payment.objects.filter(organization=org).exists()


def test_credit_cannot_be_used_twice_or_beyond_the_invoice(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    payment = record(other_tenant, client, "100")
    invoice = invoice_of(other_tenant, client, "200")  # 228
    with pytest.raises(DomainError) as error:
        allocation_create(org=org, actor_membership=member, source=payment, invoice=invoice, amount="150")
    assert error.value.code == "billing.credit_exceeded"
    small = invoice_of(other_tenant, client, "10")  # 11.40
    with pytest.raises(DomainError) as error:
        allocation_create(org=org, actor_membership=member, source=payment, invoice=small, amount="20")
    assert error.value.code == "billing.allocation_exceeds_due"
    with pytest.raises(DomainError) as error:
        refund_create(org=org, actor_membership=member, source=payment, amount="101", account=bank(org))
    assert error.value.code == "billing.credit_exceeded"
    payment.refresh_from_db()
    assert payment.amount_used == 0
    assert refreshed(invoice).amount_due == Decimal("228.00") and refreshed(small).amount_due == Decimal("11.40")
    assert Payment.objects.filter(organization=org).count() == 1


def test_a_refund_is_not_a_source_of_credit(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    payment = record(other_tenant, client, "100")
    refund = refund_create(org=org, actor_membership=member, source=payment, amount="40", account=bank(org))
    with pytest.raises(DomainError) as error:
        refund_create(org=org, actor_membership=member, source=refund, amount="10", account=bank(org))
    assert error.value.code == "billing.source_not_credit"


# --- selectors ---------------------------------------------------------------------------------------


def test_open_invoices_oldest_due_first_and_the_plan_fills_them_in_order(other_tenant):
    org = other_tenant.org
    client = make_client(org)
    today = org.today()
    newer = invoice_of(other_tenant, client, issue_date=today)
    older = invoice_of(other_tenant, client, "50", issue_date=today, due_date=today)
    paid = invoice_of(other_tenant, client, "10", issue_date=today)
    record(other_tenant, client, "11.40", [(paid, "11.40")])
    invoices = list(open_invoices_for(org=org, company=client, currency="EGP"))
    assert invoices == [older, newer]
    plan = allocation_plan(invoices, Decimal("100"))
    assert [amount for _invoice, amount in plan] == [Decimal("57.00"), Decimal("43.00")]
    assert [amount for _invoice, amount in allocation_plan(invoices, None)] == [0, 0]


def test_list_filters_totals_and_credit_sources(other_tenant):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client, other_client = make_client(org), make_client(org, name_latin="Other Co")
    today = org.today()
    set_rate(other_tenant, "USD", "50", today)
    first = record(other_tenant, client, "100")
    record(other_tenant, other_client, "30", method="cash")
    record(other_tenant, client, "20", currency="USD")
    refund_create(org=org, actor_membership=member, source=first, amount="25", account=bank(org))
    assert payment_list(org=org).count() == 4
    assert payment_list(org=org, company=client, currency="EGP").count() == 2
    assert payment_list(org=org, method="cash").get().company == other_client
    assert payment_list(org=org, direction=Payment.Direction.REFUND).get().amount == Decimal("25")
    assert payment_list(org=org, date_from=today + datetime.timedelta(days=1)).count() == 0
    totals = payment_totals(payment_list(org=org))
    assert totals == [
        {
            "currency": "EGP",
            "received": Decimal("130.00"),
            "refunded": Decimal("25.00"),
            "unallocated": Decimal("105.00"),
        },
        {"currency": "USD", "received": Decimal("20.00"), "refunded": Decimal("0"), "unallocated": Decimal("20.00")},
    ]
    sources = client_credit_sources(org=org, company=client)
    assert [(source.source, source.available) for source in sources] == [
        (first, Decimal("75")),
        (sources[1].source, 20),
    ]
    assert client_credit(org=org, company=client) == {"EGP": Decimal("75.00"), "USD": Decimal("20.00")}


def test_posting_a_credit_note_of_an_open_invoice_needs_no_payment(other_tenant):
    """A credit note first settles its own invoice; only the rest is client credit."""
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = make_client(org)
    invoice = invoice_of(other_tenant, client, "1000")  # 1140
    record(other_tenant, client, "1000", [(invoice, "1000")])
    note = credit_note_create(org=org, actor_membership=member, invoice=invoice, reason="Returned")
    invoice_post(org=org, actor_membership=member, invoice=note)
    assert refreshed(note).amount_due == Decimal("1000.00")  # 140 settled the invoice's rest
    assert client_credit(org=org, company=client) == {"EGP": Decimal("1000.00")}
    assert role_balance(org, RECEIVABLE, partner=client) == Decimal("-1000.00")
