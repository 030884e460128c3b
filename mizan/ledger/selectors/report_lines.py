"""The drill-down under every report figure: posted journal lines matching a set of filters.

Every report figure carries the `LineFilters` that reproduce it, so "open this figure" is the
same query the figure was summed from; the line list's totals equal the figure by construction
(and a test holds that).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from mizan.ledger.models import JournalEntry, JournalLine
from mizan.ledger.selectors.balances import reround

#: Marks "lines without a partner / cost center / project" in filters and drill-down links.
UNASSIGNED = "none"
SIDES = ("debit", "credit")
LINE_PAGE_SIZE = 100


@dataclass(frozen=True)
class LineFilters:
    """Which posted lines a figure is made of. Ids are already resolved inside the organization."""

    account_id: int | None = None
    account_types: tuple[str, ...] = ()
    account_roles: tuple[str, ...] = ()
    partner_id: int | str | None = None  # an id, UNASSIGNED, or None for any
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    due_from: datetime.date | None = None  # on the due date, else the entry date (aging)
    due_to: datetime.date | None = None
    cost_center_id: int | str | None = None
    project_id: int | str | None = None
    currency: str | None = None
    exclude_closing: bool = False
    side: str | None = None  # "debit" or "credit": only lines on that side (aging open items)

    def but(self, **changes: Any) -> LineFilters:
        return replace(self, **changes)

    def as_params(self) -> list[tuple[str, str]]:
        """Query parameters of the line list (web and API) that reproduce these filters."""
        params: list[tuple[str, str]] = []
        if self.account_id is not None:
            params.append(("account", str(self.account_id)))
        params += [("account_type", value) for value in self.account_types]
        params += [("account_role", value) for value in self.account_roles]
        for name in ("partner_id", "cost_center_id", "project_id"):
            value = getattr(self, name)
            if value is not None:
                params.append((name.removesuffix("_id"), str(value)))
        for name in ("date_from", "date_to", "due_from", "due_to"):
            value = getattr(self, name)
            if value is not None:
                params.append((name, value.isoformat()))
        if self.currency:
            params.append(("currency", self.currency))
        if self.exclude_closing:
            params.append(("exclude_closing", "1"))
        if self.side in SIDES:
            params.append(("side", self.side))
        return params

    def as_query(self) -> str:
        return urlencode(self.as_params())


def _dimension(lines: QuerySet[JournalLine], name: str, value: int | str | None) -> QuerySet[JournalLine]:
    if value is None:
        return lines
    if value == UNASSIGNED:
        return lines.filter(**{f"{name}__isnull": True})
    return lines.filter(**{f"{name}_id": value})


def lines_queryset(*, org: Any, filters: LineFilters) -> QuerySet[JournalLine]:
    """Posted lines of `org` matching `filters`: the one base every report sums."""
    lines = JournalLine.objects.filter(organization=org, entry__state=JournalEntry.State.POSTED)
    if filters.account_id is not None:
        lines = lines.filter(account_id=filters.account_id)
    if filters.account_types:
        lines = lines.filter(account__type__in=filters.account_types)
    if filters.account_roles:
        lines = lines.filter(account__role__in=filters.account_roles)
    lines = _dimension(lines, "partner", filters.partner_id)
    lines = _dimension(lines, "cost_center", filters.cost_center_id)
    lines = _dimension(lines, "project", filters.project_id)
    if filters.date_from is not None:
        lines = lines.filter(entry__date__gte=filters.date_from)
    if filters.date_to is not None:
        lines = lines.filter(entry__date__lte=filters.date_to)
    if filters.due_from is not None or filters.due_to is not None:
        lines = lines.annotate(age_date=Coalesce("due_date", "entry__date"))
        if filters.due_from is not None:
            lines = lines.filter(age_date__gte=filters.due_from)
        if filters.due_to is not None:
            lines = lines.filter(age_date__lte=filters.due_to)
    if filters.currency:
        lines = lines.filter(currency=filters.currency)
    if filters.exclude_closing:
        lines = lines.exclude(entry__kind=JournalEntry.Kind.CLOSING)
    if filters.side in SIDES:
        lines = lines.filter(**{f"{filters.side}__gt": 0})
    return lines


@dataclass(frozen=True)
class LineRow:
    id: int
    entry_id: int
    date: datetime.date
    entry_number: str
    journal: str
    account_code: str
    account_name: str
    partner: str
    description: str
    currency: str
    amount_currency: Decimal
    debit: Decimal
    credit: Decimal
    balance: Decimal | None = None  # running balance (general ledger only)


class NumberedPage:
    """`number` of `num_pages`: what the pager of a paged report asks."""

    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


@dataclass
class LinePage(NumberedPage):
    """One page of lines and the totals of ALL lines matching the filters."""

    rows: list[LineRow]
    count: int
    number: int
    num_pages: int
    total_debit: Decimal
    total_credit: Decimal
    filters: LineFilters = field(default_factory=LineFilters)

    @property
    def balance(self) -> Decimal:
        return self.total_debit - self.total_credit


def ordered_for_display(lines: QuerySet[JournalLine]) -> QuerySet[JournalLine]:
    return lines.select_related("entry__journal", "entry__fiscal_year", "account", "partner").order_by(
        "entry__date", "entry_id", "position", "id"
    )


def line_row(line: JournalLine, balance: Decimal | None = None) -> LineRow:
    entry = line.entry
    return LineRow(
        id=line.pk,
        entry_id=entry.pk,
        date=entry.date,
        entry_number=entry.display_number(),
        journal=entry.journal.display_name(),
        account_code=line.account.code,
        account_name=line.account.display_name(),
        partner=line.partner.display_name() if line.partner_id else "",
        description=line.description or entry.memo,
        currency=line.currency,
        amount_currency=reround(line.amount_currency),
        debit=reround(line.debit),
        credit=reround(line.credit),
        balance=balance,
    )


def page_bounds(count: int, page: Any, page_size: int | None) -> tuple[int, int, int, int]:
    """(number, num_pages, offset, limit) with an out-of-range or junk page clamped, like Paginator."""
    if page_size is None:
        return 1, 1, 0, count
    num_pages = max(1, -(-count // page_size))
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    number = min(max(number, 1), num_pages)
    return number, num_pages, (number - 1) * page_size, page_size


def line_list(*, org: Any, filters: LineFilters, page: Any = 1, page_size: int | None = LINE_PAGE_SIZE) -> LinePage:
    """A page of matching lines plus their totals: two queries whatever the number of lines."""
    lines = lines_queryset(org=org, filters=filters)
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"), count=Count("id"))
    count = int(totals["count"] or 0)
    number, num_pages, offset, limit = page_bounds(count, page, page_size)
    rows = [line_row(line) for line in ordered_for_display(lines)[offset : offset + limit]] if count else []
    return LinePage(
        rows=rows,
        count=count,
        number=number,
        num_pages=num_pages,
        total_debit=reround(totals["debit"]),
        total_credit=reround(totals["credit"]),
        filters=filters,
    )
