"""Properties for random valid postings and reversals: the trial balance nets to zero, the
balance sheet balances, and every report figure equals the sum of its drill-down lines.
Also pins the selectors' query counts (they do not grow with accounts, lines or partners)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mizan.ledger.models import AnalyticAccount
from mizan.ledger.selectors.report_lines import LineFilters, line_list
from mizan.ledger.selectors.reports import (
    Comparison,
    Figure,
    ReportFilters,
    aging,
    balance_sheet,
    general_ledger,
    profit_and_loss,
    profit_and_loss_by_analytic,
    trial_balance,
)
from mizan.ledger.services.entries import LineInput
from mizan.ledger.tests.report_scenario import analytic, books_for, build_scenario, company, day

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 1, 1)
ACCOUNT_NAMES = ("bank", "receivable", "payable", "revenue", "expense", "salaries", "equity")

line_strategy = st.tuples(
    st.sampled_from(ACCOUNT_NAMES),
    st.integers(min_value=1, max_value=2_000_000),  # cents
    st.booleans(),  # debit?
    st.integers(min_value=0, max_value=3),  # partner index (3: none)
    st.integers(min_value=0, max_value=2),  # cost center index (2: none)
    st.integers(min_value=0, max_value=2),  # project index (2: none)
)
entry_strategy = st.tuples(
    st.integers(min_value=0, max_value=364),  # day of 2024
    st.lists(line_strategy, min_size=1, max_size=4),
    st.booleans(),  # reverse it?
)


def _check(org, figure: Figure) -> None:
    page = line_list(org=org, filters=figure.lines, page_size=None)
    assert figure.sign * page.balance == figure.amount, figure


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry_strategy, min_size=1, max_size=6), as_of_day=st.integers(min_value=0, max_value=400))
def test_random_postings_keep_every_report_consistent(tenant, entries, as_of_day):
    with transaction.atomic():
        books = books_for(tenant, years=(2024, 2025))
        org = books.org
        partners = [company(org, f"P{index}") for index in range(3)] + [None]
        centers = [analytic(org, "cost_center", f"C{index}", f"C{index}") for index in range(2)] + [None]
        projects = [analytic(org, "project", f"J{index}", f"J{index}") for index in range(2)] + [None]
        for offset, lines, reverse in entries:
            inputs = []
            balance = Decimal("0")
            for name, cents, is_debit, partner, center, project in lines:
                amount = Decimal(cents) / 100
                balance += amount if is_debit else -amount
                inputs.append(
                    LineInput(
                        getattr(books, name),
                        debit=str(amount) if is_debit else "0",
                        credit="0" if is_debit else str(amount),
                        partner=partners[partner],
                        cost_center=centers[center],
                        project=projects[project],
                    )
                )
            if balance:
                side = {"credit": str(balance)} if balance > 0 else {"debit": str(-balance)}
                inputs.append(LineInput(books.bank, **side))
            elif len(inputs) < 2:
                continue
            when = START + datetime.timedelta(days=offset)
            entry = books.post(when, inputs)
            if reverse:
                books.reverse(entry, when)

        as_of = START + datetime.timedelta(days=as_of_day)
        year = ReportFilters(date_from=START, date_to=as_of)
        middle = ReportFilters(date_from=START + datetime.timedelta(days=as_of_day // 2), date_to=as_of)

        for filters in (year, middle):
            report = trial_balance(org=org, filters=filters)
            assert report.closing == 0 and report.opening == 0 and report.debit == report.credit
            for row in report.rows:
                for figure in (row.opening, row.debit, row.credit, row.closing):
                    _check(org, figure)

        sheet = balance_sheet(org=org, as_of=as_of)
        assert sheet.is_balanced
        _check(org, sheet.result)
        for section in sheet.sections:
            for _account, figure in section.rows:
                _check(org, figure)

        pnl = profit_and_loss(org=org, filters=middle, comparison=Comparison.PREVIOUS_PERIOD)
        for figure in (pnl.net, pnl.previous_net, pnl.income.current, pnl.expense.current):
            _check(org, figure)
        assert profit_and_loss(org=org, filters=year).net.amount == sheet.result.amount

        for kind in ("receivable", "payable"):
            report = aging(org=org, kind=kind, as_of=as_of)
            for row in report.rows:
                assert sum(row.buckets.values()) == row.total.amount
                _check(org, row.total)
            _check(org, report.total)

        for dimension in ("cost_center", "project"):
            by = profit_and_loss_by_analytic(org=org, dimension=dimension, filters=year)
            for figure in [*by.net, *by.income, *by.expense]:
                _check(org, figure)
            assert by.net[-1].amount == sheet.result.amount

        ledger = general_ledger(org=org, account=books.bank, filters=middle, page_size=None)
        expected_closing = ledger.opening.amount + ledger.debit.amount - ledger.credit.amount
        assert ledger.closing.amount == expected_closing
        assert (ledger.rows[-1].balance if ledger.rows else ledger.opening.amount) == expected_closing
        transaction.set_rollback(True)


def _selector_calls(scenario):
    org = scenario.books.org
    center_id = AnalyticAccount.objects.get(organization=org, code="CC1").pk
    filters = ReportFilters(date_from=day(2, 1), date_to=day(2, 29))
    return [
        # Whole months: the month balances and the accounts' names.
        (2, lambda: trial_balance(org=org, filters=filters)),
        (2, lambda: general_ledger(org=org, account=scenario.books.bank, filters=filters)),
        (2, lambda: profit_and_loss(org=org, filters=filters, comparison=Comparison.PREVIOUS_YEAR)),
        (2, lambda: balance_sheet(org=org, as_of=day(2, 29))),
        # Days inside months: plus one query on the lines of those months.
        (3, lambda: trial_balance(org=org, filters=ReportFilters(date_from=day(2, 10), date_to=day(2, 20)))),
        (3, lambda: balance_sheet(org=org, as_of=day(2, 15))),
        # A dimension the month balances do not keep: the lines alone, and the names.
        (2, lambda: trial_balance(org=org, filters=ReportFilters(day(2, 1), day(2, 29), cost_center_id=center_id))),
        # Accounts, whether a line is dated later, totals, one page: from the open items...
        (4, lambda: aging(org=org, kind="receivable", as_of=day(3, 31))),
        (4, lambda: aging(org=org, kind="receivable", as_of=day(2, 15))),  # ...or from the lines
        (1, lambda: profit_and_loss_by_analytic(org=org, dimension="project", filters=filters)),
        (2, lambda: line_list(org=org, filters=LineFilters(account_id=scenario.books.bank.pk))),
    ]


def test_selector_query_counts_are_pinned_and_do_not_grow(tenant, django_assert_num_queries):
    scenario = build_scenario(tenant)
    books = scenario.books
    for _round in range(2):
        for expected, call in _selector_calls(scenario):
            with django_assert_num_queries(expected):
                call()
        for number in range(5):  # more partners, lines and analytic accounts for the second round
            partner = company(books.org, f"More {_round}-{number}")
            center = analytic(books.org, "cost_center", f"M{_round}{number}", "More")
            books.post(
                day(2, 2),
                [
                    LineInput(books.receivable, debit="7", partner=partner),
                    LineInput(books.revenue, credit="7", cost_center=center),
                ],
            )
