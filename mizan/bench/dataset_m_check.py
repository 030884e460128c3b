"""Dataset M's checks: the ledger and billing invariants, a content hash, the rows per table.

`check_dataset(org)` runs at the end of every build (and in the tests) and returns every broken
rule as a readable message; an empty list means the books hold:

1. every posted entry is balanced, and the trial balance of each fiscal year sums to zero;
2. every posted invoice has a posted entry whose receivable line carries the invoice's total (in
   the invoice's currency), and the entry's lines in the invoice currency add up to it both ways;
3. the receivable of each client in the ledger equals what billing says it owes: the amounts due
   of its open invoices minus the unallocated part of its payments (in the client's currency; for
   a client billed in the base currency, also to the base-currency cent; a foreign client with
   nothing open and no credit has a base-currency receivable of exactly zero);
4. invoice, payment and journal-entry numbers are gapless (1..n) per series and fiscal year,
   invoice numbers follow their dates, printed numbers match `assign_document_number`, and each
   `core.Sequence` row points at the next number;
5. each invoice's amount paid equals its allocations, amount due = total - paid, and its status
   follows (posted / partially paid / paid); each payment's amount used equals its allocations
   and is at most its amount;
6. the account month balances equal the posted lines they summarize;
7. the open items are exactly what the posted lines leave open: per reconciled account, partner
   and age date, the settling side applied to the oldest opening amounts first.

All of it is a handful of aggregate queries, whatever the size.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

ZERO = Decimal("0")
MILL = Decimal("0.001")
LIMIT = 10  # examples listed per rule


def _limited(problems: list[str], found: list[str], rule: str) -> None:
    if found:
        problems.append(f"{rule}: {len(found)} case(s), e.g. " + "; ".join(found[:LIMIT]))


def check_dataset(org: Any) -> list[str]:
    """Every broken invariant of the organization's books (see the module docstring)."""
    problems: list[str] = []
    _check_balance(org, problems)
    _check_invoice_entries(org, problems)
    _check_receivables(org, problems)
    _check_numbers(org, problems)
    _check_settlement(org, problems)
    _check_month_balances(org, problems)
    _check_open_items(org, problems)
    return problems


def _check_month_balances(org: Any, problems: list[str]) -> None:
    """Rule 6: per account, month, currency and closing flag, the summary row equals its lines."""
    from mizan.ledger.models import AccountMonthBalance, JournalEntry, JournalLine
    from mizan.ledger.services.month_balances import month_start

    expected: dict[tuple[Any, ...], tuple[Decimal, ...]] = defaultdict(lambda: (ZERO, ZERO, ZERO))
    lines = JournalLine.objects.filter(organization=org, entry__state=JournalEntry.State.POSTED)
    for account_id, day, currency, kind, debit, credit, amount in (
        lines.values("account_id", "entry__date", "currency", "entry__kind")
        .annotate(d=Sum("debit"), c=Sum("credit"), a=Sum("amount_currency"))
        .values_list("account_id", "entry__date", "currency", "entry__kind", "d", "c", "a")
        .iterator(chunk_size=5000)
    ):
        key = (account_id, month_start(day), currency, kind == JournalEntry.Kind.CLOSING)
        before = expected[key]
        expected[key] = (before[0] + _q(debit), before[1] + _q(credit), before[2] + _q(amount))
    stored = {
        (account_id, month, currency, is_closing): (_q(debit), _q(credit), _q(amount))
        for account_id, month, currency, is_closing, debit, credit, amount in AccountMonthBalance.objects.filter(
            organization=org
        ).values_list("account_id", "month", "currency", "is_closing", "debit", "credit", "amount_currency")
    }
    found = [
        f"account {key[0]} {key[1]:%Y-%m} {key[2]}{' closing' if key[3] else ''}: "
        f"lines {expected.get(key)}, month balance {stored.get(key)}"
        for key in sorted(set(expected) | set(stored), key=str)
        if expected.get(key, (ZERO, ZERO, ZERO)) != stored.get(key, (ZERO, ZERO, ZERO))
    ]
    _limited(problems, found, "account month balances differ from the posted lines")


def _check_open_items(org: Any, problems: list[str]) -> None:
    """Rule 7: the open items are exactly what FIFO leaves of each reconciled pair's lines."""
    from django.db import connection

    from mizan.ledger.models import Account, OpenItem
    from mizan.ledger.services.open_items import open_item_rows, open_items_from_lines

    accounts = list(Account.objects.filter(organization=org).values("pk", "type", "reconcile"))
    with connection.cursor() as cursor:
        activity = open_items_from_lines(cursor, org.pk, accounts)
    expected = {(row[1], row[2], row[3]): _q(row[4]) for row in open_item_rows(org.pk, activity)}
    stored: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for account_id, partner_id, age_date, amount in OpenItem.objects.filter(organization=org).values_list(
        "account_id", "partner_id", "age_date", "amount"
    ):
        stored[(account_id, partner_id, age_date)] += _q(amount)
    found = [
        f"account {key[0]} partner {key[1]} {key[2] or 'credit balance'}: "
        f"lines leave {expected.get(key, ZERO)}, open items {stored.get(key, ZERO)}"
        for key in sorted(set(expected) | set(stored), key=str)
        if expected.get(key, ZERO) != stored.get(key, ZERO)
    ]
    _limited(problems, found, "open items differ from the balances of the posted lines")


def _q(value: Any) -> Decimal:
    """An aggregate as an exact Decimal: SQLite sums decimals as floats, so round to the columns' 3 places."""
    return Decimal(value or 0).quantize(MILL)


def _check_balance(org: Any, problems: list[str]) -> None:
    from mizan.ledger.models import JournalEntry, JournalLine

    lines = JournalLine.objects.filter(organization=org, entry__state=JournalEntry.State.POSTED)
    per_year: dict[str, Decimal] = defaultdict(Decimal)
    unbalanced = []
    for entry_id, year, debit, credit in (
        lines.values("entry_id", "entry__fiscal_year__name")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("entry_id", "entry__fiscal_year__name", "d", "c")
        .iterator(chunk_size=5000)
    ):
        debit, credit = _q(debit), _q(credit)
        per_year[year] += debit - credit
        if debit != credit:
            unbalanced.append(f"entry {entry_id}: {debit} != {credit}")
    _limited(problems, unbalanced, "unbalanced entries")
    _limited(
        problems,
        [f"{year}: {amount}" for year, amount in sorted(per_year.items()) if amount],
        "trial balance does not sum to zero",
    )
    drafts = JournalEntry.objects.filter(organization=org).exclude(state=JournalEntry.State.POSTED).count()
    if drafts:
        problems.append(f"draft entries: {drafts}")


def _check_invoice_entries(org: Any, problems: list[str]) -> None:
    from mizan.billing.models import Invoice
    from mizan.ledger.models import AccountRole, JournalEntry, JournalLine

    invoices = Invoice.objects.filter(organization=org).exclude(status=Invoice.Status.DRAFT)
    missing = invoices.filter(Q(journal_entry__isnull=True) | ~Q(journal_entry__state=JournalEntry.State.POSTED))
    _limited(
        problems,
        [str(pk) for pk in missing.values_list("pk", flat=True)[: LIMIT + 1]],
        "posted invoices without a posted entry",
    )
    receivable = _receivable_per_entry(org)
    sides = {
        row["entry_id"]: (_q(row["debit"]), _q(row["credit"]))
        for row in JournalLine.objects.filter(organization=org, entry__source_type__model="invoice")
        .exclude(account__role=AccountRole.ROUNDING)
        .values("entry_id")
        .annotate(
            debit=Sum("amount_currency", filter=Q(amount_currency__gt=0)),
            credit=Sum("amount_currency", filter=Q(amount_currency__lt=0)),
        )
    }
    wrong = []
    for number, entry_id, total, kind in invoices.values_list("document_number", "journal_entry_id", "total", "kind"):
        sign = -1 if kind == Invoice.Kind.CREDIT_NOTE else 1
        debit, credit = sides.get(entry_id, (ZERO, ZERO))
        if receivable.get(entry_id) != total * sign or debit != total or -credit != total:
            wrong.append(f"{number}: total {total}, receivable {receivable.get(entry_id)}, entry {debit}/{-credit}")
    _limited(problems, wrong, "invoice entries that do not carry the invoice's total")


def _receivable_per_entry(org: Any) -> dict[int, Decimal]:
    from mizan.ledger.models import AccountRole, JournalLine

    return {
        row["entry_id"]: _q(row["amount"])
        for row in JournalLine.objects.filter(
            organization=org, account__role=AccountRole.RECEIVABLE, entry__source_type__model="invoice"
        )
        .values("entry_id")
        .annotate(amount=Sum("amount_currency"))
    }


def _check_receivables(org: Any, problems: list[str]) -> None:
    from mizan.billing.models import Invoice, Payment
    from mizan.ledger.models import AccountRole, JournalEntry, JournalLine

    base = org.base_currency
    owed: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for company, currency, due in (
        Invoice.objects.filter(organization=org, status__in=Invoice.OPEN_STATUSES)
        .values("company_id", "currency")
        .annotate(due=Sum("amount_due"))
        .values_list("company_id", "currency", "due")
    ):
        owed[(company, currency)] += _q(due)
    for company, currency, amount, used in (
        Payment.objects.filter(organization=org, direction=Payment.Direction.RECEIVED)
        .values("company_id", "currency")
        .annotate(amount=Sum("amount"), used=Sum("amount_used"))
        .values_list("company_id", "currency", "amount", "used")
    ):
        owed[(company, currency)] -= _q(amount) - _q(used)
    lines = JournalLine.objects.filter(
        organization=org, account__role=AccountRole.RECEIVABLE, entry__state=JournalEntry.State.POSTED
    )
    in_currency: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    in_base: dict[int, Decimal] = defaultdict(Decimal)
    for partner, currency, amount, debit, credit in (
        lines.values("partner_id", "currency")
        .annotate(amount=Sum("amount_currency"), debit=Sum("debit"), credit=Sum("credit"))
        .values_list("partner_id", "currency", "amount", "debit", "credit")
    ):
        in_base[partner] += _q(debit) - _q(credit)
        if currency != base:
            in_currency[(partner, currency)] += _q(amount)
    foreign_clients = {company for company, currency in owed if currency != base}
    wrong = []
    for (company, currency), amount in owed.items():
        if currency != base:
            ledger = in_currency.get((company, currency), ZERO)
            if ledger != amount:
                wrong.append(f"client {company}: owes {amount} {currency}, ledger {ledger}")
            elif amount == 0 and in_base.get(company, ZERO) != 0:
                wrong.append(f"client {company}: settled in {currency} but {in_base[company]} {base} left")
        elif company not in foreign_clients and in_base.get(company, ZERO) != amount:
            wrong.append(f"client {company}: owes {amount} {base}, ledger {in_base.get(company, ZERO)}")
    for partner, amount in in_base.items():
        if amount and not any(key[0] == partner for key in owed):
            wrong.append(f"client {partner}: {amount} in the ledger, nothing in billing")
    _limited(problems, wrong, "receivable per client differs from billing")


def _gapless(rows: list[tuple[Any, int, Any]]) -> list[str]:
    """rows: (series key, number, date or None), any order. Gaps, repeats and numbers out of date order."""
    by_series: dict[Any, list[tuple[int, Any]]] = defaultdict(list)
    for key, number, day in rows:
        by_series[key].append((number, day))
    found = []
    for key, items in by_series.items():
        items.sort(key=lambda item: item[0])
        numbers = [number for number, _day in items]
        if numbers != list(range(1, len(numbers) + 1)):
            found.append(f"{key}: numbers are not 1..{len(numbers)}")
        days = [day for _number, day in items if day is not None]
        if any(later < earlier for earlier, later in itertools.pairwise(days)):
            found.append(f"{key}: a number is dated before the one it follows")
    return found


def _check_numbers(org: Any, problems: list[str]) -> None:
    from mizan.billing.models import Invoice, Payment
    from mizan.core.models import Sequence
    from mizan.ledger.models import JournalEntry

    invoices = list(
        Invoice.objects.filter(organization=org, number__isnull=False).values_list(
            "series", "fiscal_year_id", "fiscal_year__name", "number", "issue_date", "document_number"
        )
    )
    found = _gapless([((series, year), number, day) for series, year, _name, number, day, _printed in invoices])
    found += [
        f"{printed} != {series}-{name}-{number:05d}"
        for series, _year, name, number, _day, printed in invoices
        if printed != f"{series}-{name}-{number:05d}"
    ]
    payments = list(
        Payment.objects.filter(organization=org).values_list(
            "direction", "fiscal_year_id", "fiscal_year__name", "number", "date", "document_number"
        )
    )
    found += _gapless(
        [((direction, year), number, None) for direction, year, _name, number, _day, _printed in payments]
    )
    prefixes = {Payment.Direction.RECEIVED: "RCT", Payment.Direction.REFUND: "RFD"}
    found += [
        f"{printed} != {prefixes[direction]}-{name}-{number:05d}"
        for direction, _year, name, number, _day, printed in payments
        if printed != f"{prefixes[direction]}-{name}-{number:05d}"
    ]
    entries = JournalEntry.objects.filter(organization=org, state=JournalEntry.State.POSTED).values_list(
        "journal_id", "fiscal_year_id", "number"
    )
    found += _gapless([((f"journal:{journal}", year), number, None) for journal, year, number in entries])
    last: dict[tuple[str, str], int] = defaultdict(int)
    for series, year, _name, number, _day, _printed in invoices:
        last[(f"billing:{series}", str(year))] = max(last[(f"billing:{series}", str(year))], number)
    for direction, year, _name, number, _day, _printed in payments:
        last[(f"billing:payment:{direction}", str(year))] = max(
            last[(f"billing:payment:{direction}", str(year))], number
        )
    for journal, year, number in entries:
        last[(f"journal:{journal}", str(year))] = max(last[(f"journal:{journal}", str(year))], number)
    counters = {(row.key, row.period_key): row.next_value for row in Sequence.objects.filter(organization=org)}
    for key, number in last.items():
        if counters.get(key) != number + 1:
            found.append(f"sequence {key[0]}/{key[1]}: next {counters.get(key)}, last number {number}")
    _limited(problems, found, "numbering")


def _check_settlement(org: Any, problems: list[str]) -> None:
    from mizan.billing.models import Invoice, Payment

    found = []
    invoices = (
        Invoice.objects.filter(organization=org, kind=Invoice.Kind.INVOICE)
        .exclude(status=Invoice.Status.DRAFT)
        .annotate(allocated=Sum("allocations__amount"))
        .values_list("document_number", "total", "amount_paid", "amount_due", "status", "allocated")
    )
    for number, total, paid, due, status, allocated in invoices:
        allocated = _q(allocated)
        expected = (
            Invoice.Status.PAID if due == 0 else Invoice.Status.PARTIALLY_PAID if paid > 0 else Invoice.Status.POSTED
        )
        if paid != allocated or due != total - paid or due < 0 or status != expected:
            found.append(f"{number}: total {total}, paid {paid}, allocated {allocated}, due {due}, {status}")
    payments = (
        Payment.objects.filter(organization=org, direction=Payment.Direction.RECEIVED)
        .annotate(allocated=Sum("allocations__amount"))
        .values_list("document_number", "amount", "amount_used", "allocated")
    )
    for number, amount, used, allocated in payments:
        if used != _q(allocated) or used > amount:
            found.append(f"{number}: amount {amount}, used {used}, allocated {allocated}")
    _limited(problems, found, "settlement")


# --- description ---------------------------------------------------------------------------------


def table_counts(org: Any) -> dict[str, int]:
    """Rows of the organization per table (what the page timings will run against)."""
    from mizan.billing.models import Allocation, Invoice, InvoiceLine, Payment
    from mizan.core.models import AuditEntry
    from mizan.crm.models import Activity, Company, Contact, Deal, DealStageChange
    from mizan.ledger.models import JournalEntry, JournalLine

    return {
        "crm_company": Company.objects.filter(organization=org).count(),
        "crm_contact": Contact.objects.filter(organization=org).count(),
        "crm_deal": Deal.objects.filter(organization=org).count(),
        "crm_deal_contacts": Deal.contacts.through.objects.filter(deal__organization=org).count(),
        "crm_dealstagechange": DealStageChange.objects.filter(organization=org).count(),
        "crm_activity": Activity.objects.filter(organization=org).count(),
        "billing_invoice": Invoice.objects.filter(organization=org).count(),
        "billing_invoiceline": InvoiceLine.objects.filter(invoice__organization=org).count(),
        "billing_payment": Payment.objects.filter(organization=org).count(),
        "billing_allocation": Allocation.objects.filter(organization=org).count(),
        "ledger_journalentry": JournalEntry.objects.filter(organization=org).count(),
        "ledger_journalline": JournalLine.objects.filter(organization=org).count(),
        "core_auditentry": AuditEntry.objects.filter(organization=org).count(),
    }


def dataset_summary(org: Any) -> dict[str, str]:
    """A few figures people can compare between builds and databases."""
    from mizan.billing.models import Invoice, Payment
    from mizan.crm.models import Deal
    from mizan.ledger.models import JournalLine

    invoices = Invoice.objects.filter(organization=org)
    statuses = dict(invoices.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    deals = dict(
        Deal.objects.filter(organization=org).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    money = JournalLine.objects.filter(organization=org).aggregate(debit=Sum("debit"))  # summary only
    totals = dict(invoices.values_list("currency").annotate(t=Sum("total")).values_list("currency", "t"))
    paid = dict(
        Payment.objects.filter(organization=org)
        .values_list("currency")
        .annotate(t=Sum("amount"))
        .values_list("currency", "t")
    )
    return {
        "invoices_by_status": ", ".join(f"{key} {value}" for key, value in sorted(statuses.items())),
        "deals_by_status": ", ".join(f"{key} {value}" for key, value in sorted(deals.items())),
        "invoiced": ", ".join(f"{key} {_q(value):.2f}" for key, value in sorted(totals.items())),
        "paid": ", ".join(f"{key} {_q(value):.2f}" for key, value in sorted(paid.items())),
        "ledger_debits": f"{_q(money['debit']):.2f}",
    }


def dataset_hash(org: Any) -> str:
    """SHA-256 of the dataset's content, without ids and clock times: two builds of one scale and
    seed give the same hash, on either path and either database."""
    from mizan.billing.models import Allocation, Invoice, InvoiceLine, Payment
    from mizan.crm.models import Activity, Company, Contact, Deal
    from mizan.ledger.models import JournalLine

    digest = hashlib.sha256()

    def feed(queryset: Any, *fields: str) -> None:
        # Sorted in Python: databases order NULLs and text differently.
        rows = sorted(
            repr(tuple(_plain(value) for value in row))
            for row in queryset.order_by().values_list(*fields).iterator(chunk_size=5000)
        )
        for row in rows:
            digest.update(row.encode())
            digest.update(b"\n")
        digest.update(b"|")

    feed(
        Company.objects.filter(organization=org),
        "name_ar",
        "name_latin",
        "search_name",
        "email",
        "phone",
        "vat_number",
        "city",
        "owner__full_name",
    )
    feed(
        Contact.objects.filter(organization=org),
        "name_ar",
        "name_latin",
        "search_name",
        "company__name_latin",
        "email",
        "mobile",
    )
    feed(
        Deal.objects.filter(organization=org),
        "stage__position",
        "position",
        "title",
        "company__name_latin",
        "value",
        "currency",
        "status",
        "lost_reason__name_en",
        "last_activity_at",
    )
    feed(
        Activity.objects.filter(organization=org),
        "occurred_at",
        "kind",
        "subject",
        "company__name_latin",
        "deal__title",
        "deal__position",
        "contact__email",
    )
    feed(
        Invoice.objects.filter(organization=org),
        "document_number",
        "company__name_latin",
        "issue_date",
        "due_date",
        "currency",
        "exchange_rate",
        "net_total",
        "discount_total",
        "tax_total",
        "total",
        "amount_paid",
        "amount_due",
        "status",
        "saudi_type",
        "language",
        "reference",
    )
    feed(
        InvoiceLine.objects.filter(invoice__organization=org),
        "invoice__document_number",
        "position",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "tax__rate",
        "income_account__code",
        "net_amount",
        "discount_amount",
        "tax_amount",
        "gross_amount",
    )
    feed(
        Payment.objects.filter(organization=org),
        "document_number",
        "company__name_latin",
        "date",
        "amount",
        "currency",
        "exchange_rate",
        "amount_used",
        "method",
        "reference",
        "journal_entry__number",
    )
    feed(
        Allocation.objects.filter(organization=org),
        "payment__document_number",
        "invoice__document_number",
        "amount",
        "date",
        "fx_entry__number",
    )
    feed(
        JournalLine.objects.filter(organization=org),
        "entry__journal__code", "entry__fiscal_year__name", "entry__number", "position", "entry__date", "entry__memo",
        "entry__reference", "entry__source_type__model", "account__code", "debit", "credit", "partner__name_latin",
        "description", "due_date", "currency", "amount_currency", "exchange_rate",
    )  # fmt: skip
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """Decimals by value (12.50 == 12.5 on either database), dates and times as ISO text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value else "0"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
