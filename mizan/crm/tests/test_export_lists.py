"""Exports of the CRM lists: the same filters and visibility as the page, parsed back from the file."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import client_for
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.tests.clients_helpers import make_company, make_contact, make_lead
from mizan.crm.tests.deal_helpers import make_deal

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> tuple[list[list[object]], object]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_companies_csv_respects_filters(tenant):
    owner = tenant.members[Role.OWNER]
    make_company(owner, name_ar="شركة الأفق", name_latin="Ufuq", city="Riyadh", phone="0501234567")
    make_company(owner, name_latin="Nile Co", city="Cairo")
    client = client_for(tenant.owner)
    rows = csv_rows(client.get("/crm/export/companies/?export=csv&city=riy"))
    assert rows[0][:4] == ["Name in Arabic", "Name in Latin script", "E-mail", "Phone"]
    assert [row[:4] for row in rows[1:]] == [["شركة الأفق", "Ufuq", "", "+966501234567"]]
    assert len(csv_rows(client.get("/crm/export/companies/?export=csv"))) == 3


def test_sales_member_with_own_visibility_exports_only_their_records(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    make_contact(sales, name_latin="Mine")
    make_contact(tenant.members[Role.OWNER], name_latin="Not mine")
    rows = csv_rows(client_for(sales.user).get("/crm/export/contacts/?export=csv"))
    assert [row[1] for row in rows[1:]] == ["Mine"]
    everyone = csv_rows(client_for(tenant.owner).get("/crm/export/contacts/?export=csv"))
    assert sorted(row[1] for row in everyone[1:]) == ["Mine", "Not mine"]


def test_leads_export_translates_status_and_keeps_numbers(tenant):
    sales = tenant.members[Role.SALES]
    make_lead(sales, person_name="Omar", estimated_value="2500.50", status="contacted")
    make_lead(sales, person_name="Mona")
    client = client_for(sales.user)
    rows = csv_rows(client.get("/crm/export/leads/?export=csv&status=contacted"))
    header, (omar,) = rows[0], rows[1:]
    assert omar[header.index("Person's name")] == "Omar"
    assert omar[header.index("Status")] == "Contacted"
    assert omar[header.index("Estimated value")] == "2500.50"  # SAR has two decimals
    assert omar[header.index("Currency")] == "SAR"


def test_deals_xlsx_has_numbers_dates_and_right_to_left_for_arabic(tenant):
    owner = tenant.members[Role.OWNER]
    company = make_company(owner, name_ar="الأفق", name_latin="Ufuq")
    make_deal(tenant, title="Big", value=Decimal("125000.750"), company=company, expected_close_date=date(2025, 6, 30))
    make_deal(tenant, title="Small", value=Decimal("10"))
    tenant.owner.language = "ar"
    tenant.owner.save()
    response = client_for(tenant.owner).get("/crm/export/deals/?export=xlsx&value_min=100")
    assert response["Content-Disposition"].startswith('attachment; filename="deals-')
    rows, sheet = xlsx_rows(response)
    assert sheet.sheet_view.rightToLeft is True
    assert len(rows) == 2
    big = rows[1]
    assert big[0] == "Big"
    assert big[1] == "الأفق"  # the Arabic name in Arabic
    assert big[5] == pytest.approx(125000.75)
    assert big[6] == "SAR"
    assert big[7] == datetime(2025, 6, 30)


def test_query_count_does_not_grow_with_rows(tenant):
    owner = tenant.members[Role.OWNER]
    client = client_for(tenant.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get("/crm/export/deals/?export=csv").streaming_content)
        return len(queries)

    make_deal(tenant, title="One")
    few = count()
    for n in range(15):
        make_deal(tenant, title=f"Deal {n}", company=make_company(owner, name_latin=f"Company {n}"))
    assert count() == few


def test_bad_requests(tenant, other_tenant):
    client = client_for(tenant.owner)
    assert client.get("/crm/export/companies/?export=pdf").status_code == 400
    assert client.get("/crm/export/invoices/?export=csv").status_code == 404
    foreign_owner = other_tenant.owner.pk
    response = client.get(f"/crm/export/companies/?export=csv&owner={foreign_owner}")
    assert response.status_code == 400  # another organization's member is not a valid filter
    assert client_for(tenant.user(Role.EMPLOYEE)).get("/crm/export/companies/?export=csv").status_code == 403


def test_other_organizations_records_never_appear(tenant, other_tenant):
    make_company(other_tenant.members[Role.OWNER], name_latin="Their company")
    rows = csv_rows(client_for(tenant.owner).get("/crm/export/companies/?export=csv"))
    assert rows[1:] == []


def test_list_pages_link_to_the_export_with_their_filters(tenant):
    client = client_for(tenant.owner)
    html = client.get("/crm/companies/?city=Riyadh&page=2").content.decode()
    assert "/crm/export/companies/?city=Riyadh&amp;export=csv" in html
    assert "/crm/export/companies/?city=Riyadh&amp;export=xlsx" in html
    assert "page=2&amp;export" not in html


def test_amounts_are_rounded_to_each_deals_currency_and_owners_show_by_name(tenant):
    owner = tenant.members[Role.OWNER]
    owner.user.full_name = "Khalid Al-Otaibi"
    owner.user.save(update_fields=["full_name"])
    sales = tenant.members[Role.SALES]
    sales.user.full_name = ""
    sales.user.save(update_fields=["full_name"])
    make_deal(tenant, title="Riyals", value=Decimal("50000"))
    make_deal(tenant, title="Dinars", value=Decimal("1250.5"), currency="KWD", membership=sales)
    make_lead(sales, person_name="No currency", estimated_value="99.995", currency="")
    client = client_for(tenant.owner)
    rows = csv_rows(client.get("/crm/export/deals/?export=csv&ordering=title"))
    header = rows[0]
    by_title = {row[0]: row for row in rows[1:]}
    value, owner_column = header.index("Value"), header.index("Owner")
    assert by_title["Riyals"][value] == "50000.00"
    assert by_title["Dinars"][value] == "1250.500"
    assert by_title["Riyals"][owner_column] == "Khalid Al-Otaibi"
    assert by_title["Dinars"][owner_column] == sales.user.email  # no name: the e-mail
    leads = csv_rows(client.get("/crm/export/leads/?export=csv"))
    assert leads[1][leads[0].index("Estimated value")] == "100.00"  # no currency: the base currency's

    tenant.owner.language = "en"
    tenant.owner.save(update_fields=["language"])
    rows, sheet = xlsx_rows(client_for(tenant.owner).get("/crm/export/deals/?export=xlsx&ordering=title"))
    assert sheet.title == "Deals"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    value_cells = {row[0].value: row[rows[0].index("Value")] for row in sheet.iter_rows(min_row=2)}
    assert (value_cells["Riyals"].value, value_cells["Riyals"].number_format) == (50000, "#,##0.00")
    assert (value_cells["Dinars"].value, value_cells["Dinars"].number_format) == (1250.5, "#,##0.000")
