"""A client's account: its documents, payments, and per currency what it owes and what it has in credit.

Read from the billing documents, in their own currency (a client billed in SAR and USD owes two
amounts, never their sum):

- balance due: what the open invoices (posted or partially paid) still ask for (`amount_due`);
- overdue: the part of it whose due date has passed (the organization's today);
- credit: payments received and not allocated (`amount - amount_used`, refunds included in the
  used part) plus credit notes not used on their invoice nor refunded (their `amount_due`);
- net balance: balance due minus credit, which is the client's receivable in the ledger.

Constant queries whatever the number of documents: one per list, one sum over invoices and one
over payments (grouped by currency). SQLite sums decimals as floating point, so every SQL sum is
rounded again to its currency.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from mizan.billing.models import Invoice, Payment
from mizan.billing.taxes import money_round
from mizan.crm.models import Company
from mizan.crm.selectors.visibility import crm_visible_or_404

ZERO = Decimal("0")
#: The newest documents and payments shown on the page (the statement has the full history).
ACCOUNT_LIST_LIMIT = 50


@dataclass
class CurrencyFigures:
    currency: str
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    balance_due: Decimal = ZERO
    overdue: Decimal = ZERO
    unallocated_payments: Decimal = ZERO
    unused_credit_notes: Decimal = ZERO

    @property
    def credit(self) -> Decimal:
        return self.unallocated_payments + self.unused_credit_notes

    @property
    def net_balance(self) -> Decimal:
        """Positive: the client owes it; negative: we owe it (the client's credit exceeds its dues)."""
        return self.balance_due - self.credit


@dataclass
class ClientAccount:
    company: Company
    today: datetime.date
    currencies: list[CurrencyFigures]
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    def figures_for(self, currency: str) -> CurrencyFigures:
        for row in self.currencies:
            if row.currency == currency:
                return row
        return CurrencyFigures(currency=currency)


def client_company_or_404(*, org: Any, membership: Any, pk: Any) -> Company:
    """The client with this id in `org` that the member may see (CRM visibility), else 404."""
    return crm_visible_or_404(Company.objects.all(), org=org, membership=membership, pk=pk)


def client_account_figures(*, org: Any, company: Company, today: datetime.date) -> list[CurrencyFigures]:
    """Two queries: sums over the client's posted documents and over its payments, per currency."""
    rows: dict[str, CurrencyFigures] = {}

    def figures(currency: str) -> CurrencyFigures:
        return rows.setdefault(currency, CurrencyFigures(currency=currency))

    invoice = Q(kind=Invoice.Kind.INVOICE)
    credit_note = Q(kind=Invoice.Kind.CREDIT_NOTE)
    open_invoice = invoice & Q(status__in=Invoice.OPEN_STATUSES)
    sums = (
        Invoice.objects.filter(organization=org, company=company)
        .exclude(status=Invoice.Status.DRAFT)
        .values("currency")
        .annotate(
            invoiced=Sum("total", filter=invoice),
            credited=Sum("total", filter=credit_note),
            balance_due=Sum("amount_due", filter=open_invoice),
            overdue=Sum("amount_due", filter=open_invoice & Q(due_date__lt=today)),
            unused_credit_notes=Sum("amount_due", filter=credit_note),
        )
        .order_by()
    )
    for row in sums:
        currency = row["currency"]
        target = figures(currency)
        for name in ("invoiced", "credited", "balance_due", "overdue", "unused_credit_notes"):
            setattr(target, name, money_round(row[name] or ZERO, currency))
    payment_sums = (
        Payment.objects.filter(organization=org, company=company)
        .values("currency", "direction")
        .annotate(amount=Sum("amount"), used=Sum("amount_used"))
        .order_by()
    )
    for row in payment_sums:
        currency = row["currency"]
        target = figures(currency)
        amount = money_round(row["amount"] or ZERO, currency)
        if row["direction"] == Payment.Direction.RECEIVED:
            target.received = amount
            target.unallocated_payments = amount - money_round(row["used"] or ZERO, currency)
        else:
            target.refunded = amount
    base = org.base_currency
    return sorted(rows.values(), key=lambda row: (row.currency != base, row.currency))


def client_account(*, org: Any, company: Company, limit: int = ACCOUNT_LIST_LIMIT) -> ClientAccount:
    """The account page and API: figures per currency and the newest documents and payments (4 queries)."""
    today = org.today()
    invoices = list(
        Invoice.objects.filter(organization=org, company=company)
        .select_related("original_invoice")
        .order_by("-issue_date", "-number", "-pk")[:limit]
    )
    payments = list(
        Payment.objects.filter(organization=org, company=company)
        .select_related("account")
        .order_by("-date", "-number", "-pk")[:limit]
    )
    return ClientAccount(
        company=company,
        today=today,
        currencies=client_account_figures(org=org, company=company, today=today),
        invoices=invoices,
        payments=payments,
    )
