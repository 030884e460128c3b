"""CSV and XLSX export of the catalog's product list: the searched list exactly, one price column per
currency at that currency's places, one organization only, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import client_for
from mizan.billing.models import Tax, TaxKind
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole
from mizan.sales.models import Product
from mizan.sales.services.catalog import product_create, product_set_active

pytestmark = pytest.mark.django_db


def member_client(tenant: Any, language: str = "en") -> Any:
    user = tenant.user(Role.ACCOUNTANT)
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def make_product(tenant: Any, code: str, name_en: str, prices: dict[str, Decimal], **data: Any) -> Product:
    return product_create(
        org=tenant.org,
        actor_membership=tenant.members[Role.OWNER],
        data={"code": code, "name_ar": f"{name_en} بالعربية", "name_en": name_en, **data},
        prices=prices,
    )


def download(client: Any, params: dict[str, Any]) -> tuple[Any, bytes]:
    response = client.get(reverse("sales:product_list"), params)
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def csv_rows(client: Any, params: dict[str, Any]) -> list[list[str]]:
    response, body = download(client, {**params, "export": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def catalog(tenant, other_tenant):
    """Two consulting products (searched for) priced in SAR, EGP and KWD, hosting in AED, and the
    other organization's consulting product."""
    org = tenant.org
    vat = Tax.objects.filter(organization=org, kind=TaxKind.STANDARD, valid_to__isnull=True).get()
    hour = make_product(
        tenant,
        "CONSULT-HR",
        "Consulting hour",
        {"SAR": Decimal("450.125"), "EGP": Decimal("2500")},
        kind="service",
        unit="hour",
        description="Senior consultant",
        default_tax=vat,
    )
    day = make_product(
        tenant, "CONSULT-DAY", "Consulting day", {"SAR": Decimal("3000"), "KWD": Decimal("12.5")}, unit="day"
    )
    product_set_active(org=org, actor_membership=tenant.members[Role.OWNER], product=day, is_active=False)
    make_product(tenant, "HOST", "Hosting", {"AED": Decimal("100")}, unit="month")
    make_product(other_tenant, "CONSULT-X", "Other organization's consulting", {"USD": Decimal("99")})
    revenue = Account.objects.filter(organization=org, role=AccountRole.REVENUE).first()
    return {"hour": hour, "day": day, "vat": vat, "revenue": f"{revenue.code} {revenue.name_en}"}


HEADER = [
    "Code",
    "Name in Arabic",
    "Name in English",
    "Kind",
    "Unit",
    "Description",
    "Income account",
    "Default tax",
    "Active",
]


def test_product_csv_is_the_searched_list_with_a_price_column_per_currency(tenant, catalog):
    rows = csv_rows(member_client(tenant), {"q": "consult"})
    assert rows == [
        [*HEADER, "Price in EGP", "Price in KWD", "Price in SAR"],
        [
            "CONSULT-DAY",
            "Consulting day بالعربية",
            "Consulting day",
            "Service",
            "Day",
            "",
            catalog["revenue"],
            "",
            "No",
            "",
            "12.500",
            "3000.00",
        ],
        [
            "CONSULT-HR",
            "Consulting hour بالعربية",
            "Consulting hour",
            "Service",
            "Hour",
            "Senior consultant",
            catalog["revenue"],
            catalog["vat"].display_name("en"),
            "Yes",
            "2500.00",
            "",
            "450.13",
        ],
    ]
    everything = csv_rows(member_client(tenant), {})
    assert everything[0][-4:] == ["Price in AED", "Price in EGP", "Price in KWD", "Price in SAR"]
    assert [row[0] for row in everything[1:]] == ["CONSULT-DAY", "CONSULT-HR", "HOST"]


def test_product_xlsx_is_a_workbook_with_amounts_at_each_currencys_places(tenant, catalog):
    response, body = download(member_client(tenant), {"q": "consult", "export": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Products and services"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == [*HEADER, "Price in EGP", "Price in KWD", "Price in SAR"]
    assert [(row[0], row[8], row[9], row[10], row[11]) for row in values[1:]] == [
        ("CONSULT-DAY", False, None, 12.5, 3000),
        ("CONSULT-HR", True, 2500, None, pytest.approx(450.13)),
    ]
    assert sheet.cell(row=2, column=11).number_format == "#,##0.000"
    assert sheet.cell(row=3, column=12).number_format == "#,##0.00"


def test_product_export_in_arabic(tenant, catalog):
    rows = csv_rows(member_client(tenant, "ar"), {"q": "CONSULT-HR"})
    assert rows[0][0] == "الرمز"
    assert rows[0][-2:] == ["السعر بعملة EGP", "السعر بعملة SAR"]
    assert rows[1][3:5] == ["الخدمة", "ساعة"]
    assert rows[1][8] == "نعم"


def test_product_list_page_links_the_export_of_its_search(tenant, catalog):
    html = member_client(tenant).get(reverse("sales:product_list"), {"q": "consult"}).content.decode()
    assert 'href="?q=consult&amp;export=csv"' in html and 'href="?q=consult&amp;export=xlsx"' in html
    html = member_client(tenant).get(reverse("sales:product_list")).content.decode()
    assert 'href="?export=csv"' in html


def _export_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        download(client, {"export": "csv"})
    return len(queries.captured_queries)


def test_product_export_queries_do_not_grow_with_the_rows(tenant):
    client = member_client(tenant)
    make_product(tenant, "P0", "Product 0", {"SAR": Decimal("10")})
    client.get(reverse("sales:product_list"))
    one = _export_queries(client)
    for number in range(1, 5):
        make_product(tenant, f"P{number}", f"Product {number}", {"SAR": Decimal("10"), "USD": Decimal(number)})
    assert Product.objects.filter(organization=tenant.org).count() == 5
    assert _export_queries(client) == one


def test_product_export_never_holds_another_organizations_product(tenant, other_tenant, catalog):
    rows = csv_rows(member_client(tenant), {"q": "consult"})
    assert [row[0] for row in rows[1:]] == ["CONSULT-DAY", "CONSULT-HR"]
    assert "Price in USD" not in rows[0]  # the other organization's product is the only one priced in USD
    assert member_client(tenant).get(reverse("sales:product_list"), {"export": "json"}).status_code == 400
