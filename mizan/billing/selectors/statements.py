"""A client's statement of account: what was billed, credited, paid and refunded, per currency.

Read from the billing documents themselves (not the ledger), in the document currency, so the
client sees the figures printed on the invoices and receipts they hold:

- posted invoices (any status but draft: cancelled ones too, their credit note is a row as well)
  are debits of their total; credit notes are credits of their total;
- payments received are credits of their amount; refunds paid back are debits.

The opening balance is the same sum over everything dated before `date_from`. Each currency has
its own opening balance, rows and running balance: a client billed in SAR and USD owes two
amounts, never their sum. Four queries whatever the number of documents: opening sums of
invoices and of payments (grouped by currency), then the period's invoices and payments.
SQLite sums decimals as floating point, so every SQL sum is rounded again to the currency.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from mizan.billing.models import Invoice, Payment
from mizan.billing.taxes import money_round

ZERO = Decimal("0")


@dataclass(frozen=True)
class StatementRow:
    date: datetime.date
    kind: str  # "invoice", "credit_note", "payment" or "refund"
    number: str
    reference: str
    original_number: str  # the credited invoice of a credit note
    debit: Decimal
    credit: Decimal
    balance: Decimal

    @property
    def description(self) -> str:
        """In the active language (the PDF renders it under each language in turn)."""
        if self.kind == "invoice":
            text = _("Invoice")
        elif self.kind == "credit_note":
            text = _("Credit note for {number}").format(number=self.original_number)
        elif self.kind == "payment":
            text = _("Payment received")
        else:
            text = _("Refund paid")
        return f"{text} ({self.reference})" if self.reference else text


@dataclass
class CurrencyStatement:
    currency: str
    opening_balance: Decimal = ZERO
    rows: list[StatementRow] = field(default_factory=list)
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO

    @property
    def closing_balance(self) -> Decimal:
        """Positive: the client owes it; negative: the client's credit."""
        return self.rows[-1].balance if self.rows else self.opening_balance


@dataclass
class Statement:
    org: Any
    company: Any
    date_from: datetime.date
    date_to: datetime.date
    currencies: list[CurrencyStatement]

    @property
    def opening_balances(self) -> dict[str, Decimal]:
        return {section.currency: section.opening_balance for section in self.currencies}

    @property
    def closing_balances(self) -> dict[str, Decimal]:
        return {section.currency: section.closing_balance for section in self.currencies}


#: Same-day order: what was billed first, then what settled it.
_KIND_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2, "refund": 3}


def company_statement(*, org: Any, company: Any, date_from: datetime.date, date_to: datetime.date) -> Statement:
    """The statement of `company` (a client of `org`) from `date_from` to `date_to`, both included."""
    invoices = Invoice.objects.filter(organization=org, company=company).exclude(status=Invoice.Status.DRAFT)
    payments = Payment.objects.filter(organization=org, company=company)
    opening: dict[str, Decimal] = {}

    def add_opening(currency: str, amount: Decimal) -> None:
        opening[currency] = opening.get(currency, ZERO) + money_round(amount or ZERO, currency)

    sums = invoices.filter(issue_date__lt=date_from).values("currency", "kind").annotate(amount=Sum("total"))
    for row in sums.order_by():
        add_opening(row["currency"], row["amount"] if row["kind"] == Invoice.Kind.INVOICE else -row["amount"])
    sums = payments.filter(date__lt=date_from).values("currency", "direction").annotate(amount=Sum("amount"))
    for row in sums.order_by():
        received = row["direction"] == Payment.Direction.RECEIVED
        add_opening(row["currency"], -row["amount"] if received else row["amount"])

    entries: list[tuple[tuple, str, dict[str, Any]]] = []
    period_invoices = (
        invoices.filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .select_related("original_invoice")
        .order_by("issue_date", "number", "pk")
    )
    for invoice in period_invoices:
        is_credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
        kind = "credit_note" if is_credit else "invoice"
        entries.append(
            (
                (invoice.issue_date, _KIND_ORDER[kind], invoice.number or 0, invoice.pk),
                invoice.currency,
                {
                    "date": invoice.issue_date,
                    "kind": kind,
                    "number": invoice.display_number,
                    "reference": invoice.reference,
                    "original_number": invoice.original_invoice.display_number if is_credit else "",
                    "debit": ZERO if is_credit else invoice.total,
                    "credit": invoice.total if is_credit else ZERO,
                },
            )
        )
    period_payments = payments.filter(date__gte=date_from, date__lte=date_to).order_by("date", "number", "pk")
    for payment in period_payments:
        received = payment.direction == Payment.Direction.RECEIVED
        kind = "payment" if received else "refund"
        entries.append(
            (
                (payment.date, _KIND_ORDER[kind], payment.number, payment.pk),
                payment.currency,
                {
                    "date": payment.date,
                    "kind": kind,
                    "number": payment.display_number,
                    "reference": payment.reference,
                    "original_number": "",
                    "debit": ZERO if received else payment.amount,
                    "credit": payment.amount if received else ZERO,
                },
            )
        )

    sections = {
        currency: CurrencyStatement(currency=currency, opening_balance=amount)
        for currency, amount in opening.items()
        if amount
    }
    for _key, currency, values in sorted(entries, key=lambda entry: entry[0]):
        section = sections.setdefault(currency, CurrencyStatement(currency=currency))
        balance = section.closing_balance + values["debit"] - values["credit"]
        section.rows.append(StatementRow(balance=balance, **values))
        section.total_debit += values["debit"]
        section.total_credit += values["credit"]
    base = org.base_currency
    ordered = sorted(sections.values(), key=lambda section: (section.currency != base, section.currency))
    return Statement(org=org, company=company, date_from=date_from, date_to=date_to, currencies=ordered)
