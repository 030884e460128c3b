"""Posted totals per account up to given days, from the month balances where they can answer.

The trial balance, profit and loss and balance sheet are differences of such totals (opening =
up to the day before the period; the period = up to its last day minus the opening). Whole
months come from AccountMonthBalance, the days of a month a day falls inside of from the lines:
two queries whatever the number of lines, reading at most accounts x months summary rows and
two months of lines (ADR 0006). Filters the month balances do not keep (cost center, project,
partner, account) take every figure from the lines instead.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When

from mizan.ledger.models import AccountMonthBalance
from mizan.ledger.selectors.balances import reround
from mizan.ledger.selectors.report_lines import LineFilters, lines_queryset

ZERO = Decimal("0.000")
_AMOUNT = DecimalField(max_digits=20, decimal_places=3)
_SUMS = ("debit", "credit", "amount_currency")


@dataclass(frozen=True)
class Cumulative:
    """Posted debits, credits and signed line-currency amounts up to and including a day."""

    debit: Decimal = ZERO
    credit: Decimal = ZERO
    amount_currency: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit

    def __add__(self, other: Cumulative) -> Cumulative:
        return Cumulative(
            self.debit + other.debit, self.credit + other.credit, self.amount_currency + other.amount_currency
        )

    def __sub__(self, other: Cumulative) -> Cumulative:
        return Cumulative(
            self.debit - other.debit, self.credit - other.credit, self.amount_currency - other.amount_currency
        )


def _sums(rows: QuerySet[Any], conditions: list[Q]) -> dict[int, list[Cumulative]]:
    """{account id: [the sums of the rows meeting each condition]}: one grouped query."""
    aggregates: dict[str, Any] = {}
    for index, condition in enumerate(conditions):
        for name in _SUMS:
            aggregates[f"{name}_{index}"] = Sum(
                Case(When(condition, then=F(name)), default=Value(ZERO), output_field=_AMOUNT), output_field=_AMOUNT
            )
    return {
        row["account_id"]: [
            Cumulative(*(reround(row[f"{name}_{index}"]) for name in _SUMS)) for index in range(len(conditions))
        ]
        for row in rows.values("account_id").order_by("account_id").annotate(**aggregates)
    }


def _month_cutoff(day: datetime.date) -> datetime.date:
    """The first month the month balances cannot give for `day`: its own month, unless it ends it."""
    if day.year == datetime.MAXYEAR and day.month == 12:
        return day.replace(day=1)  # no month after it: read December's days from the lines
    next_month = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return next_month if next_month - datetime.timedelta(days=1) == day else day.replace(day=1)


#: What the month balances keep; any other filter (account, partner, cost center, due dates, ...)
#: means reading the lines. Dates are bounded by `days`, not by the filters.
_SUMMARY_FILTERS = {"account_types", "currency", "exclude_closing", "date_from", "date_to"}


def _summary_answers(filters: LineFilters) -> bool:
    default = LineFilters()
    return all(
        getattr(filters, item.name) == getattr(default, item.name)
        for item in dataclasses.fields(LineFilters)
        if item.name not in _SUMMARY_FILTERS
    )


def cumulative_balances(*, org: Any, days: list[datetime.date], filters: LineFilters) -> dict[int, list[Cumulative]]:
    """{account id: [posted totals of the lines `filters` selects, up to each of `days`]}.

    `filters` narrows the lines (account types, currency, closing entries left out, ...); its
    dates are ignored: `days` bound the totals. Accounts without such lines are left out.
    """
    lines = lines_queryset(org=org, filters=filters.but(date_from=None, date_to=None))
    if not _summary_answers(filters):
        return _sums(lines.filter(entry__date__lte=max(days)), [Q(entry__date__lte=day) for day in days])
    cutoffs = [_month_cutoff(day) for day in days]
    summary = AccountMonthBalance.objects.filter(organization=org, month__lt=max(cutoffs))
    if filters.account_types:
        summary = summary.filter(account__type__in=filters.account_types)
    if filters.exclude_closing:
        summary = summary.filter(is_closing=False)
    if filters.currency:
        summary = summary.filter(currency=filters.currency)
    totals = _sums(summary, [Q(month__lt=cutoff) for cutoff in cutoffs])
    inside = [(cutoff, day) for cutoff, day in zip(cutoffs, days, strict=True) if cutoff <= day]
    if not inside:
        return totals
    in_months = Q()
    for start, day in inside:
        in_months |= Q(entry__date__gte=start, entry__date__lte=day)
    conditions = [
        Q(entry__date__gte=cutoff, entry__date__lte=day) if cutoff <= day else Q(pk__in=[])
        for cutoff, day in zip(cutoffs, days, strict=True)
    ]
    for account_id, days_of_month in _sums(lines.filter(in_months), conditions).items():
        months = totals.get(account_id, [Cumulative()] * len(days))
        totals[account_id] = [month + part for month, part in zip(months, days_of_month, strict=True)]
    return totals
