"""Account balances by SQL aggregation (never a Python loop over lines), re-rounded to 3 places
because SQLite sums decimals as floating point."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from mizan.ledger.models import JournalEntry, JournalLine

ZERO = Decimal("0")
_THREE_PLACES = Decimal("0.001")


def reround(value: Any) -> Decimal:
    """A SQL sum back to an exact 3-place Decimal (SQLite returns float-derived values)."""
    if value is None:
        return ZERO.quantize(_THREE_PLACES)
    return Decimal(str(value)).quantize(_THREE_PLACES, rounding=ROUND_HALF_UP)


def posted_lines(
    *,
    org: Any,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    exclude_closing: bool = False,
) -> Any:
    """The posted lines of `org` in a date range: the base of every balance and report."""
    lines = JournalLine.objects.filter(organization=org, entry__state=JournalEntry.State.POSTED)
    if date_from is not None:
        lines = lines.filter(entry__date__gte=date_from)
    if date_to is not None:
        lines = lines.filter(entry__date__lte=date_to)
    if exclude_closing:
        lines = lines.exclude(entry__kind=JournalEntry.Kind.CLOSING)
    return lines


def account_balances(
    *,
    org: Any,
    date_to: datetime.date | None = None,
    date_from: datetime.date | None = None,
    account_types: list[str] | None = None,
    exclude_closing: bool = False,
) -> dict[int, Decimal]:
    """{account id: debit - credit} of posted lines, only for accounts with lines."""
    lines = posted_lines(org=org, date_from=date_from, date_to=date_to, exclude_closing=exclude_closing)
    if account_types is not None:
        lines = lines.filter(account__type__in=account_types)
    rows = lines.values("account_id").order_by("account_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    return {row["account_id"]: reround(row["debit"]) - reround(row["credit"]) for row in rows}


def entry_totals(*, entry: JournalEntry) -> tuple[Decimal, Decimal]:
    """(total debit, total credit) of one entry, summed in SQL."""
    totals = JournalLine.objects.filter(entry=entry).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return reround(totals["debit"]), reround(totals["credit"])
