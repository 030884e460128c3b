"""Dataset M's bulk path for billing: the invoices, payments and entries the services would write.

Through the services, one invoice costs about 45 statements to create and post and one payment
about 30 (see docs/benchmarks.md), so 50,000 invoices and 35,000 payments take most of an hour on
PostgreSQL. This path computes the same rows in memory, in the same order the services would
(invoices in date order, then payments in date order), with the services' own functions:

- lines: `clean_lines` (billing.services.documents) on the same line mappings `invoice_create`
  gets; totals: `compute_document_taxes` with the organization's rounding and the Saudi BR-S-09
  rule, exactly as `compute_totals` calls it; header defaults as `invoice_create` derives them
  (payment term and due date, document language, terms, Saudi invoice type, exchange rate of the
  issue date);
- entries: billing's `invoice_entry_lines` (receivable, revenue per income account, VAT per tax account)
  and the ledger's `prepare_lines` (validation, base-currency conversion, rounding line); payments
  the lines `payment_record` builds; the realized FX difference `fx_realized_gain_loss` with the
  last-allocation rule of `_fx_entry`;
- numbers: gapless per series and fiscal year in that order, `Invoice.assign_document_number`
  and `Payment.assign_document_number`, journal entries per journal and fiscal year, and the
  `core.Sequence` rows left where the services would leave them (next number);
- settlement: `amount_paid`, `amount_due` and the status as `invoice_settle` derives them.

Then it writes everything with bulk_create in one transaction. What it does not write: audit
entries and the queued PDF renderings (the services add one audit row per write and one task per
posted invoice). `dataset_m_check.check_dataset` verifies the result like any other build.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.bench.dataset_m import FOREIGN_CURRENCY, Books, DatasetError, Plan, invoice_input, payment_amount
from mizan.ledger.services.month_balances import month_balances_rebuild
from mizan.ledger.services.open_items import open_items_rebuild

ZERO = Decimal("0")
ONE = Decimal("1")
WRITE_BATCH = 1_000


@dataclass
class _Posted:
    """One document ready to write: the header, its lines, its entries with their lines."""

    document: Any
    lines: list[Any] = field(default_factory=list)
    entries: list[tuple[Any, list[Any]]] = field(default_factory=list)
    allocations: list[Any] = field(default_factory=list)


class _Context:
    """What the services look up once per call, looked up once."""

    def __init__(self, books: Books) -> None:
        from mizan.billing.models import Invoice, Payment
        from mizan.billing.services.invoices import (
            billing_settings_of,
            default_payment_term,
            role_account,
            sales_journal,
        )
        from mizan.billing.services.payments import money_journal
        from mizan.ledger.models import AccountRole, ExchangeRate, FiscalYear
        from mizan.ledger.services.entries import general_journal

        org = books.org
        self.books = books
        self.org = org
        self.user = books.membership.user
        self.settings = billing_settings_of(org)
        self.term = default_payment_term(org)
        self.sales_journal = sales_journal(org)
        self.bank_journal = money_journal(org, books.bank)
        self.general_journal = general_journal(org)
        self.receivable = role_account(org, AccountRole.RECEIVABLE)
        self.fx_gain = role_account(org, AccountRole.FX_GAIN)
        self.fx_loss = role_account(org, AccountRole.FX_LOSS)
        self.years = list(FiscalYear.objects.filter(organization=org).order_by("start_date"))
        rates = ExchangeRate.objects.filter(organization=org, currency=FOREIGN_CURRENCY).order_by("date")
        self.rate_days = [row.date for row in rates]
        self.rate_values = [row.rate for row in rates]
        self.counters: dict[tuple[str, int], int] = defaultdict(int)
        self.last_invoice_date: dict[tuple[str, int], datetime.date] = {}
        self.invoice_type = ContentType.objects.get_for_model(Invoice, for_concrete_model=True)
        self.payment_type = ContentType.objects.get_for_model(Payment, for_concrete_model=True)
        self.invoices: list[_Posted | None] = []
        self.payments: list[_Posted] = []
        self.allocated: dict[int, list[Decimal]] = defaultdict(list)

    def fiscal_year(self, day: datetime.date) -> Any:
        for year in self.years:
            if year.start_date <= day <= year.end_date:
                return year
        raise DatasetError(f"No fiscal year covers {day}.")

    def rate(self, currency: str, day: datetime.date) -> Decimal:
        """As `exchange_rate_for`: the latest rate dated on or before the day (1 for the base)."""
        if currency == self.org.base_currency:
            return ONE
        position = bisect.bisect_right(self.rate_days, day)
        if position == 0:
            raise DatasetError(f"No {currency} rate on or before {day}.")
        return self.rate_values[position - 1]

    def next_number(self, key: str, year: Any) -> int:
        self.counters[(key, year.pk)] += 1
        return self.counters[(key, year.pk)]


def _settle(invoice: Any, amount: Decimal) -> None:
    """`invoice_settle` without its save (the row is written once, at the end)."""
    from mizan.billing.models import Invoice

    invoice.amount_paid += amount
    invoice.amount_due = invoice.total - invoice.amount_paid
    if invoice.amount_due < 0 or invoice.amount_paid < 0:
        raise DatasetError(f"Over-allocated {invoice.display_number}.")
    if invoice.status != Invoice.Status.CANCELLED:
        if invoice.amount_due == 0:
            invoice.status = Invoice.Status.PAID
        elif invoice.amount_paid > 0:
            invoice.status = Invoice.Status.PARTIALLY_PAID
        else:
            invoice.status = Invoice.Status.POSTED


def _entry(
    ctx: _Context, *, journal: Any, year: Any, day: datetime.date, memo: str, reference: str, currency: str
) -> Any:
    from mizan.ledger.models import JournalEntry

    moment = timezone.now()
    return JournalEntry(
        organization=ctx.org,
        journal=journal,
        fiscal_year=year,
        number=ctx.next_number(f"journal:{journal.pk}", year),
        date=day,
        reference=(reference or "").strip()[:100],
        memo=(memo or "").strip()[:300],
        kind=JournalEntry.Kind.REGULAR,
        state=JournalEntry.State.POSTED,
        currency=currency,
        created_by=ctx.user,
        posted_at=moment,
        posted_by=ctx.user,
    )


def compute_invoices(ctx: _Context, plan: Plan) -> int:
    """Every invoice as `invoice_create` + `invoice_post` would leave it, in date order."""
    from mizan.billing.models import Invoice, InvoiceLine
    from mizan.billing.services.documents import apply_totals, clean_lines
    from mizan.billing.services.invoices import invoice_entry_lines
    from mizan.billing.taxes import compute_document_taxes
    from mizan.ledger.services.entries import prepare_lines

    org, settings_row = ctx.org, ctx.settings
    books = ctx.books
    ctx.invoices = [None] * len(plan.invoices)
    order = sorted(range(len(plan.invoices)), key=lambda i: (plan.invoices[i].issue_date, i))
    for index in order:
        item = plan.invoices[index]
        data, raw_lines = invoice_input(books, item)
        company = data["company"]
        currency = data.get("currency") or org.base_currency
        day = item.issue_date
        cleaned = clean_lines(org=org, lines=raw_lines, currency=currency, day=day)
        totals = compute_document_taxes(
            [line.tax_input() for line in cleaned],
            currency=currency,
            prices_include_tax=settings_row.prices_include_tax,
            rounding=settings_row.rounding,
            saudi_br_s_09=org.country == "SA",
            document_discount_percent=ZERO,
        )
        year = ctx.fiscal_year(day)
        invoice = Invoice(
            organization=org,
            kind=Invoice.Kind.INVOICE,
            series=settings_row.invoice_series,
            created_by=ctx.user,
            company=company,
            contact=data.get("contact"),
            currency=currency,
            issue_date=day,
            due_date=ctx.term.due_date_for(day) if ctx.term is not None else day,
            payment_term=ctx.term,
            discount_percent=ZERO,
            prices_include_tax=settings_row.prices_include_tax,
            language=company.language or settings_row.document_language,
            notes="",
            terms=str(settings_row.default_terms or "").strip(),
            reference=str(data.get("reference") or "").strip(),
            saudi_type=Invoice.SaudiType.STANDARD if company.vat_number else Invoice.SaudiType.SIMPLIFIED,
            exchange_rate=ctx.rate(currency, day),
            fiscal_year=year,
            posted_at=timezone.now(),
            posted_by=ctx.user,
            status=Invoice.Status.POSTED,
        )
        apply_totals(invoice, totals)
        if invoice.total <= 0:
            raise DatasetError("An invoice with a total of zero cannot be posted.")
        invoice.amount_paid, invoice.amount_due = ZERO, invoice.total
        lines = [
            InvoiceLine(
                position=position,
                product=line.product,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax=line.tax,
                income_account=line.income_account,
                net_amount=amounts.net,
                discount_amount=amounts.discount,
                tax_amount=amounts.tax,
                gross_amount=amounts.gross,
            )
            for position, (line, amounts) in enumerate(zip(cleaned, totals.lines, strict=True), start=1)
        ]
        prepared = prepare_lines(
            org=org, lines=invoice_entry_lines(org, invoice, lines), entry_currency=currency, day=day
        )
        entry = _entry(
            ctx, journal=ctx.sales_journal, year=year, day=day, memo="", reference=invoice.reference, currency=currency
        )
        series = (invoice.series, year.pk)
        invoice.assign_document_number(ctx.next_number(f"billing:{invoice.series}", year), year.name)
        if ctx.last_invoice_date.get(series, day) > day:
            raise DatasetError(f"{invoice.display_number} is dated before the last number of its series.")
        ctx.last_invoice_date[series] = day
        entry.memo = invoice.display_number  # `_stamp_entry`: the number on the entry and its lines
        for position, line in enumerate(prepared, start=1):
            line.position, line.description = position, invoice.display_number
        if org.country == "SA":
            from mizan.billing.zatca import invoice_qr_base64

            invoice.qr_code = invoice_qr_base64(invoice)
        ctx.invoices[index] = _Posted(document=invoice, lines=lines, entries=[(entry, prepared)])
    return len(order)


def compute_payments(ctx: _Context, plan: Plan) -> int:
    """Every payment as `payment_record` would leave it (with its allocation and FX entry), in date order."""
    from mizan.billing.models import Allocation, Payment
    from mizan.core.formatting import round_money
    from mizan.ledger.services.currencies import fx_realized_gain_loss
    from mizan.ledger.services.entries import LineInput, prepare_lines

    org, base = ctx.org, ctx.org.base_currency
    bank = ctx.books.bank
    for item in plan.payments:
        posted = ctx.invoices[item.invoice]
        invoice = posted.document
        if invoice.amount_due <= 0:
            raise DatasetError(f"Planned payment {item.index} finds invoice {invoice.display_number} settled.")
        currency, day, company = invoice.currency, item.date, invoice.company
        amount, allocated = payment_amount(
            item.kind, invoice.amount_due, share=item.share, extra=item.extra, currency=currency
        )
        rate = ctx.rate(currency, day)
        year = ctx.fiscal_year(day)
        common = {"currency": currency, "exchange_rate": rate, "partner": company}
        reference = item.reference.strip()[:100]
        lines = prepare_lines(
            org=org,
            lines=[
                LineInput(account=bank, debit=amount, description=reference, **common),
                LineInput(account=ctx.receivable, credit=amount, description=reference, **common),
            ],
            entry_currency=currency,
            day=day,
        )
        entry = _entry(
            ctx,
            journal=ctx.bank_journal,
            year=year,
            day=day,
            memo=_("Payment received"),
            reference=reference,
            currency=currency,
        )
        entries = [(entry, lines)]
        earlier = list(ctx.allocated[item.invoice])
        _settle(invoice, allocated)
        difference = fx_realized_gain_loss(
            org=org,
            amount_currency=allocated,
            currency=currency,
            original_rate=invoice.exchange_rate,
            settlement_rate=rate,
        )
        if currency != base and invoice.amount_due == 0:
            booked = invoice.exchange_rate
            booked_left = round_money(invoice.total * booked, base) - sum(
                (round_money(part * booked, base) for part in earlier), ZERO
            )
            difference = round_money(allocated * rate, base) - booked_left
        fx_entry = None
        if difference:
            if difference > 0:
                fx_lines = [
                    LineInput(account=ctx.receivable, debit=difference, partner=company, currency=base),
                    LineInput(account=ctx.fx_gain, credit=difference, currency=base),
                ]
            else:
                fx_lines = [
                    LineInput(account=ctx.fx_loss, debit=-difference, currency=base),
                    LineInput(account=ctx.receivable, credit=-difference, partner=company, currency=base),
                ]
            fx_entry = _entry(
                ctx,
                journal=ctx.general_journal,
                year=year,
                day=day,
                memo=_("Exchange difference on {number}").format(number=invoice.display_number),
                reference=reference,
                currency=base,
            )
            entries.append((fx_entry, prepare_lines(org=org, lines=fx_lines, entry_currency=base, day=day)))
        ctx.allocated[item.invoice].append(allocated)
        payment = Payment(
            organization=org,
            direction=Payment.Direction.RECEIVED,
            fiscal_year=year,
            company=company,
            date=day,
            amount=amount,
            currency=currency,
            exchange_rate=rate,
            account=bank,
            method=item.method,
            reference=reference,
            notes="",
            amount_used=allocated,
            idempotency_key="",
            created_by=ctx.user,
        )
        payment.assign_document_number(ctx.next_number(f"billing:payment:{payment.direction}", year), year.name)
        allocation = Allocation(
            organization=org, invoice=invoice, amount=allocated, date=day, fx_entry=fx_entry, created_by=ctx.user
        )
        ctx.payments.append(_Posted(document=payment, entries=entries, allocations=[allocation]))
    return len(plan.payments)


def _create(model: Any, rows: list[Any]) -> list[Any]:
    created = []
    for start in range(0, len(rows), WRITE_BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + WRITE_BATCH]))
    return created


def _write_documents(ctx: _Context, posted: list[_Posted], model: Any, content_type: Any) -> int:
    """Documents, then their entries (source = the document), entry lines, document lines, and the
    document's link to its first entry. Returns the rows written."""
    from mizan.ledger.models import JournalEntry, JournalLine

    documents = _create(model, [item.document for item in posted])
    entries, entry_lines, lines = [], [], []
    for item in posted:
        for entry, _lines in item.entries:
            entry.source_type, entry.source_id = content_type, item.document.pk
            entries.append(entry)
        for line in item.lines:
            line.invoice = item.document
            lines.append(line)
    _create(JournalEntry, entries)
    for item in posted:
        for entry, prepared in item.entries:
            for line in prepared:
                line.entry = entry
                entry_lines.append(line)
    _create(JournalLine, entry_lines)
    if lines:
        _create(type(lines[0]), lines)
    for item in posted:
        item.document.journal_entry = item.entries[0][0]
    model.objects.bulk_update(documents, ["journal_entry"], batch_size=500)
    return len(documents) + len(entries) + len(entry_lines) + len(lines)


def write_all(ctx: _Context) -> int:
    from mizan.billing.models import Allocation, Invoice, Payment
    from mizan.core.models import Sequence

    invoices = [item for item in ctx.invoices if item is not None]
    # The services write in posting order; ids follow it here too (invoices by date, then payments).
    invoices.sort(key=lambda item: (item.document.fiscal_year.start_date, item.document.number))
    rows = _write_documents(ctx, invoices, Invoice, ctx.invoice_type)
    rows += _write_documents(ctx, ctx.payments, Payment, ctx.payment_type)
    allocations = []
    for item in ctx.payments:
        for allocation in item.allocations:
            allocation.payment = item.document
            allocation.invoice = allocation.invoice  # the invoice was saved since: take its id
            allocations.append(allocation)
    rows += len(_create(Allocation, allocations))
    for (key, year_id), last in ctx.counters.items():
        Sequence.objects.update_or_create(
            organization_id=ctx.org.pk, key=key, period_key=str(year_id), defaults={"next_value": last + 1}
        )
    return rows


def write_billing_in_bulk(
    books: Books, plan: Plan, *, stages: list[Any], timed: Callable[..., Any], say: Callable[[str], None]
) -> None:
    """Compute the invoices, then the payments, then write them all in one transaction (timed stages)."""
    ctx = _Context(books)
    timed(stages, "invoices: compute", lambda: compute_invoices(ctx, plan), say)
    timed(stages, "payments: compute", lambda: compute_payments(ctx, plan), say)

    def write() -> int:
        with transaction.atomic():
            written = write_all(ctx)
            # The posting service keeps the month balances and open items entry by entry; the bulk
            # path computes them once.
            month_balances_rebuild(org=books.org)
            open_items_rebuild(org=books.org)
            return written

    timed(stages, "billing: write", write, say)
    books.invoices = [item.document if item is not None else None for item in ctx.invoices]
