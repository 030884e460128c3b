"""Each report as export columns and rows (CSV/XLSX), built from the same selector results the
pages show. Amounts are exact Decimals (numbers in the spreadsheet)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

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

Table = tuple[list[tuple[str, Any]], Iterator[list[Any]] | list[list[Any]]]


def _amounts(*figures: Any) -> list[Decimal]:
    return [figure.amount for figure in figures]


def trial_balance_table(report: TrialBalance) -> Table:
    columns = [
        ("code", _("Code")),
        ("account", _("Account")),
        ("type", _("Type")),
        ("opening", _("Opening balance")),
        ("debit", _("Debit")),
        ("credit", _("Credit")),
        ("closing", _("Closing balance")),
    ]
    rows = [
        [r.account.code, r.account.name, r.account.type_label, *_amounts(r.opening, r.debit, r.credit, r.closing)]
        for r in report.rows
    ]
    rows.append(["", _("Total"), "", report.opening, report.debit, report.credit, report.closing])
    return columns, rows


def _line_values(row: LineRow) -> list[Any]:
    return [row.date, row.entry_number, row.journal, row.account_code, row.account_name, row.partner]


def general_ledger_table(report: GeneralLedger) -> Table:
    columns = [
        ("date", _("Date")),
        ("entry", _("Entry")),
        ("journal", _("Journal")),
        ("account_code", _("Code")),
        ("account", _("Account")),
        ("partner", _("Partner")),
        ("description", _("Description")),
        ("debit", _("Debit")),
        ("credit", _("Credit")),
        ("balance", _("Balance")),
    ]
    rows: list[list[Any]] = [
        [report.filters.date_from, "", "", "", "", "", _("Opening balance"), None, None, report.opening.amount]
    ]
    rows += [[*_line_values(r), r.description, r.debit, r.credit, r.balance] for r in report.rows]
    closing = _amounts(report.debit, report.credit, report.closing)
    rows.append([report.filters.date_to, "", "", "", "", "", _("Closing balance"), *closing])
    return columns, rows


def profit_and_loss_table(report: ProfitAndLoss) -> Table:
    compare = report.previous_net is not None
    columns = [("code", _("Code")), ("account", _("Account")), ("current", _("Current period"))]
    if compare:
        columns += [("previous", _("Comparison period")), ("difference", _("Difference"))]
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


def balance_sheet_table(report: BalanceSheet) -> Table:
    columns = [("section", _("Section")), ("code", _("Code")), ("account", _("Account")), ("amount", _("Amount"))]
    rows: list[list[Any]] = []
    for section in report.sections:
        rows += [[section.label, account.code, account.name, figure.amount] for account, figure in section.rows]
        if section.type == "equity":
            rows.append([section.label, "", _("Result not yet closed"), report.result.amount])
    rows.append(["", "", _("Total assets"), report.total_assets])
    rows.append(["", "", _("Total liabilities and equity"), report.total_liabilities_and_equity])
    return columns, rows


def aging_table(report: Aging) -> Table:
    labels = aging_bucket_labels()
    columns = [("partner", _("Partner")), *[(name, labels[name]) for name in AGING_BUCKETS], ("total", _("Total"))]
    rows = [[row.partner, *[row.buckets[name] for name in AGING_BUCKETS], row.total.amount] for row in report.rows]
    rows.append([_("Total"), *report.total_list(), report.total.amount])
    return columns, rows


def analytic_table(report: AnalyticProfitAndLoss) -> Table:
    columns = [("code", _("Code")), ("account", _("Account"))]
    columns += [(f"c{index}", column.name) for index, column in enumerate(report.columns)]
    columns.append(("total", _("Total")))
    rows: list[list[Any]] = []
    for label, account_rows, totals in (
        (_("Total income"), report.income_rows, report.income),
        (_("Total expense"), report.expense_rows, report.expense),
    ):
        rows += [[r.account.code, r.account.name, *[c.amount for c in r.cells], r.total.amount] for r in account_rows]
        rows.append(["", label, *[figure.amount for figure in totals]])
    rows.append(["", _("Net profit"), *[figure.amount for figure in report.net]])
    return columns, rows


def line_list_table(page: LinePage) -> Table:
    columns = [
        ("date", _("Date")),
        ("entry", _("Entry")),
        ("journal", _("Journal")),
        ("account_code", _("Code")),
        ("account", _("Account")),
        ("partner", _("Partner")),
        ("description", _("Description")),
        ("currency", _("Currency")),
        ("amount_currency", _("Amount in currency")),
        ("debit", _("Debit")),
        ("credit", _("Credit")),
    ]
    rows = [[*_line_values(r), r.description, r.currency, r.amount_currency, r.debit, r.credit] for r in page.rows]
    rows.append(["", "", "", "", "", "", _("Total"), "", None, page.total_debit, page.total_credit])
    return columns, rows
