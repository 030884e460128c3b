"""The financial reports, one selector each, shared by the pages, the API and the exports.

Every figure is a SQL aggregate (values().annotate() with Sum(Case(When(...)))), never a Python
loop over lines; Python only arranges the aggregated rows (bounded by the number of accounts,
partners or analytic accounts). The trial balance, profit and loss and balance sheet sum the
account month balances where they can (`cumulative.py`, ADR 0006), today's aging sums the open
items (ADR 0007); the rest sum posted lines.
Each aggregate is re-rounded to 3 places (ROUND_HALF_UP) after fetching, so SQLite
(floating-point sums) and PostgreSQL agree exactly.
Every figure carries the `LineFilters` of its drill-down: the posted lines it is the sum of.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole, AccountType, OpenItem
from mizan.ledger.selectors.balances import reround
from mizan.ledger.selectors.cumulative import cumulative_balances
from mizan.ledger.selectors.report_lines import (
    UNASSIGNED,
    LineFilters,
    LineRow,
    NumberedPage,
    line_row,
    lines_queryset,
    ordered_for_display,
    page_bounds,
)

ZERO = Decimal("0.000")
AMOUNT_FIELD = DecimalField(max_digits=20, decimal_places=3)
GENERAL_LEDGER_PAGE_SIZE = 100

PROFIT_AND_LOSS_TYPES = (AccountType.INCOME, AccountType.EXPENSE)
BALANCE_SHEET_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY)


def _localized(name_ar: str, name_en: str) -> str:
    if (get_language() or "ar").startswith("ar"):
        return name_ar or name_en
    return name_en or name_ar


def _sum_when(condition: Q, value: Any) -> Sum:
    """SUM(CASE WHEN condition THEN value ELSE 0 END) as a 3-place decimal."""
    return Sum(
        Case(When(condition, then=value), default=Value(ZERO), output_field=AMOUNT_FIELD), output_field=AMOUNT_FIELD
    )


BALANCE = F("debit") - F("credit")
ACCOUNT_FIELDS = ("account_id", "account__code", "account__name_ar", "account__name_en", "account__type")


@dataclass(frozen=True)
class AccountRef:
    id: int
    code: str
    name: str
    type: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AccountRef:
        return cls(
            id=row["account_id"],
            code=row["account__code"],
            name=_localized(row["account__name_ar"], row["account__name_en"]),
            type=row["account__type"],
        )

    @property
    def type_label(self) -> str:
        return str(AccountType(self.type).label)


@dataclass(frozen=True)
class Figure:
    """An amount and the lines it is the sum of (`sign` * (debit - credit) of those lines)."""

    amount: Decimal
    lines: LineFilters
    sign: int = 1

    @property
    def query(self) -> str:
        return self.lines.as_query()


def _account_refs(org: Any, account_ids: Any) -> list[AccountRef]:
    """The accounts of `account_ids`, in code order: one query."""
    rows = Account.objects.filter(organization=org, pk__in=list(account_ids)).order_by("code")
    return [
        AccountRef(id=row["id"], code=row["code"], name=_localized(row["name_ar"], row["name_en"]), type=row["type"])
        for row in rows.values("id", "code", "name_ar", "name_en", "type")
    ]


# --- Trial balance -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """The filters shared by the period reports (ids already resolved inside the organization)."""

    date_from: datetime.date
    date_to: datetime.date
    currency: str | None = None
    cost_center_id: int | None = None
    project_id: int | None = None

    def lines(self, **extra: Any) -> LineFilters:
        values: dict[str, Any] = {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "currency": self.currency,
            "cost_center_id": self.cost_center_id,
            "project_id": self.project_id,
        }
        return LineFilters(**{**values, **extra})


@dataclass(frozen=True)
class TrialBalanceRow:
    account: AccountRef
    opening: Figure  # debit - credit before the period
    debit: Figure
    credit: Figure
    closing: Figure  # debit - credit at the end of the period
    amount_currency: Decimal | None = None  # with a currency filter: the closing in that currency


@dataclass
class TrialBalance:
    filters: ReportFilters
    rows: list[TrialBalanceRow]
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal

    @property
    def is_balanced(self) -> bool:
        return self.opening == 0 and self.closing == 0 and self.debit == self.credit


def trial_balance(*, org: Any, filters: ReportFilters) -> TrialBalance:
    """Per account: opening, period debit and credit, closing: the posted totals up to the day
    before the period and up to its last day (`cumulative_balances`: month balances + the days
    of partial months), then one query for the accounts' names."""
    base = filters.lines(date_from=None)
    before_day = filters.date_from - datetime.timedelta(days=1)
    totals = cumulative_balances(org=org, days=[before_day, filters.date_to], filters=base)
    rows = []
    for account in _account_refs(org, totals):
        up_to_opening, up_to_closing = totals[account.id]
        period = up_to_closing - up_to_opening
        opening, debit, credit = up_to_opening.balance, period.debit, period.credit
        if not (opening or debit or credit):
            continue
        account_lines = base.but(account_id=account.id)
        rows.append(
            TrialBalanceRow(
                account=account,
                opening=Figure(opening, account_lines.but(date_to=before_day)),
                debit=Figure(debit, account_lines.but(date_from=filters.date_from, side="debit")),
                credit=Figure(credit, account_lines.but(date_from=filters.date_from, side="credit"), -1),
                closing=Figure(opening + debit - credit, account_lines),
                amount_currency=up_to_closing.amount_currency if filters.currency else None,
            )
        )
    return TrialBalance(
        filters=filters,
        rows=rows,
        opening=sum((row.opening.amount for row in rows), ZERO),
        debit=sum((row.debit.amount for row in rows), ZERO),
        credit=sum((row.credit.amount for row in rows), ZERO),
        closing=sum((row.closing.amount for row in rows), ZERO),
    )


# --- General ledger --------------------------------------------------------------------------


@dataclass
class GeneralLedger(NumberedPage):
    account: Account
    filters: ReportFilters
    opening: Figure
    debit: Figure
    credit: Figure
    closing: Figure
    rows: list[LineRow]
    count: int
    number: int
    num_pages: int

    @property
    def brought_forward(self) -> Decimal:
        """The running balance just before this page's first line (the opening on page 1)."""
        if not self.rows or self.rows[0].balance is None:
            return self.opening.amount
        first = self.rows[0]
        return first.balance - first.debit + first.credit


def general_ledger(
    *,
    org: Any,
    account: Account,
    filters: ReportFilters,
    page: Any = 1,
    page_size: int | None = GENERAL_LEDGER_PAGE_SIZE,
) -> GeneralLedger:
    """One account's lines with a running balance computed in SQL (a window SUM over date, entry,
    line), so any page starts from the right carried-forward balance. Two queries."""
    base = filters.lines(date_from=None, account_id=account.pk)
    lines = lines_queryset(org=org, filters=base)
    in_period = Q(entry__date__gte=filters.date_from)
    totals = lines.aggregate(
        opening=_sum_when(Q(entry__date__lt=filters.date_from), BALANCE),
        debit=_sum_when(in_period, F("debit")),
        credit=_sum_when(in_period, F("credit")),
        count=Sum(Case(When(in_period, then=Value(1)), default=Value(0))),
    )
    opening, debit, credit = reround(totals["opening"]), reround(totals["debit"]), reround(totals["credit"])
    count = int(totals["count"] or 0)
    number, num_pages, offset, limit = page_bounds(count, page, page_size)
    running = Window(
        expression=Sum(BALANCE, output_field=AMOUNT_FIELD),
        order_by=[F("entry__date").asc(), F("entry_id").asc(), F("position").asc(), F("id").asc()],
    )
    period_lines = ordered_for_display(lines.filter(in_period)).annotate(running=running)
    rows = [line_row(line, opening + reround(line.running)) for line in period_lines[offset : offset + limit]]
    period = base.but(date_from=filters.date_from)
    return GeneralLedger(
        account=account,
        filters=filters,
        opening=Figure(opening, base.but(date_to=filters.date_from - datetime.timedelta(days=1))),
        debit=Figure(debit, period.but(side="debit")),
        credit=Figure(credit, period.but(side="credit"), -1),
        closing=Figure(opening + debit - credit, base),
        rows=rows if count else [],
        count=count,
        number=number,
        num_pages=num_pages,
    )


# --- Profit and loss ------------------------------------------------------------------------


class Comparison:
    NONE = ""
    PREVIOUS_PERIOD = "previous_period"
    PREVIOUS_YEAR = "previous_year"

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        return [
            (Comparison.NONE, _("No comparison")),
            (Comparison.PREVIOUS_PERIOD, _("Previous period")),
            (Comparison.PREVIOUS_YEAR, _("Same period last year")),
        ]


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _shift_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=1)


def comparison_range(
    date_from: datetime.date, date_to: datetime.date, comparison: str
) -> tuple[datetime.date, datetime.date] | None:
    """The period to compare with: the same span just before (whole months shift by months,
    else by days), or the same dates one year earlier."""
    if comparison == Comparison.PREVIOUS_YEAR:
        end = _shift_year(date_to, -1)
        if date_to == _month_end(date_to):
            end = _month_end(end)  # February 2025 compares with all of February 2024, the 29th too
        return _shift_year(date_from, -1), end
    if comparison != Comparison.PREVIOUS_PERIOD:
        return None
    if date_from.day == 1 and date_to == _month_end(date_to):
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
        start = _shift_months(date_from, -months)
        return start, date_from - datetime.timedelta(days=1)
    span = date_to - date_from
    end = date_from - datetime.timedelta(days=1)
    return end - span, end


@dataclass(frozen=True)
class ProfitAndLossRow:
    account: AccountRef
    current: Figure
    previous: Figure | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.current.amount - self.previous.amount


@dataclass(frozen=True)
class ProfitAndLossSection:
    type: str
    rows: list[ProfitAndLossRow]
    current: Figure
    previous: Figure | None

    @property
    def label(self) -> str:
        return str(AccountType(self.type).label)

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.current.amount - self.previous.amount


@dataclass
class ProfitAndLoss:
    filters: ReportFilters
    comparison: str
    previous_from: datetime.date | None
    previous_to: datetime.date | None
    income: ProfitAndLossSection
    expense: ProfitAndLossSection
    net: Figure
    previous_net: Figure | None

    @property
    def sections(self) -> list[ProfitAndLossSection]:
        return [self.income, self.expense]

    @property
    def net_difference(self) -> Decimal | None:
        return None if self.previous_net is None else self.net.amount - self.previous_net.amount


def _sign(account_type: str) -> int:
    """Income and credit-nature balances show as positive credits; the rest as positive debits."""
    return 1 if account_type in (AccountType.ASSET, AccountType.EXPENSE) else -1


def profit_and_loss(*, org: Any, filters: ReportFilters, comparison: str = Comparison.NONE) -> ProfitAndLoss:
    """Income and expense per account (year-end closing entries excluded), net profit, and the
    same figures for a comparison period: differences of posted totals up to the periods' edges
    (`cumulative_balances`), then one query for the accounts' names."""
    previous = comparison_range(filters.date_from, filters.date_to, comparison)
    current_lines = filters.lines(account_types=PROFIT_AND_LOSS_TYPES, exclude_closing=True)
    previous_lines = current_lines.but(date_from=previous[0], date_to=previous[1]) if previous else None
    day = datetime.timedelta(days=1)
    days = [filters.date_from - day, filters.date_to]
    if previous:
        days += [previous[0] - day, previous[1]]
    totals = cumulative_balances(org=org, days=days, filters=current_lines)
    sections: dict[str, list[ProfitAndLossRow]] = {AccountType.INCOME: [], AccountType.EXPENSE: []}
    for account in _account_refs(org, totals):
        upto = totals[account.id]
        sign = _sign(account.type)
        current = sign * (upto[1] - upto[0]).balance
        before = sign * (upto[3] - upto[2]).balance if previous else None
        if not current and not before:
            continue
        sections[account.type].append(
            ProfitAndLossRow(
                account=account,
                current=Figure(current, current_lines.but(account_id=account.id), sign),
                previous=Figure(before, previous_lines.but(account_id=account.id), sign) if previous_lines else None,
            )
        )

    def section(account_type: str) -> ProfitAndLossSection:
        rows = sections[account_type]
        sign = _sign(account_type)
        return ProfitAndLossSection(
            type=account_type,
            rows=rows,
            current=Figure(
                sum((r.current.amount for r in rows), ZERO), current_lines.but(account_types=(account_type,)), sign
            ),
            previous=Figure(
                sum((r.previous.amount for r in rows if r.previous), ZERO),
                previous_lines.but(account_types=(account_type,)),
                sign,
            )
            if previous_lines
            else None,
        )

    income, expense = section(AccountType.INCOME), section(AccountType.EXPENSE)
    return ProfitAndLoss(
        filters=filters,
        comparison=comparison if previous else Comparison.NONE,
        previous_from=previous[0] if previous else None,
        previous_to=previous[1] if previous else None,
        income=income,
        expense=expense,
        net=Figure(income.current.amount - expense.current.amount, current_lines, -1),
        previous_net=Figure(income.previous.amount - expense.previous.amount, previous_lines, -1)
        if previous_lines and income.previous and expense.previous
        else None,
    )


# --- Balance sheet --------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceSheetSection:
    type: str
    rows: list[tuple[AccountRef, Figure]]
    total: Decimal

    @property
    def label(self) -> str:
        return str(AccountType(self.type).label)


@dataclass
class BalanceSheet:
    as_of: datetime.date
    assets: BalanceSheetSection
    liabilities: BalanceSheetSection
    equity: BalanceSheetSection
    #: Income - expense not yet moved to retained earnings by a year-end closing.
    result: Figure

    @property
    def sections(self) -> list[BalanceSheetSection]:
        return [self.assets, self.liabilities, self.equity]

    @property
    def total_equity(self) -> Decimal:
        """Equity accounts plus the result not yet closed."""
        return self.equity.total + self.result.amount

    @property
    def total_assets(self) -> Decimal:
        return self.assets.total

    @property
    def total_liabilities_and_equity(self) -> Decimal:
        return self.liabilities.total + self.equity.total + self.result.amount

    @property
    def is_balanced(self) -> bool:
        return self.total_assets == self.total_liabilities_and_equity


def balance_sheet(*, org: Any, as_of: datetime.date) -> BalanceSheet:
    """Balances at a date by account type, with the unclosed result as an equity line: posted totals
    up to the day (`cumulative_balances`), then one query for the accounts' names."""
    base = LineFilters(date_to=as_of)
    totals = cumulative_balances(org=org, days=[as_of], filters=base)
    grouped: dict[str, list[tuple[AccountRef, Figure]]] = {kind: [] for kind in AccountType.values}
    for account in _account_refs(org, totals):
        sign = _sign(account.type)
        amount = sign * totals[account.id][0].balance
        if amount:
            grouped[account.type].append((account, Figure(amount, base.but(account_id=account.id), sign)))

    def section(account_type: str) -> BalanceSheetSection:
        rows = grouped[account_type]
        return BalanceSheetSection(type=account_type, rows=rows, total=sum((f.amount for _a, f in rows), ZERO))

    result = sum((f.amount for _a, f in grouped[AccountType.INCOME]), ZERO) - sum(
        (f.amount for _a, f in grouped[AccountType.EXPENSE]), ZERO
    )
    return BalanceSheet(
        as_of=as_of,
        assets=section(AccountType.ASSET),
        liabilities=section(AccountType.LIABILITY),
        equity=section(AccountType.EQUITY),
        result=Figure(result, base.but(account_types=PROFIT_AND_LOSS_TYPES), -1),
    )


# --- Aging ----------------------------------------------------------------------------------

AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")
AGING_KINDS = {"receivable": AccountRole.RECEIVABLE, "payable": AccountRole.PAYABLE}


def aging_bucket_labels() -> dict[str, str]:
    return {
        "current": _("Current"),
        "days_1_30": _("1-30 days"),
        "days_31_60": _("31-60 days"),
        "days_61_90": _("61-90 days"),
        "over_90": _("Over 90 days"),
    }


def aging_bucket_ranges(as_of: datetime.date) -> dict[str, tuple[datetime.date | None, datetime.date | None]]:
    """(due_from, due_to) per bucket, on the due date (else the entry date), inclusive."""
    day = datetime.timedelta(days=1)

    def back(days: int) -> datetime.date:
        return as_of - datetime.timedelta(days=days)

    return {
        "current": (as_of, None),
        "days_1_30": (back(30), as_of - day),
        "days_31_60": (back(60), back(30) - day),
        "days_61_90": (back(90), back(60) - day),
        "over_90": (None, back(90) - day),
    }


@dataclass(frozen=True)
class AgingRow:
    partner_id: int | None
    partner: str
    buckets: dict[str, Decimal]
    bucket_lines: dict[str, LineFilters]
    total: Figure

    def bucket_list(self) -> list[tuple[str, Decimal, LineFilters]]:
        return [(name, self.buckets[name], self.bucket_lines[name]) for name in AGING_BUCKETS]


AGING_PAGE_SIZE = 100


@dataclass
class Aging(NumberedPage):
    kind: str
    as_of: datetime.date
    rows: list[AgingRow]  # one page of partners (all of them without a page size)
    totals: dict[str, Decimal]  # of every partner
    total: Figure
    count: int = 0  # partners with something open
    number: int = 1
    num_pages: int = 1

    def total_list(self) -> list[Decimal]:
        return [self.totals[name] for name in AGING_BUCKETS]


def _fifo_buckets() -> dict[str, Any]:
    """What stays open per bucket once the settlements are applied to the oldest buckets first
    (an excess stays as a negative current amount), as SQL over the per-partner sums:
    bucket - LEAST(bucket, GREATEST(settled - the older buckets, 0)). Rounded to 3 places so
    that SQLite's floating-point sums compare with zero exactly."""
    zero = Value(ZERO, output_field=AMOUNT_FIELD)
    left: dict[str, Any] = {}
    for index, name in enumerate(AGING_BUCKETS):
        remaining: Any = F("settled")
        for older in AGING_BUCKETS[index + 1 :]:
            remaining = remaining - F(older)
        applied: Any = Greatest(remaining, zero, output_field=AMOUNT_FIELD)
        if name != "current":  # the current bucket takes any excess, even below zero
            applied = Least(F(name), applied, output_field=AMOUNT_FIELD)
        left[f"{name}_left"] = Round(
            ExpressionWrapper(F(name) - applied, output_field=AMOUNT_FIELD), 3, output_field=AMOUNT_FIELD
        )
    return left


@dataclass(frozen=True)
class _PartnerOpen:
    """One partner's open amounts per bucket, as either source gives them."""

    partner_id: int | None
    name_ar: str
    name_latin: str
    buckets: dict[str, Decimal]


@dataclass(frozen=True)
class _AgingPage:
    count: int
    totals: dict[str, Decimal]
    number: int
    num_pages: int
    partners: list[_PartnerOpen]


def aging(*, org: Any, kind: str, as_of: datetime.date, page: Any = 1, page_size: int | None = None) -> Aging:
    """Open receivables (or payables) per partner and age bucket at a date.

    Each partner's settlements go to its oldest amounts first (FIFO) and partners with nothing
    open are left out; partners in name order, "no partner" last. At a date on or after the last
    posted line of the accounts (today's aging, as a rule) the open items the posting service
    keeps give the figures (`_aging_from_open_items`); at an earlier date, the lines up to it
    (`_aging_from_lines`); both apply the same rule. Four queries whatever the number of
    partners (five on the page that ends with partnerless items); `page_size` None gives every
    partner (exports, checks).
    """
    role = AGING_KINDS[kind]
    accounts = list(Account.objects.filter(organization=org, role=role).values("pk", "reconcile"))
    account_ids = [account["pk"] for account in accounts]
    source = _aging_from_open_items if _open_items_cover(org=org, accounts=accounts, as_of=as_of) else _aging_from_lines
    found = source(org=org, kind=kind, account_ids=account_ids, as_of=as_of, page=page, page_size=page_size)
    base = LineFilters(account_roles=(role,), date_to=as_of)
    ranges = aging_bucket_ranges(as_of)
    sign = 1 if kind == "receivable" else -1
    open_side = "debit" if kind == "receivable" else "credit"
    rows: list[AgingRow] = []
    for partner in found.partners:
        buckets = {name: reround(partner.buckets[name]) for name in AGING_BUCKETS}
        partner_lines = base.but(partner_id=partner.partner_id if partner.partner_id is not None else UNASSIGNED)
        rows.append(
            AgingRow(
                partner_id=partner.partner_id,
                partner=_localized(partner.name_ar, partner.name_latin) if partner.partner_id else _("No partner"),
                buckets=buckets,
                bucket_lines={
                    name: partner_lines.but(due_from=start, due_to=end, side=open_side)
                    for name, (start, end) in ranges.items()
                },
                total=Figure(sum(buckets.values(), ZERO), partner_lines, sign),
            )
        )
    totals = {name: reround(found.totals[name]) for name in AGING_BUCKETS}
    return Aging(
        kind=kind,
        as_of=as_of,
        rows=rows,
        totals=totals,
        total=Figure(sum(totals.values(), ZERO), base, sign),
        count=found.count,
        number=found.number,
        num_pages=found.num_pages,
    )


def _bucket_conditions(as_of: datetime.date) -> dict[str, Q]:
    """Per bucket, the condition on `age_date` (the due date, else the entry date)."""
    conditions: dict[str, Q] = {}
    for name, (start, end) in aging_bucket_ranges(as_of).items():
        condition = Q()
        if start is not None:
            condition &= Q(age_date__gte=start)
        if end is not None:
            condition &= Q(age_date__lte=end)
        conditions[name] = condition
    return conditions


def _open_items_cover(*, org: Any, accounts: list[dict[str, Any]], as_of: datetime.date) -> bool:
    """Whether the open items answer the aging at `as_of`: they are kept for reconciled accounts
    and sum every posted line, so no line of the accounts may be dated after `as_of`."""
    if not accounts or not all(account["reconcile"] for account in accounts):
        return False
    later = LineFilters(date_from=as_of + datetime.timedelta(days=1))
    return not (
        lines_queryset(org=org, filters=later).filter(account_id__in=[account["pk"] for account in accounts]).exists()
    )


def _aging_from_open_items(
    *, org: Any, kind: str, account_ids: list[int], as_of: datetime.date, page: Any, page_size: int | None
) -> _AgingPage:
    """From the open items: one flat aggregate for the count and totals, then the page walks the
    clients in name order (an index) and sums each one's items (the partnerless items come last),
    so that a page costs the same at any size. The undated credit balance of a client that paid
    more than it owed is current."""
    conditions = _bucket_conditions(as_of)
    conditions["current"] |= Q(age_date__isnull=True)
    items = OpenItem.objects.filter(organization=org, account_id__in=account_ids)
    unassigned = Q(partner__isnull=True)
    sums = {name: _sum_when(condition, F("amount")) for name, condition in conditions.items()}
    summary = items.aggregate(
        clients=Count("partner_id", distinct=True), unassigned=Count("pk", filter=unassigned), **sums
    )
    clients, has_unassigned = summary["clients"], bool(summary["unassigned"])
    count = clients + has_unassigned
    number, num_pages, offset, limit = page_bounds(count, page, page_size)
    partners: list[_PartnerOpen] = []
    if offset < clients:
        own = items.filter(partner=OuterRef("pk")).order_by().values("partner")
        shown = (
            Company.objects.filter(organization=org)
            .filter(Exists(own))
            .annotate(
                **{
                    name: Subquery(own.annotate(amount_sum=_sum_when(condition, F("amount"))).values("amount_sum"))
                    for name, condition in conditions.items()
                }
            )
            .order_by("name_latin", "name_ar", "pk")
            .values("pk", "name_ar", "name_latin", *conditions)[offset : offset + limit]
        )
        partners = [
            _PartnerOpen(row["pk"], row["name_ar"], row["name_latin"], {name: row[name] for name in AGING_BUCKETS})
            for row in shown
        ]
    if has_unassigned and offset <= clients < offset + limit:  # last, on the last page: one more query
        partners.append(_PartnerOpen(None, "", "", items.filter(unassigned).aggregate(**sums)))
    return _AgingPage(count, {name: summary[name] for name in AGING_BUCKETS}, number, num_pages, partners)


def _aging_from_lines(
    *, org: Any, kind: str, account_ids: list[int], as_of: datetime.date, page: Any, page_size: int | None
) -> _AgingPage:
    """From the posted lines up to `as_of`: per partner, then the count and totals of all of
    them and the partners of one page."""
    per_partner = _lines_per_partner(org=org, kind=kind, account_ids=account_ids, as_of=as_of).exclude(
        Q(**{f"{name}_left": 0 for name in AGING_BUCKETS})
    )
    summary = per_partner.aggregate(partners=Count("*"), **{name: Sum(f"{name}_left") for name in AGING_BUCKETS})
    count = summary["partners"] or 0
    number, num_pages, offset, limit = page_bounds(count, page, page_size)
    shown = per_partner.values(
        "partner_id", "partner__name_ar", "partner__name_latin", *(f"{name}_left" for name in AGING_BUCKETS)
    ).order_by(*(F(name).asc(nulls_last=True) for name in ("partner__name_latin", "partner__name_ar", "partner_id")))[
        offset : offset + limit
    ]
    partners = [
        _PartnerOpen(
            row["partner_id"],
            row["partner__name_ar"] or "",
            row["partner__name_latin"] or "",
            {name: row[f"{name}_left"] for name in AGING_BUCKETS},
        )
        for row in shown
    ]
    return _AgingPage(count, {name: summary[name] for name in AGING_BUCKETS}, number, num_pages, partners)


def _lines_per_partner(*, org: Any, kind: str, account_ids: list[int], as_of: datetime.date) -> QuerySet[Any]:
    """Per partner, from the posted lines up to `as_of`: the open side per bucket and the settling
    side in total, then the settlements applied to the oldest buckets first (`_fifo_buckets`).
    By account id: with the role as a join condition PostgreSQL misjudged the row count and
    looked up every line's entry one by one."""
    opening_side, settling_side = (F("debit"), F("credit")) if kind == "receivable" else (F("credit"), F("debit"))
    aggregates: dict[str, Any] = {"settled": Sum(settling_side, output_field=AMOUNT_FIELD)}
    for name, condition in _bucket_conditions(as_of).items():
        aggregates[name] = _sum_when(condition, opening_side)
    return (
        lines_queryset(org=org, filters=LineFilters(date_to=as_of))
        .filter(account_id__in=account_ids)
        .annotate(age_date=Coalesce("due_date", "entry__date"))
        .values("partner_id")
        .annotate(**aggregates)
        .annotate(**_fifo_buckets())
    )


# --- Profit and loss per cost center / project ----------------------------------------------

ANALYTIC_DIMENSIONS = ("cost_center", "project")


@dataclass(frozen=True)
class AnalyticColumn:
    id: int | None  # None: lines without this dimension
    code: str
    name: str

    @property
    def key(self) -> int | str:
        return self.id if self.id is not None else UNASSIGNED


@dataclass(frozen=True)
class AnalyticRow:
    account: AccountRef
    cells: list[Figure]  # one per column, then the total
    total: Figure


@dataclass
class AnalyticProfitAndLoss:
    dimension: str
    filters: ReportFilters
    columns: list[AnalyticColumn]
    income_rows: list[AnalyticRow]
    expense_rows: list[AnalyticRow]
    income: list[Figure]  # per column, then the total
    expense: list[Figure]
    net: list[Figure]


def profit_and_loss_by_analytic(*, org: Any, dimension: str, filters: ReportFilters) -> AnalyticProfitAndLoss:
    """Income, expense and net per cost center (or project): one column each, plus the lines
    without one, plus the total. One query grouped by (account, analytic account)."""
    if dimension not in ANALYTIC_DIMENSIONS:
        raise ValueError(dimension)
    scoped = ReportFilters(date_from=filters.date_from, date_to=filters.date_to, currency=filters.currency)
    base = scoped.lines(account_types=PROFIT_AND_LOSS_TYPES, exclude_closing=True)
    data = list(
        lines_queryset(org=org, filters=base)
        .values(
            *ACCOUNT_FIELDS, f"{dimension}_id", f"{dimension}__code", f"{dimension}__name_ar", f"{dimension}__name_en"
        )
        .annotate(amount=Sum(BALANCE, output_field=AMOUNT_FIELD))
        .order_by("account__code", f"{dimension}__code")
    )
    columns_by_id: dict[int | None, AnalyticColumn] = {}
    for row in data:
        key = row[f"{dimension}_id"]
        if key is not None and key not in columns_by_id:
            columns_by_id[key] = AnalyticColumn(
                id=key,
                code=row[f"{dimension}__code"],
                name=_localized(row[f"{dimension}__name_ar"], row[f"{dimension}__name_en"]),
            )
    columns = sorted(columns_by_id.values(), key=lambda column: column.code)
    if any(row[f"{dimension}_id"] is None for row in data):
        columns.append(AnalyticColumn(id=None, code="", name=_("Unassigned")))
    position = {column.id: index for index, column in enumerate(columns)}

    def cell_lines(lines: LineFilters, column: AnalyticColumn | None) -> LineFilters:
        return lines if column is None else lines.but(**{f"{dimension}_id": column.key})

    accounts: dict[int, tuple[AccountRef, list[Decimal]]] = {}
    for row in data:
        ref, amounts = accounts.setdefault(row["account_id"], (AccountRef.from_row(row), [ZERO] * len(columns)))
        amounts[position[row[f"{dimension}_id"]]] += _sign(ref.type) * reround(row["amount"])

    def build_rows(account_type: str) -> list[AnalyticRow]:
        rows = []
        for ref, amounts in accounts.values():
            if ref.type != account_type or not any(amounts):
                continue
            lines = base.but(account_id=ref.id)
            sign = _sign(account_type)
            rows.append(
                AnalyticRow(
                    account=ref,
                    cells=[Figure(a, cell_lines(lines, c), sign) for a, c in zip(amounts, columns, strict=True)],
                    total=Figure(sum(amounts, ZERO), lines, sign),
                )
            )
        return rows

    def totals(rows: list[AnalyticRow], account_type: str) -> list[Figure]:
        lines = base.but(account_types=(account_type,))
        sign = _sign(account_type)
        per_column = [
            Figure(sum((row.cells[index].amount for row in rows), ZERO), cell_lines(lines, column), sign)
            for index, column in enumerate(columns)
        ]
        return [*per_column, Figure(sum((row.total.amount for row in rows), ZERO), lines, sign)]

    income_rows, expense_rows = build_rows(AccountType.INCOME), build_rows(AccountType.EXPENSE)
    income, expense = totals(income_rows, AccountType.INCOME), totals(expense_rows, AccountType.EXPENSE)
    net = [
        Figure(i.amount - e.amount, cell_lines(base, column), -1)
        for i, e, column in zip(income, expense, [*columns, None], strict=True)
    ]
    return AnalyticProfitAndLoss(
        dimension=dimension,
        filters=scoped,
        columns=columns,
        income_rows=income_rows,
        expense_rows=expense_rows,
        income=income,
        expense=expense,
        net=net,
    )


def report_accounts(*, org: Any) -> QuerySet[Account]:
    """Accounts to pick a general ledger from."""
    return Account.objects.filter(organization=org).order_by("code")
