"""Exact figures of every report on the fixed scenario, and each figure equals its drill-down."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mizan.ledger.selectors.report_lines import UNASSIGNED, LineFilters, line_list
from mizan.ledger.selectors.reports import (
    Comparison,
    Figure,
    ReportFilters,
    aging,
    balance_sheet,
    comparison_range,
    general_ledger,
    profit_and_loss,
    profit_and_loss_by_analytic,
    trial_balance,
)
from mizan.ledger.tests.report_scenario import build_scenario, day

D = Decimal
pytestmark = pytest.mark.django_db

FEBRUARY = ReportFilters(date_from=day(2, 1), date_to=day(2, 29))
JAN_FEB = ReportFilters(date_from=day(1, 1), date_to=day(2, 29))


@pytest.fixture
def scenario(tenant):
    return build_scenario(tenant)


def drilldown_total(org, figure: Figure) -> Decimal:
    """What the line list opened from a figure shows as its balance, in the figure's sign."""
    page = line_list(org=org, filters=figure.lines, page_size=None)
    return figure.sign * page.balance


def assert_drilldown(org, figure: Figure, *, side: str | None = None) -> None:
    page = line_list(org=org, filters=figure.lines, page_size=None)
    if side == "debit":
        assert page.total_debit == figure.amount
    elif side == "credit":
        assert page.total_credit == figure.amount
    else:
        assert figure.sign * page.balance == figure.amount


def test_trial_balance_exact_figures_and_sums_to_zero(scenario):
    books = scenario.books
    report = trial_balance(org=books.org, filters=FEBRUARY)
    by_account = {row.account.id: row for row in report.rows}
    expected = {
        books.bank.pk: ("10500", "1600", "3300", "8800"),
        books.receivable.pk: ("2950", "575", "1500", "2025"),
        books.vat_payable.pk: ("-450", "0", "75", "-525"),
        books.vat_receivable.pk: ("60", "0", "0", "60"),
        books.payable.pk: ("-460", "200", "0", "-260"),
        books.revenue.pk: ("-3000", "0", "500", "-3500"),
        books.expense.pk: ("400", "100", "100", "400"),
        books.salaries.pk: ("0", "3000", "0", "3000"),
        books.equity.pk: ("-10000", "0", "0", "-10000"),
    }
    assert set(by_account) == set(expected)
    for account_id, (opening, debit, credit, closing) in expected.items():
        row = by_account[account_id]
        assert (row.opening.amount, row.debit.amount, row.credit.amount, row.closing.amount) == (
            D(opening),
            D(debit),
            D(credit),
            D(closing),
        )
        assert_drilldown(books.org, row.opening)
        assert_drilldown(books.org, row.debit, side="debit")
        assert_drilldown(books.org, row.credit, side="credit")
        assert_drilldown(books.org, row.closing)
    assert report.debit == report.credit == D("5475")
    assert report.opening == report.closing == 0
    assert report.is_balanced
    assert [row.account.code for row in report.rows] == sorted(row.account.code for row in report.rows)


def test_trial_balance_filters_by_currency_cost_center_and_project(scenario):
    books = scenario.books
    usd = trial_balance(org=books.org, filters=ReportFilters(date_from=day(1, 1), date_to=day(2, 29), currency="USD"))
    assert {(r.account.id, r.debit.amount, r.credit.amount, r.amount_currency) for r in usd.rows} == {
        (books.bank.pk, D("1500"), D("0"), D("400")),
        (books.receivable.pk, D("0"), D("1500"), D("-400")),
    }
    cc1 = trial_balance(org=books.org, filters=ReportFilters(day(1, 1), day(2, 29), cost_center_id=scenario.cc1.pk))
    assert {(r.account.id, r.closing.amount) for r in cc1.rows} == {
        (books.revenue.pk, D("-1500")),
        (books.expense.pk, D("400")),
    }
    p2 = trial_balance(org=books.org, filters=ReportFilters(day(1, 1), day(2, 29), project_id=scenario.p2.pk))
    assert {(r.account.id, r.closing.amount) for r in p2.rows} == {
        (books.revenue.pk, D("-2000")),
        (books.salaries.pk, D("3000")),
    }
    for row in [*usd.rows, *cc1.rows, *p2.rows]:
        assert_drilldown(books.org, row.closing)


def test_general_ledger_running_balance_across_pages(scenario):
    books = scenario.books
    full = general_ledger(org=books.org, account=books.bank, filters=FEBRUARY, page_size=None)
    assert full.opening.amount == D("10500")
    assert [(r.debit, r.credit, r.balance) for r in full.rows] == [
        (D("1500"), D("0"), D("12000")),
        (D("0"), D("3000"), D("9000")),
        (D("0"), D("100"), D("8900")),
        (D("100"), D("0"), D("9000")),
        (D("0"), D("200"), D("8800")),
    ]
    assert full.closing.amount == D("8800") == full.rows[-1].balance
    assert (full.debit.amount, full.credit.amount) == (D("1600"), D("3300"))
    assert full.rows[0].entry_number == scenario.entries["E6"].display_number()
    assert full.rows[3].entry_number == scenario.entries["E9"].display_number()
    second = general_ledger(org=books.org, account=books.bank, filters=FEBRUARY, page=2, page_size=2)
    assert (second.number, second.num_pages, second.count) == (2, 3, 5)
    assert [r.balance for r in second.rows] == [D("8900"), D("9000")]
    assert general_ledger(org=books.org, account=books.bank, filters=FEBRUARY, page=99, page_size=2).number == 3
    for figure in (full.opening, full.closing):
        assert_drilldown(books.org, figure)
    assert_drilldown(books.org, full.debit, side="debit")
    assert_drilldown(books.org, full.credit, side="credit")


def test_profit_and_loss_with_previous_period(scenario):
    books = scenario.books
    report = profit_and_loss(org=books.org, filters=FEBRUARY, comparison=Comparison.PREVIOUS_PERIOD)
    assert (report.previous_from, report.previous_to) == (day(1, 1), day(1, 31))
    income = {r.account.id: (r.current.amount, r.previous.amount, r.difference) for r in report.income.rows}
    expense = {r.account.id: (r.current.amount, r.previous.amount, r.difference) for r in report.expense.rows}
    assert income == {books.revenue.pk: (D("500"), D("3000"), D("-2500"))}
    assert expense == {
        books.expense.pk: (D("0"), D("400"), D("-400")),
        books.salaries.pk: (D("3000"), D("0"), D("3000")),
    }
    assert (report.income.current.amount, report.income.previous.amount) == (D("500"), D("3000"))
    assert (report.expense.current.amount, report.expense.previous.amount) == (D("3000"), D("400"))
    assert (report.net.amount, report.previous_net.amount, report.net_difference) == (D("-2500"), D("2600"), D("-5100"))
    figures = [report.net, report.previous_net, report.income.current, report.expense.previous]
    figures += [f for s in report.sections for r in s.rows for f in (r.current, r.previous)]
    for figure in figures:
        assert_drilldown(books.org, figure)


def test_profit_and_loss_same_period_last_year_and_no_comparison(scenario):
    books = scenario.books
    report = profit_and_loss(org=books.org, filters=JAN_FEB, comparison=Comparison.PREVIOUS_YEAR)
    assert (report.previous_from, report.previous_to) == (day(1, 1, 2023), day(2, 28, 2023))
    assert (report.net.amount, report.previous_net.amount) == (D("100"), D("0"))
    plain = profit_and_loss(org=books.org, filters=JAN_FEB)
    assert plain.previous_net is None and plain.income.previous is None
    assert (plain.income.current.amount, plain.expense.current.amount, plain.net.amount) == (
        D("3500"),
        D("3400"),
        D("100"),
    )


def test_comparison_ranges():
    assert comparison_range(day(2, 1), day(2, 29), Comparison.PREVIOUS_PERIOD) == (day(1, 1), day(1, 31))
    assert comparison_range(day(1, 1), day(3, 31), Comparison.PREVIOUS_PERIOD) == (
        day(10, 1, 2023),
        day(12, 31, 2023),
    )
    assert comparison_range(day(2, 10), day(2, 19), Comparison.PREVIOUS_PERIOD) == (day(1, 31), day(2, 9))
    assert comparison_range(day(2, 29), day(2, 29), Comparison.PREVIOUS_YEAR) == (
        day(2, 28, 2023),
        day(2, 28, 2023),
    )
    assert comparison_range(day(2, 1), day(2, 29), Comparison.NONE) is None


def test_balance_sheet_balances_with_the_unclosed_result(scenario):
    books = scenario.books
    report = balance_sheet(org=books.org, as_of=day(2, 29))
    assert {(a.id, f.amount) for a, f in report.assets.rows} == {
        (books.bank.pk, D("8800")),
        (books.receivable.pk, D("2025")),
        (books.vat_receivable.pk, D("60")),
    }
    assert {(a.id, f.amount) for a, f in report.liabilities.rows} == {
        (books.vat_payable.pk, D("525")),
        (books.payable.pk, D("260")),
    }
    assert {(a.id, f.amount) for a, f in report.equity.rows} == {(books.equity.pk, D("10000"))}
    assert report.result.amount == D("100")
    assert report.total_assets == report.total_liabilities_and_equity == D("10885")
    assert report.is_balanced
    for _account, figure in [r for s in report.sections for r in s.rows]:
        assert_drilldown(books.org, figure)
    assert_drilldown(books.org, report.result)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # as of, {partner: (current, 1-30, 31-60, 61-90, over 90)}
        (day(2, 10), {"Client A": ("0", "575", "650", "0", "0"), "Client B": ("800", "0", "0", "0", "0")}),
        (day(2, 20), {"Client A": ("0", "575", "650", "0", "0"), "Client B": ("0", "800", "0", "0", "0")}),
        (
            day(3, 31),
            {
                "Client A": ("0", "0", "575", "650", "0"),
                "Client B": ("0", "0", "800", "0", "0"),
                "Client C": ("-100", "0", "0", "0", "0"),
            },
        ),
        (
            day(4, 20),
            {
                "Client A": ("0", "0", "0", "575", "650"),
                "Client B": ("0", "0", "0", "800", "0"),
                "Client C": ("-100", "0", "0", "0", "0"),
            },
        ),
    ],
)
def test_receivable_aging_buckets_apply_credits_to_the_oldest_first(scenario, as_of, expected):
    report = aging(org=scenario.books.org, kind="receivable", as_of=as_of)
    got = {row.partner: tuple(str(row.buckets[name].normalize()) for name in row.buckets) for row in report.rows}
    assert got == {partner: tuple(str(D(v).normalize()) for v in values) for partner, values in expected.items()}
    for row in report.rows:
        assert row.total.amount == sum(row.buckets.values())
        assert_drilldown(scenario.books.org, row.total)
    assert report.total.amount == sum(report.totals.values())
    assert_drilldown(scenario.books.org, report.total)


def test_receivable_aging_bucket_drilldown_lists_the_bucket_open_items(scenario):
    report = aging(org=scenario.books.org, kind="receivable", as_of=day(3, 31))
    row_a = next(row for row in report.rows if row.partner == "Client A")
    page = line_list(org=scenario.books.org, filters=row_a.bucket_lines["days_61_90"], page_size=None)
    assert [(r.date, r.debit, r.credit) for r in page.rows] == [(day(1, 10), D("1150"), D("0"))]
    page = line_list(org=scenario.books.org, filters=row_a.bucket_lines["days_31_60"], page_size=None)
    assert [(r.date, r.debit) for r in page.rows] == [(day(2, 5), D("575"))]


def test_payable_aging(scenario):
    report = aging(org=scenario.books.org, kind="payable", as_of=day(3, 31))
    assert [(row.partner, row.buckets["days_61_90"], row.total.amount) for row in report.rows] == [
        ("Vendor V", D("260"), D("260"))
    ]
    assert_drilldown(scenario.books.org, report.rows[0].total)


def test_profit_and_loss_per_cost_center(scenario):
    report = profit_and_loss_by_analytic(org=scenario.books.org, dimension="cost_center", filters=JAN_FEB)
    assert [c.code for c in report.columns] == ["CC1", "CC2"]
    assert [f.amount for f in report.income] == [D("1500"), D("2000"), D("3500")]
    assert [f.amount for f in report.expense] == [D("400"), D("3000"), D("3400")]
    assert [f.amount for f in report.net] == [D("1100"), D("-1000"), D("100")]
    for figure in [*report.income, *report.expense, *report.net]:
        assert_drilldown(scenario.books.org, figure)
    for row in [*report.income_rows, *report.expense_rows]:
        for figure in [*row.cells, row.total]:
            assert_drilldown(scenario.books.org, figure)


def test_profit_and_loss_per_project_has_an_unassigned_column(scenario):
    report = profit_and_loss_by_analytic(org=scenario.books.org, dimension="project", filters=JAN_FEB)
    assert [c.code for c in report.columns] == ["P1", "P2", ""]
    assert report.columns[-1].key == UNASSIGNED
    assert [f.amount for f in report.income] == [D("1500"), D("2000"), D("0"), D("3500")]
    assert [f.amount for f in report.expense] == [D("0"), D("3000"), D("400"), D("3400")]
    assert [f.amount for f in report.net] == [D("1500"), D("-1000"), D("-400"), D("100")]
    for figure in [*report.income, *report.expense, *report.net]:
        assert_drilldown(scenario.books.org, figure)


def test_line_list_filters_and_pages(scenario):
    books = scenario.books
    filters = LineFilters(account_id=books.receivable.pk, partner_id=scenario.client_a.pk)
    page = line_list(org=books.org, filters=filters, page=2, page_size=2)
    assert (page.count, page.number, page.num_pages) == (3, 2, 2)
    assert (page.total_debit, page.total_credit, page.balance) == (D("1725"), D("500"), D("1225"))
    assert [r.debit for r in page.rows] == [D("575")]
    no_partner = line_list(org=books.org, filters=LineFilters(partner_id=UNASSIGNED, account_id=books.receivable.pk))
    assert no_partner.count == 0


def test_another_organizations_lines_never_appear(scenario, other_tenant):
    other = build_scenario(other_tenant)
    report = trial_balance(org=scenario.books.org, filters=JAN_FEB)
    assert {row.account.id for row in report.rows}.isdisjoint(
        {other.books.bank.pk, other.books.receivable.pk, other.books.revenue.pk}
    )
    assert report.debit == D("19885")
    foreign = line_list(org=scenario.books.org, filters=LineFilters(account_id=other.books.bank.pk))
    assert foreign.count == 0 and foreign.rows == []


def test_aging_pages_show_some_partners_and_total_all_of_them(scenario):
    everyone = aging(org=scenario.books.org, kind="receivable", as_of=day(3, 31))
    assert (everyone.count, everyone.num_pages) == (3, 1)
    pages = [aging(org=scenario.books.org, kind="receivable", as_of=day(3, 31), page=n, page_size=2) for n in (1, 2)]
    assert [[row.partner for row in page.rows] for page in pages] == [["Client A", "Client B"], ["Client C"]]
    for page in pages:
        assert (page.count, page.num_pages) == (3, 2)
        assert page.totals == everyone.totals and page.total.amount == everyone.total.amount
    assert (pages[0].has_next, pages[0].has_previous, pages[1].has_next) == (True, False, False)
    # A page past the end shows the last one (as the other paged reports do).
    assert [
        row.partner
        for row in aging(org=scenario.books.org, kind="receivable", as_of=day(3, 31), page=9, page_size=2).rows
    ] == ["Client C"]
