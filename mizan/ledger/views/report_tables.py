"""Each report as export columns and rows (CSV/XLSX), built from the same selector results the
pages show. Amounts are Decimals (numbers in the spreadsheet) in the organization's base currency,
which `currency` names: the export rounds them to its minor unit."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from mizan.core.exports import Amount, Column
from mizan.ledger.selectors.report_lines import LinePage, LineRow
from mizan.ledger.selectors.reports import (
    AGING_BUCKETS,
    Aging,
    AnalyticProfitAndLoss,
    BalanceSheet,
    GeneralLedger,
    ProfitAndLoss,
    TrialBalance,
    aging_bucket_labels,
)

Table = tuple[list[Column], Iterator[list[Any]] | list[list[Any]]]


def _amounts(*figures: Any) -> list[Decimal]:
    return [figure.amount for figure in figures]


def _money(key: str, label: Any, currency: str) -> Column:
    return (key, label, Amount(currency=currency))


def trial_balance_table(report: TrialBalance, *, currency: str) -> Table:
    columns = [
        ("code", _("Code")),
        ("account", _("Account")),
        ("type", _("Type")),
        _money("opening", _("Opening balance"), currency),
        _money("debit", _("Debit"), currency),
        _money("credit", _("Credit"), currency),
        _money("closing", _("Closing balance"), currency),
    ]
    rows = [
        [r.account.code, r.account.name, r.account.type_label, *_amounts(r.opening, r.debit, r.credit, r.closing)]
        for r in report.rows
    ]
    rows.append(["", _("Total"), "", report.opening, report.debit, report.credit, report.closing])
    return columns, rows


def _line_values(row: LineRow) -> list[Any]:
    return [row.date, row.entry_number, row.journal, row.account_code, row.account_name, row.partner]


def general_ledger_table(report: GeneralLedger, *, currency: str) -> Table:
    columns = [
        ("date", _("Date")),
        ("entry", _("Entry")),
        ("journal", _("Journal")),
        ("account_code", _("Code")),
        ("account", _("Account")),
        ("partner", _("Partner")),
        ("description", _("Description")),
        _money("debit", _("Debit"), currency),
        _money("credit", _("Credit"), currency),
        _money("balance", _("Balance"), currency),
    ]
    rows: list[list[Any]] = [
        [report.filters.date_from, "", "", "", "", "", _("Opening balance"), None, None, report.opening.amount]
    ]
    rows += [[*_line_values(r), r.description, r.debit, r.credit, r.balance] for r in report.rows]
    closing = _amounts(report.debit, report.credit, report.closing)
    rows.append([report.filters.date_to, "", "", "", "", "", _("Closing balance"), *closing])
    return columns, rows


def _period(label: str, date_from: Any, date_to: Any) -> str:
    """A column header that says which dates its figures cover."""
    return _("{period} ({date_from} to {date_to})").format(
        period=label, date_from=date_from.isoformat(), date_to=date_to.isoformat()
    )


def profit_and_loss_table(report: ProfitAndLoss, *, currency: str) -> Table:
    compare = report.previous_net is not None
    current = _period(_("Current period"), report.filters.date_from, report.filters.date_to)
    columns = [("code", _("Code")), ("account", _("Account")), _money("current", current, currency)]
    if compare:
        previous = _period(_("Comparison period"), report.previous_from, report.previous_to)
        columns += [_money("previous", previous, currency), _money("difference", _("Difference"), currency)]
    rows: list[list[Any]] = []

    def line(code: str, label: str, current: Decimal, previous: Decimal | None, difference: Decimal | None) -> None:
        rows.append([code, label, current, previous, difference] if compare else [code, label, current])

    for section in report.sections:
        for row in section.rows:
            previous = row.previous.amount if row.previous else None
            line(row.account.code, row.account.name, row.current.amount, previous, row.difference)
        previous_total = section.previous.amount if section.previous else None
        line(
            "",
            _("Total {section}").format(section=section.label),
            section.current.amount,
            previous_total,
            section.difference,
        )
    line(
        "",
        _("Net profit"),
        report.net.amount,
        report.previous_net.amount if report.previous_net else None,
        report.net_difference,
    )
    return columns, rows


def balance_sheet_table(report: BalanceSheet, *, currency: str) -> Table:
    columns = [
        ("section", _("Section")),
        ("code", _("Code")),
        ("account", _("Account")),
        _money("amount", _("Amount"), currency),
    ]
    rows: list[list[Any]] = []
    for section in report.sections:
        rows += [[section.label, account.code, account.name, figure.amount] for account, figure in section.rows]
        if section.type == "equity":
            rows.append([section.label, "", _("Result not yet closed"), report.result.amount])
    rows.append(["", "", _("Total assets"), report.total_assets])
    rows.append(["", "", _("Total liabilities and equity"), report.total_liabilities_and_equity])
    return columns, rows


def aging_table(report: Aging, *, currency: str) -> Table:
    labels = aging_bucket_labels()
    columns = [
        ("partner", _("Partner")),
        *[_money(name, labels[name], currency) for name in AGING_BUCKETS],
        _money("total", _("Total"), currency),
    ]
    rows = [[row.partner, *[row.buckets[name] for name in AGING_BUCKETS], row.total.amount] for row in report.rows]
    rows.append([_("Total"), *report.total_list(), report.total.amount])
    return columns, rows


def analytic_table(report: AnalyticProfitAndLoss, *, currency: str) -> Table:
    columns: list[Column] = [("code", _("Code")), ("account", _("Account"))]
    columns += [_money(f"c{index}", column.name, currency) for index, column in enumerate(report.columns)]
    columns.append(_money("total", _("Total"), currency))
    rows: list[list[Any]] = []
    for label, account_rows, totals in (
        (_("Total income"), report.income_rows, report.income),
        (_("Total expense"), report.expense_rows, report.expense),
    ):
        rows += [[r.account.code, r.account.name, *[c.amount for c in r.cells], r.total.amount] for r in account_rows]
        rows.append(["", label, *[figure.amount for figure in totals]])
    rows.append(["", _("Net profit"), *[figure.amount for figure in report.net]])
    return columns, rows


def line_list_table(page: LinePage, *, currency: str) -> Table:
    columns = [
        ("date", _("Date")),
        ("entry", _("Entry")),
        ("journal", _("Journal")),
        ("account_code", _("Code")),
        ("account", _("Account")),
        ("partner", _("Partner")),
        ("description", _("Description")),
        ("currency", _("Currency")),
        ("amount_currency", _("Amount in currency"), Amount(currency=currency, currency_key="currency")),
        _money("debit", _("Debit"), currency),
        _money("credit", _("Credit"), currency),
    ]
    rows = [[*_line_values(r), r.description, r.currency, r.amount_currency, r.debit, r.credit] for r in page.rows]
    rows.append(["", "", "", "", "", "", _("Total"), "", None, page.total_debit, page.total_credit])
    return columns, rows
