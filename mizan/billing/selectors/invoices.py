"""Reads of invoices and credit notes for pages, exports and the API (scoped by organization, no N+1)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, Value, When

from mizan.billing.models import Allocation, Invoice, InvoiceLine, Tax
from mizan.billing.taxes import money_round

ZERO = Decimal("0")


def invoice_list(*, org: Any) -> QuerySet[Invoice]:
    """Invoices and credit notes of `org`, newest first, with what a list row shows."""
    return Invoice.objects.filter(organization=org).select_related("company", "original_invoice")


def invoice_detail_queryset(*, org: Any) -> QuerySet[Invoice]:
    """An invoice with what its page shows. The relations most invoices have are joined; the
    optional ones are prefetched, which costs no query when they are empty: joining all fourteen
    tables made PostgreSQL spend 20 ms planning the statement (docs/benchmarks.md)."""
    return (
        Invoice.objects.filter(organization=org)
        .select_related("company", "contact", "payment_term", "journal_entry__journal", "journal_entry__fiscal_year")
        .prefetch_related("original_invoice", "deal", "quote", "cost_center", "project", "recurring_schedule")
    )


@dataclass
class CurrencyTotal:
    currency: str
    total: Decimal
    amount_due: Decimal
    count: int


def invoice_totals_by_currency(*, invoices: QuerySet[Invoice]) -> list[CurrencyTotal]:
    """Totals of the issued documents of `invoices`, per currency, in one query.

    Drafts are left out (not issued); a credit note counts negative, so the totals are what the
    clients owe net. Sums are re-rounded (SQLite keeps decimals as floating point).
    """
    amount = DecimalField(max_digits=20, decimal_places=3)
    sign = Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=Value(-1)), default=Value(1))
    rows = (
        invoices.exclude(status=Invoice.Status.DRAFT)
        .order_by()
        .values("currency")
        .annotate(
            signed_total=Sum(F("total") * sign, output_field=amount),
            signed_due=Sum(F("amount_due") * sign, output_field=amount),
            count=Count("pk"),
        )
        .order_by("currency")
    )
    return [
        CurrencyTotal(
            currency=row["currency"],
            total=money_round(Decimal(str(row["signed_total"] or ZERO)), row["currency"]),
            amount_due=money_round(Decimal(str(row["signed_due"] or ZERO)), row["currency"]),
            count=row["count"],
        )
        for row in rows
    ]


def invoice_lines(*, invoice: Invoice) -> list[InvoiceLine]:
    """The lines in order (each with its `unit_label` in the page's language)."""
    return list(invoice.lines.select_related("product", "tax", "income_account").order_by("position", "pk"))


@dataclass
class TaxBreakdownRow:
    tax: Tax | None
    rate: Decimal
    net: Decimal = ZERO
    tax_amount: Decimal = ZERO


def invoice_tax_breakdown(*, lines: Iterable[InvoiceLine]) -> list[TaxBreakdownRow]:
    """Amount before tax and tax per tax of the lines (the frozen amounts; no query)."""
    rows: OrderedDict[Any, TaxBreakdownRow] = OrderedDict()
    for line in lines:
        key = line.tax_id
        if key not in rows:
            rows[key] = TaxBreakdownRow(tax=line.tax, rate=line.tax.rate if line.tax is not None else ZERO)
        rows[key].net += line.net_amount
        rows[key].tax_amount += line.tax_amount
    return sorted(rows.values(), key=lambda row: (-row.rate, row.tax.pk if row.tax is not None else 0))


@dataclass
class InvoiceRelations:
    """What settles a document and what it settles: allocations, credit notes, refunds."""

    allocations: list[Allocation] = field(default_factory=list)
    credit_notes: list[Invoice] = field(default_factory=list)
    used_on: list[Allocation] = field(default_factory=list)
    refunds: list[Any] = field(default_factory=list)


def invoice_relations(*, invoice: Invoice) -> InvoiceRelations:
    """Payments and credit notes allocated to an invoice; for a credit note, the invoices it settled."""
    relations = InvoiceRelations()
    relations.allocations = list(
        Allocation.objects.filter(invoice=invoice)
        .select_related("payment", "credit_note", "fx_entry")
        .order_by("date", "pk")
    )
    if invoice.is_credit_note:
        relations.used_on = list(
            Allocation.objects.filter(credit_note=invoice).select_related("invoice").order_by("date", "pk")
        )
        relations.refunds = list(invoice.refunds.order_by("date", "pk"))
    else:
        relations.credit_notes = list(
            Invoice.objects.filter(original_invoice=invoice, kind=Invoice.Kind.CREDIT_NOTE).order_by("issue_date", "pk")
        )
    return relations


def invoice_export_rows(*, invoices: QuerySet[Invoice]) -> Iterable[dict[str, Any]]:
    """The filtered list as rows for `mizan.core.exports.export_response` (streamed, one query)."""
    for invoice in invoices.iterator(chunk_size=500):
        yield {
            "number": invoice.display_number,
            "kind": invoice.get_kind_display(),
            "status": invoice.get_status_display(),
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "client": invoice.company.display_name(),
            "vat_number": invoice.company.vat_number,
            "reference": invoice.reference,
            "currency": invoice.currency,
            "net_total": invoice.net_total,
            "tax_total": invoice.tax_total,
            "total": invoice.total,
            "amount_paid": invoice.amount_paid,
            "amount_due": invoice.amount_due,
            "credited_invoice": invoice.original_invoice.display_number if invoice.original_invoice else "",
        }
