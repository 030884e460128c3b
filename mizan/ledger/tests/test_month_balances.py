"""The account month balances: kept by the posting service, equal to a rebuild from the lines,
and the reports read from them give the figures the lines give."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from mizan.ledger.models import AccountMonthBalance, FiscalYear
from mizan.ledger.selectors.cumulative import cumulative_balances
from mizan.ledger.selectors.report_lines import LineFilters, lines_queryset
from mizan.ledger.selectors.reports import ReportFilters, balance_sheet, profit_and_loss, trial_balance
from mizan.ledger.services.entries import LineInput
from mizan.ledger.services.month_balances import month_balances_rebuild
from mizan.ledger.services.periods import fiscal_year_close
from mizan.ledger.tests.report_scenario import books_for, build_scenario, day

pytestmark = pytest.mark.django_db


def _rows(org) -> dict:
    return {
        (row.account_id, row.month, row.currency, row.is_closing): (row.debit, row.credit, row.amount_currency)
        for row in AccountMonthBalance.objects.filter(organization=org)
    }


def test_posting_adds_to_the_month_of_the_entry_and_a_draft_adds_nothing(tenant):
    books = books_for(tenant)
    books.post(day(3, 5), [LineInput(books.bank, debit="100"), LineInput(books.revenue, credit="100")])
    books.post(day(3, 31), [LineInput(books.bank, debit="20.5"), LineInput(books.revenue, credit="20.5")])
    entry = books.post(day(4, 1), [LineInput(books.bank, debit="7"), LineInput(books.revenue, credit="7")])
    rows = _rows(books.org)
    assert rows[(books.bank.pk, day(3, 1), "SAR", False)] == (D("120.5"), D("0"), D("120.5"))
    assert rows[(books.revenue.pk, day(3, 1), "SAR", False)] == (D("0"), D("120.5"), D("-120.5"))
    assert rows[(books.bank.pk, day(4, 1), "SAR", False)] == (D("7"), D("0"), D("7"))
    assert len(rows) == 4
    books.reverse(entry, day(4, 2))  # a reversal is posted: both sides grow, the balance nets to 0
    assert _rows(books.org)[(books.bank.pk, day(4, 1), "SAR", False)] == (D("7"), D("7"), D("0"))
    from mizan.ledger.services.entries import journal_entry_create

    journal_entry_create(
        org=books.org,
        actor_membership=books.membership,
        journal=books.journal,
        date=day(4, 3),
        lines=[LineInput(books.bank, debit="1000"), LineInput(books.revenue, credit="1000")],
        post=False,
    )
    assert _rows(books.org)[(books.bank.pk, day(4, 1), "SAR", False)] == (D("7"), D("7"), D("0"))


def test_a_rebuild_gives_what_the_postings_kept(tenant):
    scenario = build_scenario(tenant)
    org = scenario.books.org
    kept = _rows(org)
    assert kept
    assert month_balances_rebuild(org=org) == len(kept)
    assert _rows(org) == kept


def test_the_year_end_closing_is_kept_apart_and_left_out_of_profit_and_loss(tenant):
    books = books_for(tenant)
    books.post(day(6, 10), [LineInput(books.bank, debit="500"), LineInput(books.revenue, credit="500")])
    year = FiscalYear.objects.get(organization=books.org, name="2024")
    fiscal_year_close(org=books.org, actor_membership=books.membership, fiscal_year=year)
    closing = {key: value for key, value in _rows(books.org).items() if key[3]}
    assert closing[(books.revenue.pk, day(12, 1), "SAR", True)][0] == D("500")  # the revenue debited away
    pnl = profit_and_loss(org=books.org, filters=ReportFilters(date_from=day(1, 1), date_to=day(12, 31)))
    assert pnl.net.amount == D("500")
    sheet = balance_sheet(org=books.org, as_of=day(12, 31))
    assert sheet.is_balanced and sheet.result.amount == D("0")  # closed into equity


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (day(1, 1), day(3, 31)),  # whole months: the month balances alone
        (day(1, 15), day(2, 10)),  # days inside months at both ends
        (day(2, 1), day(2, 20)),  # one partial month
        (day(2, 6), day(2, 6)),  # a single day
        (day(1, 31), day(2, 29)),  # the last day of a month, then a whole month
    ],
)
def test_reports_from_month_balances_equal_the_sums_of_the_lines(tenant, date_from, date_to):
    scenario = build_scenario(tenant)
    org = scenario.books.org
    for currency in (None, "USD", "SAR"):
        filters = ReportFilters(date_from=date_from, date_to=date_to, currency=currency)
        report = trial_balance(org=org, filters=filters)
        for row in report.rows:
            for figure in (row.opening, row.debit, row.credit, row.closing):
                lines = lines_queryset(org=org, filters=figure.lines)
                total = sum((line.debit - line.credit for line in lines), D("0"))
                assert figure.amount == figure.sign * total, (row.account.code, figure.lines)
    by_summary = cumulative_balances(org=org, days=[date_from, date_to], filters=LineFilters())
    by_lines = cumulative_balances(org=org, days=[date_from, date_to], filters=LineFilters(side="debit"))
    for account_id, totals in by_lines.items():  # the lines path, debits only
        assert [t.debit for t in by_summary[account_id]] == [t.debit for t in totals]


def test_another_organizations_postings_never_reach_the_month_balances(tenant, other_tenant):
    books = books_for(tenant)
    other = books_for(other_tenant)
    books.post(day(5, 5), [LineInput(books.bank, debit="10"), LineInput(books.revenue, credit="10")])
    other.post(day(5, 6), [LineInput(other.bank, debit="99"), LineInput(other.revenue, credit="99")])
    assert {key[0] for key in _rows(books.org)} == {books.bank.pk, books.revenue.pk}
    report = trial_balance(org=books.org, filters=ReportFilters(date_from=day(5, 1), date_to=day(5, 31)))
    assert report.debit == D("10") and report.credit == D("10")
    month_balances_rebuild(org=other.org)
    assert {key[0] for key in _rows(books.org)} == {books.bank.pk, books.revenue.pk}


def test_the_rebuild_command_repairs_the_month_balances(tenant, other_tenant):
    from io import StringIO

    from django.core.management import CommandError, call_command

    scenario = build_scenario(tenant)
    org = scenario.books.org
    kept = _rows(org)
    AccountMonthBalance.objects.filter(organization=org).update(debit=D("1"))
    out = StringIO()
    call_command("ledger_rebuild_summaries", "--organization", str(org.pk), stdout=out)
    assert _rows(org) == kept and f"{len(kept)} month balance row(s)" in out.getvalue()
    with pytest.raises(CommandError, match="No organization with id 999999"):
        call_command("ledger_rebuild_summaries", "--organization", "999999")


def test_the_last_possible_month_does_not_overflow(tenant):
    import datetime

    books = books_for(tenant)
    books.post(day(3, 5), [LineInput(books.bank, debit="100"), LineInput(books.revenue, credit="100")])
    last = datetime.date(datetime.MAXYEAR, 12, 31)
    report = trial_balance(org=books.org, filters=ReportFilters(date_from=day(3, 1), date_to=last))
    assert report.debit == D("100")
    assert balance_sheet(org=books.org, as_of=last).is_balanced


def test_the_entry_list_search_finds_a_partner_by_name(tenant):
    from types import SimpleNamespace

    from mizan.crm.services.clients import company_search_name
    from mizan.ledger.filters import JournalEntryFilter
    from mizan.ledger.models import JournalEntry

    scenario = build_scenario(tenant)
    org = scenario.books.org
    for partner in (scenario.client_a, scenario.client_b):  # as the CRM services index them
        partner.search_name = company_search_name(partner)
        partner.save(update_fields=["search_name"])
    entries = JournalEntry.objects.filter(organization=org)
    found = JournalEntryFilter({"q": "client a"}, queryset=entries, request=SimpleNamespace(org=org)).qs
    with_a = entries.filter(lines__partner=scenario.client_a).distinct()
    assert found.exists() and set(found) == set(with_a)
    assert not JournalEntryFilter({"q": "nobody here"}, queryset=entries, request=SimpleNamespace(org=org)).qs.exists()
