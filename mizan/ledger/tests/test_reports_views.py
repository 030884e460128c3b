"""Report pages, drill-down page, exports (parsed back), permissions, tenancy and query counts."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import client_for
from mizan.core.roles import Role
from mizan.ledger.models import JournalLine
from mizan.ledger.services.entries import LineInput
from mizan.ledger.tests.report_scenario import build_scenario, company, day

D = Decimal
pytestmark = pytest.mark.django_db

FEBRUARY = "date_from=2024-02-01&date_to=2024-02-29"


@pytest.fixture
def scenario(tenant):
    return build_scenario(tenant)


@pytest.fixture
def accountant(tenant):
    return client_for(tenant.user(Role.ACCOUNTANT))


def _pages(scenario) -> list[str]:
    bank = scenario.books.bank.pk
    return [
        reverse("ledger:reports"),
        f"{reverse('ledger:report_trial_balance')}?{FEBRUARY}",
        f"{reverse('ledger:report_general_ledger')}?account={bank}&{FEBRUARY}",
        f"{reverse('ledger:report_profit_and_loss')}?{FEBRUARY}&comparison=previous_period",
        f"{reverse('ledger:report_balance_sheet')}?as_of=2024-02-29",
        f"{reverse('ledger:report_aging', args=['receivable'])}?as_of=2024-03-31",
        f"{reverse('ledger:report_aging', args=['payable'])}?as_of=2024-03-31",
        f"{reverse('ledger:report_analytic', args=['cost-center'])}?date_from=2024-01-01&date_to=2024-02-29",
        f"{reverse('ledger:report_analytic', args=['project'])}?date_from=2024-01-01&date_to=2024-02-29",
        f"{reverse('ledger:line_list')}?account={bank}",
    ]


def test_every_report_page_renders_without_inline_script_or_style(scenario, accountant):
    for url in _pages(scenario):
        response = accountant.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url
        assert re.search(r"\sstyle=", html) is None and "<style" not in html, url
        assert re.search(r"\son[a-z]+=", html) is None, url
    index = accountant.get(reverse("ledger:reports")).content.decode()
    assert 'href="/ledger/reports/"' in index  # the sidebar link


def test_trial_balance_page_shows_figures_with_drilldown_links(scenario, accountant):
    html = accountant.get(f"{reverse('ledger:report_trial_balance')}?{FEBRUARY}").content.decode()
    bank = scenario.books.bank.pk
    assert f'href="/ledger/lines/?account={bank}&amp;date_to=2024-01-31"' in html
    assert "SAR\xa010,500.00" in html and "SAR\xa08,800.00" in html and "SAR\xa05,475.00" in html
    assert "data-report-print" in html and "core/js/ledger_reports.js" in html
    assert "core/css/ledger_reports.css" in html


def test_drilldown_page_totals_equal_the_figure(scenario, accountant):
    bank = scenario.books.bank.pk
    response = accountant.get(f"/ledger/lines/?account={bank}&date_from=2024-02-01&date_to=2024-02-29&side=credit")
    page = response.context["page"]
    assert (page.count, page.total_credit, page.total_debit) == (3, D("3300"), D("0"))
    html = response.content.decode()
    assert "SAR\xa03,300.00" in html
    assert reverse("ledger:entry_detail", args=[scenario.entries["E7"].pk]) in html


def test_arabic_page_is_right_to_left_with_arabic_labels(scenario, tenant):
    user = tenant.user(Role.ACCOUNTANT)
    user.language = "ar"
    user.save(update_fields=["language"])
    html = client_for(user).get(f"{reverse('ledger:report_trial_balance')}?{FEBRUARY}").content.decode()
    assert 'dir="rtl"' in html
    assert "bootstrap.rtl.min.css" in html
    assert 'class="text-end"' in html


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_trial_balance_csv_and_xlsx_exports_parse_back(scenario, accountant):
    url = f"{reverse('ledger:report_trial_balance')}?{FEBRUARY}"
    rows = _csv_rows(accountant.get(url + "&export=csv"))
    assert rows[0] == ["Code", "Account", "Type", "Opening balance", "Debit", "Credit", "Closing balance"]
    bank = next(row for row in rows if row[0] == scenario.books.bank.code)
    assert [D(v) for v in bank[3:]] == [D("10500"), D("1600"), D("3300"), D("8800")]
    assert rows[-1][1] == "Total" and D(rows[-1][4]) == D(rows[-1][5]) == D("5475") and D(rows[-1][6]) == 0
    response = accountant.get(url + "&export=xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="trial-balance.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    bank_row = next(row for row in values if row[0] == scenario.books.bank.code)
    assert [D(str(v)) for v in bank_row[3:]] == [D("10500"), D("1600"), D("3300"), D("8800")]


@pytest.mark.parametrize(
    ("name", "query", "expected_last"),
    [
        ("report_profit_and_loss", f"{FEBRUARY}&comparison=previous_period", ["Net profit", "-2500", "2600", "-5100"]),
        ("report_balance_sheet", "as_of=2024-02-29", ["Total liabilities and equity", "10885"]),
        ("report_analytic", "date_from=2024-01-01&date_to=2024-02-29", ["Net profit", "1500", "-1000", "-400", "100"]),
    ],
)
def test_report_csv_exports(scenario, accountant, name, query, expected_last):
    args = ["project"] if name == "report_analytic" else []
    rows = _csv_rows(accountant.get(f"{reverse(f'ledger:{name}', args=args)}?{query}&export=csv"))
    last = [value for value in rows[-1] if value]
    assert last[0] == expected_last[0]
    assert [D(v) for v in last[1:]] == [D(v) for v in expected_last[1:]]


def test_aging_and_general_ledger_and_lines_exports(scenario, accountant):
    rows = _csv_rows(
        accountant.get(f"{reverse('ledger:report_aging', args=['receivable'])}?as_of=2024-03-31&export=csv")
    )
    assert rows[0] == ["Partner", "Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Total"]
    by_partner = {row[0]: [D(v) for v in row[1:]] for row in rows[1:]}
    assert by_partner["Client A"] == [D("0"), D("0"), D("575"), D("650"), D("0"), D("1225")]
    assert by_partner["Total"] == [D("-100"), D("0"), D("1375"), D("650"), D("0"), D("1925")]
    bank = scenario.books.bank.pk
    rows = _csv_rows(accountant.get(f"{reverse('ledger:report_general_ledger')}?account={bank}&{FEBRUARY}&export=csv"))
    assert [D(row[-1]) for row in rows[1:]] == [
        D(v) for v in ("10500", "12000", "9000", "8900", "9000", "8800", "8800")
    ]
    response = accountant.get(f"{reverse('ledger:line_list')}?account={bank}&{FEBRUARY}&export=xlsx")
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(values) == 1 + 5 + 1
    assert (D(str(values[-1][-2])), D(str(values[-1][-1]))) == (D("1600"), D("3300"))


def test_reports_need_the_ledger_view_capability(scenario):
    from conftest import client_for as make

    response = make(scenario.books.membership.organization.memberships.get(role=Role.SALES).user).get(
        reverse("ledger:report_trial_balance")
    )
    assert response.status_code == 403


def test_another_organizations_ids_give_404_and_its_data_never_shows(scenario, other_tenant, accountant):
    other = build_scenario(other_tenant)
    foreign_bank = other.books.bank.pk
    assert accountant.get(f"{reverse('ledger:report_general_ledger')}?account={foreign_bank}").status_code == 404
    assert accountant.get(f"{reverse('ledger:line_list')}?account={foreign_bank}").status_code == 404
    assert accountant.get(f"{reverse('ledger:line_list')}?partner={other.client_a.pk}").status_code == 404
    assert accountant.get(f"{reverse('ledger:line_list')}?cost_center={other.cc1.pk}").status_code == 404
    assert accountant.get(f"{reverse('ledger:report_general_ledger')}?account=junk").status_code == 404
    # A foreign cost center in the report form is refused as an invalid choice, and nothing of B shows.
    response = accountant.get(f"{reverse('ledger:report_trial_balance')}?cost_center={other.cc1.pk}")
    assert response.status_code == 200 and response.context["report"] is None
    lines_before = JournalLine.objects.count()
    html = accountant.get(f"{reverse('ledger:line_list')}?date_from=2024-01-01").content.decode()
    assert "Client A" in html and other.books.org.display_name() not in html
    page = accountant.get(f"{reverse('ledger:line_list')}?date_from=2024-01-01").context["page"]
    assert page.count == JournalLine.objects.filter(organization=scenario.books.org).count()
    assert JournalLine.objects.count() == lines_before


def test_bad_filters_are_messages_not_errors(scenario, accountant):
    response = accountant.get(f"{reverse('ledger:line_list')}?date_from=2024-13-45")
    assert response.status_code == 200 and response.context["page"] is None
    response = accountant.get(f"{reverse('ledger:report_trial_balance')}?date_from=2024-03-01&date_to=2024-02-01")
    assert response.status_code == 200 and response.context["report"] is None
    assert accountant.get(reverse("ledger:report_aging", args=["nothing"])).status_code == 404
    assert accountant.get(reverse("ledger:report_analytic", args=["nothing"])).status_code == 404


def _grow(scenario, count: int) -> None:
    """More accounts, partners, analytic accounts and lines: query counts must not change."""
    from mizan.ledger.models import Account, AccountType, AnalyticAccount, AnalyticKind

    books = scenario.books
    for number in range(count):
        account = Account.objects.create(
            organization=books.org, code=f"R6{number:03d}", name_en=f"Extra {number}", type=AccountType.EXPENSE
        )
        partner = company(books.org, f"Extra client {number}")
        center = AnalyticAccount.objects.create(
            organization=books.org, kind=AnalyticKind.COST_CENTER, code=f"X{number}", name_en=f"X{number}"
        )
        books.post(
            day(2, 3),
            [
                LineInput(account, debit="10", cost_center=center),
                LineInput(books.receivable, debit="5", partner=partner),
                LineInput(books.bank, credit="15"),
            ],
        )


def _query_counts(client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context))
    return counts


def test_page_and_export_query_counts_do_not_grow_with_data(scenario, accountant):
    urls = _pages(scenario)
    urls += [url + ("&" if "?" in url else "?") + "export=csv" for url in urls[1:]]
    before = _query_counts(accountant, urls)
    _grow(scenario, 6)
    assert _query_counts(accountant, urls) == before


def test_exports_round_amounts_to_the_base_currency_and_say_which_dates_each_column_covers(scenario, accountant):
    url = f"{reverse('ledger:report_profit_and_loss')}?{FEBRUARY}&comparison=previous_period"
    rows = _csv_rows(accountant.get(url + "&export=csv"))
    assert rows[0] == [
        "Code",
        "Account",
        "Current period (2024-02-01 to 2024-02-29)",
        "Comparison period (2024-01-01 to 2024-01-31)",
        "Difference",
    ]
    assert rows[-1][2:] == ["-2500.00", "2600.00", "-5100.00"]  # SAR: two decimals, not three
    plain = _csv_rows(accountant.get(f"{reverse('ledger:report_profit_and_loss')}?{FEBRUARY}&export=csv"))
    assert plain[0] == ["Code", "Account", "Current period (2024-02-01 to 2024-02-29)"]
    response = accountant.get(url + "&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Profit and loss"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    last = list(sheet.iter_rows())[-1]
    assert (last[2].value, last[2].data_type, last[2].number_format) == (-2500, "n", "#,##0.00")
    lines = accountant.get(f"{reverse('ledger:line_list')}?account={scenario.books.bank.pk}&{FEBRUARY}&export=xlsx")
    assert load_workbook(io.BytesIO(b"".join(lines.streaming_content))).active.title == "Journal lines"


def test_the_aging_page_shows_a_page_of_partners_and_the_export_all(scenario, accountant, monkeypatch):
    from mizan.ledger.views import reports as report_views

    monkeypatch.setattr(report_views, "AGING_PAGE_SIZE", 2)
    url = reverse("ledger:report_aging", args=["receivable"])
    first = accountant.get(f"{url}?as_of=2024-03-31").content.decode()
    assert "Client A" in first and "Client B" in first and "Client C" not in first
    assert "Page 1 of 2" in first and "page=2" in first and "all 3 partners" in first
    second = accountant.get(f"{url}?as_of=2024-03-31&page=2").content.decode()
    assert "Client C" in second and "Client A" not in second
    assert first.count("1,925.00") == second.count("1,925.00") >= 1  # the grand total of every partner
    rows = _csv_rows(accountant.get(f"{url}?as_of=2024-03-31&page=2&export=csv"))
    assert [row[0] for row in rows[1:]] == ["Client A", "Client B", "Client C", "Total"]
