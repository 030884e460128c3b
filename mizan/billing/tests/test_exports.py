"""CSV and XLSX export of the quote, recurring invoice and tax lists: the filtered list exactly, amounts at
their currency's places, one organization only, and a fixed number of queries for any length."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import client_for
from mizan.billing.models import Quote, Tax, TaxKind
from mizan.billing.services.recurring import recurring_schedule_create, recurring_schedule_set_active
from mizan.billing.services.taxes import tax_create
from mizan.billing.tests.factories import billing_member, line, make_client, standard_tax
from mizan.billing.tests.test_quotes_support import fake_quote_pdf, make_quote, sent_quote  # noqa: F401 (a fixture)
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_quote_pdf")]


def member_client(tenant: Any, language: str = "en") -> Any:
    user = billing_member(tenant).user
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def download(client: Any, url: str, params: dict[str, Any]) -> tuple[Any, bytes]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def csv_rows(client: Any, url: str, params: dict[str, Any]) -> list[list[str]]:
    response, body = download(client, url, {**params, "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_sheet(client: Any, url: str, params: dict[str, Any]) -> Any:
    response, body = download(client, url, {**params, "export": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(body)).active


def export_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    """Queries of a whole CSV download: the streamed rows are read after the view returns."""
    with CaptureQueriesContext(connection) as queries:
        download(client, url, {**params, "export": "csv"})
    return len(queries.captured_queries)


def account_name(org: Any, role: str) -> str:
    account = Account.objects.filter(organization=org, role=role).order_by("code").first()
    return f"{account.code} {account.name_en}"


# --- quotes ----------------------------------------------------------------------------------------------


@pytest.fixture
def quotes(tenant, other_tenant):
    """Two quotes of Gulf Trading (one in KWD; one sent and past its validity), one of Nile Systems,
    and one of the other organization."""
    org = tenant.org
    day = org.today() - datetime.timedelta(days=10)
    gulf = make_client(org, name_ar="شركة الخليج", name_latin="Gulf Trading", vat_number="300000000000003")
    nile = make_client(org, name_ar="شركة النيل", name_latin="Nile Systems")
    sar = sent_quote(
        tenant,
        company=gulf,
        title="Fit-out",
        issue_date=day,
        valid_until=day + datetime.timedelta(days=30),
        discount_percent="10",
        lines=[line("Design", unit_price="1000", tax=standard_tax(org))],
    )
    Quote.objects.filter(pk=sar.pk).update(valid_until=day + datetime.timedelta(days=1))  # now past it
    kwd = make_quote(
        tenant,
        company=gulf,
        title="Audit",
        currency="KWD",
        issue_date=day + datetime.timedelta(days=5),
        valid_until=day + datetime.timedelta(days=35),
        lines=[line("Audit", quantity="3", unit_price="33.337")],
    )
    make_quote(tenant, company=nile, title="Nile job", issue_date=day)
    make_quote(other_tenant, title="Other organization's quote", issue_date=day)
    return {"gulf": gulf, "nile": nile, "sar": sar, "kwd": kwd, "day": day}


QUOTE_HEADER = [
    "Number",
    "Status",
    "Date",
    "Valid until",
    "Client",
    "VAT number",
    "Title",
    "Deal",
    "Currency",
    "Total before tax",
    "Discount",
    "Tax",
    "Total",
    "Invoice",
]


def test_quote_csv_is_the_filtered_list_at_each_currencys_places(tenant, quotes):
    url = reverse("billing:quote_list")
    day = quotes["day"]
    rows = csv_rows(member_client(tenant), url, {"company": quotes["gulf"].pk})
    assert rows == [
        QUOTE_HEADER,
        [
            quotes["kwd"].display_number,
            "Draft",
            (day + datetime.timedelta(days=5)).isoformat(),
            (day + datetime.timedelta(days=35)).isoformat(),
            "Gulf Trading",
            "300000000000003",
            "Audit",
            "",
            "KWD",
            "100.011",
            "0.000",
            "0.000",
            "100.011",
            "",
        ],
        [
            quotes["sar"].display_number,
            "Expired",
            day.isoformat(),
            (day + datetime.timedelta(days=1)).isoformat(),
            "Gulf Trading",
            "300000000000003",
            "Fit-out",
            "",
            "SAR",
            "900.00",
            "100.00",
            "135.00",
            "1035.00",
            "",
        ],
    ]
    everything = csv_rows(member_client(tenant), url, {})
    assert [row[6] for row in everything[1:]] == ["Audit", "Nile job", "Fit-out"]  # newest date, then newest number


def test_quote_xlsx_is_a_workbook_with_numbers_and_an_arabic_header(tenant, quotes):
    url = reverse("billing:quote_list")
    sheet = xlsx_sheet(member_client(tenant), url, {"company": quotes["gulf"].pk})
    assert sheet.title == "Quotes"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == QUOTE_HEADER
    assert len(values) == 3
    kwd = values[1]
    assert kwd[0] == quotes["kwd"].display_number and kwd[8] == "KWD"
    assert kwd[12] == pytest.approx(100.011) and sheet.cell(row=2, column=13).number_format == "#,##0.000"
    assert values[2][12] == pytest.approx(1035) and sheet.cell(row=3, column=13).number_format == "#,##0.00"
    issued = quotes["day"] + datetime.timedelta(days=5)
    assert sheet.cell(row=2, column=3).value == datetime.datetime(issued.year, issued.month, issued.day)
    arabic = xlsx_sheet(member_client(tenant, "ar"), url, {"company": quotes["gulf"].pk})
    assert arabic.sheet_view.rightToLeft
    header = next(arabic.iter_rows(values_only=True))
    assert (header[0], header[1], header[12]) == ("الرقم", "الحالة", "الإجمالي")
    assert [row[4] for row in arabic.iter_rows(min_row=2, values_only=True)] == ["شركة الخليج", "شركة الخليج"]


def test_quote_export_in_arabic_names_the_status_in_arabic(tenant, quotes):
    rows = csv_rows(member_client(tenant, "ar"), reverse("billing:quote_list"), {"company": quotes["gulf"].pk})
    assert [row[1] for row in rows[1:]] == ["مسودة", "منتهي الصلاحية"]


def test_quote_list_page_links_the_export_of_its_filters(tenant, quotes):
    response = member_client(tenant).get(reverse("billing:quote_list"), {"company": quotes["gulf"].pk, "page": "1"})
    html = response.content.decode()
    assert f'href="?company={quotes["gulf"].pk}&amp;export=csv"' in html
    assert f'href="?company={quotes["gulf"].pk}&amp;export=xlsx"' in html


def test_quote_export_queries_do_not_grow_with_the_rows(tenant):
    client = member_client(tenant)
    url = reverse("billing:quote_list")
    make_quote(tenant, title="First")
    client.get(url)  # warm the session
    one = export_queries(client, url, {})
    for number in range(4):
        make_quote(tenant, company=make_client(tenant.org, name_latin=f"Client {number}"), title=f"Quote {number}")
    assert Quote.objects.filter(organization=tenant.org).count() == 5
    assert export_queries(client, url, {}) == one


def test_quote_export_never_holds_another_organizations_quote(tenant, other_tenant, quotes):
    rows = csv_rows(member_client(tenant), reverse("billing:quote_list"), {})
    assert "Other organization's quote" not in {row[6] for row in rows}
    other = make_client(other_tenant.org, name_latin="Foreign Co")
    # Another organization's client as a filter is not a choice: the filter is ignored, never applied.
    rows = csv_rows(member_client(tenant), reverse("billing:quote_list"), {"company": other.pk})
    assert [row[6] for row in rows[1:]] == ["Audit", "Nile job", "Fit-out"]  # newest date, then newest number


def test_quote_export_refuses_an_unknown_format(tenant):
    response = member_client(tenant).get(reverse("billing:quote_list"), {"export": "pdf"})
    assert response.status_code == 400


# --- recurring invoices ----------------------------------------------------------------------------------


def schedule(tenant: Any, name: str, company: Any, **data: Any) -> Any:
    org = tenant.org
    lines = data.pop("lines", None) or [line("Support", unit_price="1000", tax=standard_tax(org))]
    return recurring_schedule_create(
        org=org,
        actor_membership=billing_member(tenant),
        data={"name": name, "company": company, "start_date": org.today(), **data},
        lines=lines,
    )


@pytest.fixture
def schedules(tenant, other_tenant):
    """Two active schedules (one in KWD, posted automatically, ending), one paused, one of the other org."""
    org = tenant.org
    today = org.today()
    gulf = make_client(org, name_ar="شركة الخليج", name_latin="Gulf Trading")
    retainer = schedule(tenant, "Retainer", gulf)
    hosting = schedule(
        tenant,
        "Hosting",
        gulf,
        currency="KWD",
        frequency="quarterly",
        end_date=today + datetime.timedelta(days=300),
        auto_post=True,
        start_date=today + datetime.timedelta(days=14),
        lines=[line("Hosting", quantity="3", unit_price="33.337")],
    )
    paused = schedule(tenant, "Paused support", gulf)
    recurring_schedule_set_active(org=org, actor_membership=billing_member(tenant), schedule=paused, is_active=False)
    schedule(other_tenant, "Other organization's retainer", make_client(other_tenant.org))
    return {"retainer": retainer, "hosting": hosting, "paused": paused, "today": today}


RECURRING_HEADER = [
    "Name",
    "Client",
    "Every",
    "First invoice date",
    "Last invoice date",
    "Next invoice date",
    "Payment terms",
    "Currency",
    "Total before tax",
    "Tax",
    "Total",
    "Posted automatically",
    "Invoices",
    "Status",
]


def test_recurring_csv_is_the_filtered_list(tenant, schedules):
    rows = csv_rows(member_client(tenant), reverse("billing:recurring_list"), {"status": "active"})
    today = schedules["today"]
    later = today + datetime.timedelta(days=14)
    assert rows == [
        RECURRING_HEADER,
        [
            "Retainer",
            "Gulf Trading",
            "Monthly",
            today.isoformat(),
            "",
            today.isoformat(),
            "Net 30 days",
            "SAR",
            "1000.00",
            "150.00",
            "1150.00",
            "No",
            "0",
            "Active",
        ],
        [
            "Hosting",
            "Gulf Trading",
            "Quarterly",
            later.isoformat(),
            (today + datetime.timedelta(days=300)).isoformat(),
            later.isoformat(),
            "Net 30 days",
            "KWD",
            "100.011",
            "0.000",
            "100.011",
            "Yes",
            "0",
            "Active",
        ],
    ]
    paused = csv_rows(member_client(tenant), reverse("billing:recurring_list"), {"status": "paused"})
    assert [row[0] for row in paused[1:]] == ["Paused support"]
    assert [row[-1] for row in paused[1:]] == ["Paused"]


def test_recurring_xlsx_is_a_workbook(tenant, schedules):
    sheet = xlsx_sheet(member_client(tenant), reverse("billing:recurring_list"), {"status": "active"})
    assert sheet.title == "Recurring invoices"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == RECURRING_HEADER
    assert [row[0] for row in values[1:]] == ["Retainer", "Hosting"]
    assert values[2][10] == pytest.approx(100.011) and sheet.cell(row=3, column=11).number_format == "#,##0.000"
    assert values[1][11] is False and values[2][11] is True
    assert values[1][12] == 0


def test_recurring_list_page_links_the_export_of_its_filter(tenant, schedules):
    html = member_client(tenant).get(reverse("billing:recurring_list"), {"status": "paused"}).content.decode()
    assert 'href="?status=paused&amp;export=csv"' in html and 'href="?status=paused&amp;export=xlsx"' in html


def test_recurring_export_queries_do_not_grow_with_the_rows(tenant):
    client = member_client(tenant)
    url = reverse("billing:recurring_list")
    schedule(tenant, "First", make_client(tenant.org))
    client.get(url)
    one = export_queries(client, url, {})
    for number in range(4):
        schedule(tenant, f"Schedule {number}", make_client(tenant.org, name_latin=f"Client {number}"))
    assert export_queries(client, url, {}) == one


def test_recurring_export_never_holds_another_organizations_schedule(tenant, schedules):
    rows = csv_rows(member_client(tenant), reverse("billing:recurring_list"), {})
    assert sorted(row[0] for row in rows[1:]) == ["Hosting", "Paused support", "Retainer"]
    assert member_client(tenant).get(reverse("billing:recurring_list"), {"export": "ods"}).status_code == 400


# --- taxes -----------------------------------------------------------------------------------------------


@pytest.fixture
def taxes(tenant, other_tenant):
    """The Saudi organization's taxes replaced by two known ones; the other org keeps its own."""
    org = tenant.org
    Tax.objects.filter(organization=org).delete()
    owner = tenant.members[Role.OWNER]
    vat = tax_create(
        org=org,
        actor_membership=owner,
        data={"name_ar": "ضريبة القيمة المضافة", "name_en": "VAT 15%", "rate": Decimal("15"), "kind": TaxKind.STANDARD},
    )
    export = tax_create(
        org=org,
        actor_membership=owner,
        data={
            "name_ar": "تصدير خدمات",
            "name_en": "Export of services",
            "rate": Decimal("0"),
            "kind": TaxKind.ZERO_RATED,
            "exemption_reason_code": "VATEX-SA-33",
            "exemption_reason": "Services to a client abroad",
            "valid_from": datetime.date(2024, 1, 1),
            "valid_to": datetime.date(2026, 12, 31),
            "is_active": False,
        },
    )
    return {"vat": vat, "export": export}


TAX_HEADER = [
    "Name in Arabic",
    "Name in English",
    "Rate (%)",
    "Kind",
    "Reason code",
    "Exemption reason",
    "Account",
    "Valid from",
    "Valid until",
    "Active",
]


def test_tax_csv_holds_the_organizations_taxes(tenant, taxes):
    rows = csv_rows(member_client(tenant), reverse("billing:tax_list"), {})
    account = account_name(tenant.org, AccountRole.VAT_PAYABLE)
    assert rows == [
        TAX_HEADER,
        ["ضريبة القيمة المضافة", "VAT 15%", "15", "Standard rate", "", "", account, "", "", "Yes"],
        [
            "تصدير خدمات",
            "Export of services",
            "0",
            "Zero-rated",
            "VATEX-SA-33",
            "Services to a client abroad",
            account,
            "2024-01-01",
            "2026-12-31",
            "No",
        ],
    ]


def test_tax_xlsx_is_a_workbook(tenant, taxes):
    sheet = xlsx_sheet(member_client(tenant), reverse("billing:tax_list"), {})
    assert sheet.title == "Taxes"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == TAX_HEADER
    assert [(row[1], row[2], row[9]) for row in values[1:]] == [("VAT 15%", 15, True), ("Export of services", 0, False)]
    assert values[2][7] == datetime.datetime(2024, 1, 1)


def test_tax_list_page_has_the_export_buttons(tenant, taxes):
    html = member_client(tenant).get(reverse("billing:tax_list")).content.decode()
    assert 'href="?export=csv"' in html and 'href="?export=xlsx"' in html


def test_tax_export_queries_do_not_grow_with_the_rows(tenant):
    client = member_client(tenant)
    url = reverse("billing:tax_list")
    org = tenant.org
    Tax.objects.filter(organization=org).delete()
    owner = tenant.members[Role.OWNER]
    tax_create(org=org, actor_membership=owner, data={"name_en": "Tax 0", "rate": Decimal("1")})
    client.get(url)
    one = export_queries(client, url, {})
    for number in range(1, 5):
        tax_create(org=org, actor_membership=owner, data={"name_en": f"Tax {number}", "rate": Decimal(number + 1)})
    assert Tax.objects.filter(organization=org).count() == 5
    assert export_queries(client, url, {}) == one


def test_tax_export_never_holds_another_organizations_tax(tenant, other_tenant, taxes):
    other_names = set(Tax.objects.filter(organization=other_tenant.org).values_list("name_en", flat=True))
    assert other_names
    rows = csv_rows(member_client(tenant), reverse("billing:tax_list"), {})
    assert {row[1] for row in rows[1:]} == {"VAT 15%", "Export of services"}
    assert member_client(tenant).get(reverse("billing:tax_list"), {"export": ""}).status_code == 400
