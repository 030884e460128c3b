"""Reads of payments and client credit, scoped to one organization, in a constant number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, QuerySet, Sum

from mizan.billing.models import Allocation, Invoice, Payment
from mizan.billing.taxes import money_round

ZERO = Decimal("0")
OPEN_STATUSES = (Invoice.Status.POSTED, Invoice.Status.PARTIALLY_PAID)


def payment_filter(
    payments: QuerySet[Payment],
    *,
    company: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    method: str = "",
    direction: str = "",
    currency: str = "",
    account: Any = None,
) -> QuerySet[Payment]:
    """Narrow a payment queryset by the list filters (each one optional)."""
    if company is not None:
        payments = payments.filter(company=company)
    if date_from:
        payments = payments.filter(date__gte=date_from)
    if date_to:
        payments = payments.filter(date__lte=date_to)
    if method:
        payments = payments.filter(method=method)
    if direction:
        payments = payments.filter(direction=direction)
    if currency:
        payments = payments.filter(currency=currency)
    if account is not None:
        payments = payments.filter(account=account)
    return payments


def payment_list(*, org: Any, **filters: Any) -> QuerySet[Payment]:
    """The organization's payments and refunds, newest first, with what a list row shows
    (client, account, entry) joined: one query whatever the number of rows."""
    payments = Payment.objects.filter(organization=org).select_related("company", "account", "journal_entry")
    return payment_filter(payments, **filters).order_by("-date", "-number", "-pk")


def payment_totals(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    """Per currency: received, refunded and unallocated (client credit) of the given payments
    (one query; SQLite sums decimals as floats, so every sum is rounded again)."""
    rows = (
        payments.order_by()
        .values("currency", "direction")
        .annotate(amount=Sum("amount"), used=Sum("amount_used"))
        .order_by("currency", "direction")
    )
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        currency = row["currency"]
        entry = totals.setdefault(
            currency, {"currency": currency, "received": ZERO, "refunded": ZERO, "unallocated": ZERO}
        )
        amount = money_round(row["amount"] or ZERO, currency)
        if row["direction"] == Payment.Direction.RECEIVED:
            entry["received"] += amount
            entry["unallocated"] += amount - money_round(row["used"] or ZERO, currency)
        else:
            entry["refunded"] += amount
    return [totals[currency] for currency in sorted(totals)]


def payment_detail(*, org: Any, pk: Any) -> Payment | None:
    """One payment with its allocations (and their invoices and FX entries) and refunds."""
    return (
        Payment.objects.filter(organization=org, pk=pk)
        .select_related(
            "company", "account", "journal_entry__journal", "refund_of_payment", "refund_of_credit_note", "created_by"
        )
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("invoice", "fx_entry__journal").order_by("date", "pk"),
            ),
            Prefetch("refunds", queryset=Payment.objects.select_related("account").order_by("date", "pk")),
        )
        .first()
    )


def open_invoices_for(*, org: Any, company: Any, currency: str | None = None) -> QuerySet[Invoice]:
    """The client's posted invoices with an amount due, oldest due first (the order credit settles them)."""
    invoices = Invoice.objects.filter(
        organization=org,
        company=company,
        kind=Invoice.Kind.INVOICE,
        status__in=OPEN_STATUSES,
        amount_due__gt=0,
    )
    if currency:
        invoices = invoices.filter(currency=currency)
    return invoices.order_by("due_date", "issue_date", "number", "pk")


def allocation_plan(
    invoices: list[Invoice], amount: Decimal | None, *, first: int | None = None
) -> list[tuple[Invoice, Decimal]]:
    """Spread `amount` over `invoices`, each up to its amount due: the invoice the payment was
    opened from (`first`) first, then in their order (oldest first). The plan keeps their order."""
    left = amount if amount is not None and amount > 0 else ZERO
    shares: dict[int, Decimal] = {}
    for invoice in sorted(invoices, key=lambda invoice: invoice.pk != first):
        shares[invoice.pk] = min(left, invoice.amount_due)
        left -= shares[invoice.pk]
    return [(invoice, shares[invoice.pk]) for invoice in invoices]


@dataclass(frozen=True)
class CreditSource:
    """A payment received or a credit note with client credit left."""

    source: Payment | Invoice
    currency: str
    available: Decimal
    date: datetime.date

    @property
    def is_payment(self) -> bool:
        return isinstance(self.source, Payment)


def client_credit_sources(*, org: Any, company: Any, currency: str | None = None) -> list[CreditSource]:
    """Payments with an unallocated amount and posted credit notes with an amount not yet used,
    oldest first (two queries)."""
    payments = Payment.objects.filter(
        organization=org, company=company, direction=Payment.Direction.RECEIVED, amount_used__lt=F("amount")
    )
    notes = Invoice.objects.filter(
        organization=org, company=company, kind=Invoice.Kind.CREDIT_NOTE, amount_due__gt=0
    ).exclude(status=Invoice.Status.DRAFT)
    if currency:
        payments, notes = payments.filter(currency=currency), notes.filter(currency=currency)
    sources = [
        CreditSource(source=payment, currency=payment.currency, available=payment.unallocated, date=payment.date)
        for payment in payments.order_by("date", "pk")
    ] + [
        CreditSource(source=note, currency=note.currency, available=note.amount_due, date=note.issue_date)
        for note in notes.order_by("issue_date", "pk")
    ]
    return sorted(sources, key=lambda item: (item.date, not item.is_payment, item.source.pk))


def client_credit(*, org: Any, company: Any) -> dict[str, Decimal]:
    """The client's credit per currency: unallocated payments plus unused credit notes (two queries)."""
    credit: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments = (
        Payment.objects.filter(organization=org, company=company, direction=Payment.Direction.RECEIVED)
        .values("currency")
        .annotate(amount=Sum("amount"), used=Sum("amount_used"))
        .order_by("currency")
    )
    for row in payments:
        currency = row["currency"]
        credit[currency] += money_round(row["amount"] or ZERO, currency) - money_round(row["used"] or ZERO, currency)
    notes = (
        Invoice.objects.filter(organization=org, company=company, kind=Invoice.Kind.CREDIT_NOTE)
        .exclude(status=Invoice.Status.DRAFT)
        .values("currency")
        .annotate(amount=Sum("amount_due"))
        .order_by("currency")
    )
    for row in notes:
        credit[row["currency"]] += money_round(row["amount"] or ZERO, row["currency"])
    return {currency: amount for currency, amount in sorted(credit.items()) if amount}
