"""A client's statement of account: opening balance, documents in date order, running balance, per currency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.billing.models import Invoice, Payment
from mizan.billing.pdf import statement_pdf
from mizan.billing.selectors.statements import company_statement
from mizan.billing.tests.test_pdf import contains, make_company, pdf_text, setup_org, translated
from mizan.ledger.models import Account, AccountRole
from mizan.ledger.services.periods import fiscal_year_for_date

pytestmark = pytest.mark.django_db

FEBRUARY = {"date_from": datetime.date(2026, 2, 1), "date_to": datetime.date(2026, 2, 28)}


def day(month: int, number: int) -> datetime.date:
    return datetime.date(2026, month, number)


def invoice(org, company, on, total, *, number, currency="SAR", **fields) -> Invoice:
    return Invoice.objects.create(
        organization=org,
        company=company,
        currency=currency,
        number=number,
        fiscal_year=fiscal_year_for_date(org=org, day=on),
        status=fields.pop("status", Invoice.Status.POSTED),
        issue_date=on,
        due_date=on + datetime.timedelta(days=30),
        net_total=total,
        total=total,
        **fields,
    )


def payment(org, company, on, amount, *, number, direction=Payment.Direction.RECEIVED, **fields) -> Payment:
    return Payment.objects.create(
        organization=org,
        company=company,
        direction=direction,
        number=number,
        fiscal_year=fiscal_year_for_date(org=org, day=on),
        date=on,
        amount=amount,
        currency=fields.pop("currency", "SAR"),
        account=Account.objects.filter(organization=org, role=AccountRole.BANK).first(),
        **fields,
    )


@pytest.fixture
def ledger(tenant, other_tenant):
    """January: billed 1,000, paid 400 (opening 600). February: the rows below. March: ignored."""
    org = setup_org(tenant.org, show_hijri_dates=False)
    client = make_company(org)
    invoice(org, client, day(1, 10), Decimal("1000"), number=1)
    payment(org, client, day(1, 20), Decimal("400"), number=1)
    second = invoice(org, client, day(2, 1), Decimal("1150"), number=2, reference="PO-42")
    invoice(org, client, day(2, 10), Decimal("150"), number=1, series="CN", kind="credit_note", original_invoice=second)
    payment(org, client, day(2, 10), Decimal("500"), number=2, reference="TRF-9")
    invoice(org, client, day(2, 12), Decimal("50"), number=5, status=Invoice.Status.CANCELLED)
    payment(org, client, day(2, 20), Decimal("100"), number=1, direction=Payment.Direction.REFUND)
    invoice(org, client, day(2, 28), Decimal("200"), number=3, currency="USD", exchange_rate=Decimal("3.75"))
    # Not on the statement: a draft, a later invoice, another client's, another organization's.
    invoice(org, client, day(2, 5), Decimal("999"), number=None, status=Invoice.Status.DRAFT)
    invoice(org, client, day(3, 1), Decimal("300"), number=4)
    invoice(org, make_company(org, name_ar="عميل آخر", name_latin="Other client"), day(2, 3), Decimal("777"), number=6)
    stranger = make_company(other_tenant.org, name_ar="شركة مصرية", name_latin="Egyptian Co")
    invoice(other_tenant.org, stranger, day(2, 3), Decimal("888"), number=1, currency="EGP")
    return org, client


def test_running_balance_per_currency(ledger, django_assert_num_queries):
    org, client = ledger
    with django_assert_num_queries(4):  # opening sums of invoices and payments, then the period's of each
        statement = company_statement(org=org, company=client, **FEBRUARY)

    sar, usd = statement.currencies
    assert (sar.currency, usd.currency) == ("SAR", "USD")
    assert sar.opening_balance == Decimal("600")
    rows = [(row.date, row.kind, row.number, row.debit, row.credit, row.balance) for row in sar.rows]
    assert rows == [
        (day(2, 1), "invoice", "INV-2026-00002", Decimal("1150"), Decimal("0"), Decimal("1750")),
        (day(2, 10), "credit_note", "CN-2026-00001", Decimal("0"), Decimal("150"), Decimal("1600")),
        (day(2, 10), "payment", "RCT-2026-00002", Decimal("0"), Decimal("500"), Decimal("1100")),
        (day(2, 12), "invoice", "INV-2026-00005", Decimal("50"), Decimal("0"), Decimal("1150")),
        (day(2, 20), "refund", "RFD-2026-00001", Decimal("100"), Decimal("0"), Decimal("1250")),
    ]
    assert (sar.total_debit, sar.total_credit, sar.closing_balance) == (
        Decimal("1300"),
        Decimal("650"),
        Decimal("1250"),
    )
    assert sar.rows[1].original_number == "INV-2026-00002"
    assert (sar.rows[0].reference, sar.rows[2].reference) == ("PO-42", "TRF-9")

    assert usd.opening_balance == Decimal("0")
    assert [(row.number, row.debit, row.balance) for row in usd.rows] == [
        ("INV-2026-00003", Decimal("200"), Decimal("200"))
    ]
    assert statement.opening_balances == {"SAR": Decimal("600"), "USD": Decimal("0")}
    assert statement.closing_balances == {"SAR": Decimal("1250"), "USD": Decimal("200")}


def test_descriptions_follow_the_active_language(ledger):
    org, client = ledger
    rows = company_statement(org=org, company=client, **FEBRUARY).currencies[0].rows
    assert [row.description for row in rows] == [
        "Invoice (PO-42)",
        "Credit note for INV-2026-00002",
        "Payment received (TRF-9)",
        "Invoice",
        "Refund paid",
    ]


def test_next_period_opens_with_the_closing_balance(ledger):
    org, client = ledger
    march = company_statement(org=org, company=client, date_from=day(3, 1), date_to=day(3, 31))
    assert march.opening_balances == {"SAR": Decimal("1250"), "USD": Decimal("200")}
    assert [(row.number, row.balance) for row in march.currencies[0].rows] == [("INV-2026-00004", Decimal("1550"))]


def test_other_organization_sees_nothing(ledger, other_tenant):
    _org, client = ledger
    assert company_statement(org=other_tenant.org, company=client, **FEBRUARY).currencies == []


def test_statement_pdf(ledger):
    org, client = ledger
    text = pdf_text(statement_pdf(org=org, company=client, language="both", **FEBRUARY))
    assert contains(text, "Statement of account", translated("Statement of account", "ar"))
    assert contains(text, org.name_ar, "شركة الأفق للتجارة", "Horizon Trading Co", "2026-02-01", "2026-02-28")
    assert contains(text, "INV-2026-00002", "CN-2026-00001", "RCT-2026-00002", "INV-2026-00005", "RFD-2026-00001")
    assert contains(text, "600.00", "1,750.00", "1,600.00", "1,100.00", "1,150.00", "1,250.00", "1,300.00", "650.00")
    assert contains(text, "SAR 1,250.00", "USD 200.00", "Credit note for INV-2026-00002", "Refund paid")
    assert contains(text, translated("Payment received", "ar"))
    assert not contains(text, "INV-2026-00004") and not contains(text, "777.00")


def test_statement_pdf_without_documents(tenant):
    client = make_company(tenant.org)
    text = pdf_text(statement_pdf(org=tenant.org, company=client, language="en", **FEBRUARY))
    assert contains(text, "Statement of account", "No documents in this period.", "Horizon Trading Co")
    assert not contains(text, "شركة الأفق للتجارة")
