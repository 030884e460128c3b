"""Catalog: products with prices per currency, price lists, the price selector, pages and API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import Tax, TaxKind
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole
from mizan.sales.models import PriceList, PriceListItem, Product, ProductPrice
from mizan.sales.selectors.catalog import product_price
from mizan.sales.services.catalog import price_list_create, price_list_item_set, product_create, product_update

pytestmark = pytest.mark.django_db
#: Pinned: the shell (session, user, organization, membership...) + products + their prices.
PRODUCT_LIST_QUERIES = 7


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def make_product(tenant, code="CONSULT", prices=None, **data):
    return product_create(
        org=tenant.org,
        actor_membership=tenant.members[Role.OWNER],
        data={"code": code, "name_ar": "استشارة", "name_en": "Consulting", "unit": "hour", **data},
        prices=prices if prices is not None else {"SAR": Decimal("450"), "EGP": Decimal("2500")},
    )


def test_create_product_defaults_revenue_account_and_audits(tenant):
    product = make_product(tenant)
    assert product.income_account == Account.objects.get(organization=tenant.org, role=AccountRole.REVENUE)
    assert dict(product.prices.values_list("currency", "unit_price")) == {"EGP": Decimal("2500"), "SAR": Decimal("450")}
    assert AuditEntry.objects.filter(content_type__model="product", object_id=str(product.pk)).count() == 1


def test_update_prices_and_audit(tenant):
    product = make_product(tenant)
    product_update(
        org=tenant.org,
        actor_membership=tenant.members[Role.ADMIN],
        product=product,
        data={"name_en": "Consulting hour"},
        prices={"SAR": Decimal("500"), "EGP": None, "AED": Decimal("440.5")},
    )
    product.refresh_from_db()
    assert product.name_en == "Consulting hour"
    assert dict(product.prices.values_list("currency", "unit_price")) == {
        "AED": Decimal("440.5"),
        "SAR": Decimal("500"),
    }


@pytest.mark.parametrize(
    ("data", "prices", "field"),
    [
        ({"code": ""}, {}, "code"),
        ({"name_ar": "", "name_en": ""}, {}, "name_ar"),
        ({}, {"SAR": Decimal("-1")}, "unit_price"),
        ({}, {"XXX": Decimal("1")}, "currency"),
        ({"unit": "furlong"}, {}, "unit"),
    ],
)
def test_bad_product_input_saves_nothing(tenant, data, prices, field):
    with pytest.raises(DomainError) as error:
        make_product(tenant, prices=prices, **data)
    assert error.value.field == field
    assert not Product.objects.filter(organization=tenant.org).exists()
    assert not ProductPrice.objects.exists()


def test_duplicate_code_and_foreign_records_are_refused(tenant, other_tenant):
    make_product(tenant)
    with pytest.raises(DomainError) as error:
        make_product(tenant)
    assert error.value.code == "sales.code_taken"
    foreign_tax = Tax.objects.filter(organization=other_tenant.org).first()
    with pytest.raises(DomainError):
        make_product(tenant, code="B", default_tax=foreign_tax)
    foreign_revenue = Account.objects.get(organization=other_tenant.org, role=AccountRole.REVENUE)
    with pytest.raises(DomainError):
        make_product(tenant, code="C", income_account=foreign_revenue)
    vat = Account.objects.get(organization=tenant.org, role=AccountRole.VAT_PAYABLE)
    with pytest.raises(DomainError) as error:
        make_product(tenant, code="D", income_account=vat)
    assert error.value.field == "income_account"
    assert Product.objects.filter(organization=tenant.org).count() == 1


def test_capabilities(tenant):
    with pytest.raises(PermissionDeniedError):
        product_create(org=tenant.org, actor_membership=tenant.members[Role.SALES], data={"code": "X", "name_en": "X"})
    with pytest.raises(PermissionDeniedError):
        price_list_create(
            org=tenant.org, actor_membership=tenant.members[Role.ACCOUNTANT], data={"name_en": "L", "currency": "SAR"}
        )
    assert not Product.objects.exists()
    assert not PriceList.objects.exists()


def test_price_resolution(tenant, other_tenant):
    product = make_product(tenant)
    owner = tenant.members[Role.OWNER]
    vip = price_list_create(org=tenant.org, actor_membership=owner, data={"name_en": "VIP", "currency": "SAR"})
    price_list_item_set(
        org=tenant.org, actor_membership=owner, price_list=vip, product=product, unit_price=Decimal("400")
    )
    usd = price_list_create(
        org=tenant.org, actor_membership=owner, data={"name_en": "USD", "currency": "USD", "is_default": True}
    )
    price_list_item_set(
        org=tenant.org, actor_membership=owner, price_list=usd, product=product, unit_price=Decimal("120")
    )
    assert product_price(org=tenant.org, product=product, currency="SAR", price_list=vip) == Decimal("400")
    assert product_price(org=tenant.org, product=product, currency="SAR") == Decimal("450")
    assert product_price(org=tenant.org, product=product, currency="USD") == Decimal("120")
    with pytest.raises(DomainError) as error:
        product_price(org=tenant.org, product=product, currency="AED")
    assert error.value.code == "sales.no_price"
    with pytest.raises(DomainError):
        product_price(org=tenant.org, product=product, currency="EGP", price_list=vip)
    with pytest.raises(DomainError):
        product_price(org=other_tenant.org, product=product, currency="SAR")
    # Removing a price from a list falls back to the product's default price.
    price_list_item_set(org=tenant.org, actor_membership=owner, price_list=vip, product=product, unit_price=None)
    assert product_price(org=tenant.org, product=product, currency="SAR", price_list=vip) == Decimal("450")


def test_one_default_list_per_currency(tenant):
    owner = tenant.members[Role.OWNER]
    first = price_list_create(
        org=tenant.org, actor_membership=owner, data={"name_en": "A", "currency": "SAR", "is_default": True}
    )
    second = price_list_create(
        org=tenant.org, actor_membership=owner, data={"name_en": "B", "currency": "SAR", "is_default": True}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


# --- pages ---------------------------------------------------------------------------------------


def test_product_pages(tenant, owner_client, django_assert_num_queries):
    tax = Tax.objects.get(organization=tenant.org, kind=TaxKind.STANDARD, rate=15)
    response = owner_client.post(
        "/sales/products/new/",
        {
            "kind": "service",
            "code": "RET",
            "name_ar": "اشتراك",
            "unit": "month",
            "default_tax": tax.pk,
            "price_SAR": "7٬500٫50",
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(organization=tenant.org, code="RET")
    assert product.default_tax == tax
    assert product.prices.get().unit_price == Decimal("7500.50")
    response = owner_client.post(
        f"/sales/products/{product.pk}/edit/",
        {
            "kind": "service",
            "code": "RET",
            "name_ar": "اشتراك شهري",
            "unit": "month",
            "price_SAR": "",
            "price_EGP": "45000",
        },
    )
    assert response.status_code == 302
    assert dict(product.prices.values_list("currency", "unit_price")) == {"EGP": Decimal("45000")}
    make_product(tenant, code="B")
    make_product(tenant, code="C")
    # Pinned: session/org/membership + products + prices prefetch, whatever the number of products.
    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        response = owner_client.get("/sales/products/")
    assert "اشتراك شهري" in response.content.decode()
    owner_client.post(f"/sales/products/{product.pk}/active/", {"is_active": "0"})
    product.refresh_from_db()
    assert not product.is_active


def test_product_list_query_count_does_not_grow(tenant, owner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_product(tenant, code="A")
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/sales/products/")
    for code in "BCDEFG":
        make_product(tenant, code=code)
    with CaptureQueriesContext(connection) as many:
        owner_client.get("/sales/products/")
    assert len(many) == len(few)


def test_product_page_bad_input(tenant, owner_client):
    response = owner_client.post("/sales/products/new/", {"kind": "service", "code": "X", "unit": "hour"})
    assert response.status_code == 200
    assert "Arabic or in English" in response.content.decode() or "بالعربية" in response.content.decode()
    response = owner_client.post(
        "/sales/products/new/", {"kind": "service", "code": "X", "name_en": "X", "unit": "hour", "price_SAR": "-5"}
    )
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_price_list_pages(tenant, owner_client):
    product = make_product(tenant)
    response = owner_client.post("/sales/price-lists/new/", {"name_en": "Partners", "currency": "SAR"})
    assert response.status_code == 302
    price_list = PriceList.objects.get(organization=tenant.org)
    response = owner_client.post(
        f"/sales/price-lists/{price_list.pk}/items/", {"product": product.pk, "unit_price": "399.5"}
    )
    assert response.status_code == 302
    assert PriceListItem.objects.get(price_list=price_list).unit_price == Decimal("399.5")
    response = owner_client.get(f"/sales/price-lists/{price_list.pk}/edit/")
    assert response.status_code == 200
    assert owner_client.get("/sales/price-lists/").status_code == 200


def test_other_organization_ids_are_404(tenant, other_tenant, owner_client):
    theirs = product_create(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.OWNER], data={"code": "T", "name_en": "Theirs"}
    )
    their_list = price_list_create(
        org=other_tenant.org,
        actor_membership=other_tenant.members[Role.OWNER],
        data={"name_en": "L", "currency": "EGP"},
    )
    assert owner_client.get(f"/sales/products/{theirs.pk}/edit/").status_code == 404
    assert owner_client.post(f"/sales/products/{theirs.pk}/active/", {"is_active": "0"}).status_code == 404
    assert owner_client.get(f"/sales/price-lists/{their_list.pk}/edit/").status_code == 404
    assert (
        owner_client.post(
            f"/sales/price-lists/{their_list.pk}/items/", {"product": theirs.pk, "unit_price": "1"}
        ).status_code
        == 404
    )
    mine = PriceList.objects.create(organization=tenant.org, name_en="Mine", currency="SAR")
    response = owner_client.post(f"/sales/price-lists/{mine.pk}/items/", {"product": theirs.pk, "unit_price": "1"})
    assert response.status_code == 200  # not a choice in this organization
    theirs.refresh_from_db()
    assert theirs.is_active
    assert not PriceListItem.objects.exists()


def test_sales_member_reads_catalog_only(tenant):
    client = client_for(tenant.user(Role.SALES))
    assert client.get("/sales/products/").status_code == 200
    assert client.get("/sales/products/new/").status_code == 403


# --- API -----------------------------------------------------------------------------------------


def test_api_products_and_price_lists(tenant, other_tenant):
    api = token_client_for(tenant.members[Role.ADMIN])
    tax = Tax.objects.get(organization=tenant.org, kind=TaxKind.STANDARD, rate=15)
    response = api.post(
        "/api/v1/sales/products/",
        {
            "code": "IMPL",
            "name_en": "Implementation",
            "unit": "project",
            "default_tax_id": tax.pk,
            "prices": [{"currency": "SAR", "unit_price": "60000"}, {"currency": "AED", "unit_price": "58000.5"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {p["currency"]: p["unit_price"] for p in body["prices"]} == {"AED": "58000.500", "SAR": "60000.000"}
    pk = body["id"]
    response = api.patch(
        f"/api/v1/sales/products/{pk}/", {"prices": [{"currency": "SAR", "unit_price": "-1"}]}, format="json"
    )
    assert response.status_code == 400
    assert ProductPrice.objects.get(product_id=pk, currency="SAR").unit_price == Decimal("60000")
    foreign_tax = Tax.objects.filter(organization=other_tenant.org).first()
    response = api.post(
        "/api/v1/sales/products/", {"code": "Y", "name_en": "Y", "default_tax_id": foreign_tax.pk}, format="json"
    )
    assert response.status_code == 404
    assert not Product.objects.filter(code="Y").exists()
    response = api.post("/api/v1/sales/price-lists/", {"name_en": "Gulf", "currency": "AED"}, format="json")
    assert response.status_code == 201
    list_pk = response.json()["id"]
    response = api.post(
        f"/api/v1/sales/price-lists/{list_pk}/items/", {"product_id": pk, "unit_price": "55000"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == [{"product_id": pk, "product_code": "IMPL", "unit_price": "55000.000"}]
    theirs = product_create(
        org=other_tenant.org, actor_membership=other_tenant.members[Role.OWNER], data={"code": "T", "name_en": "Theirs"}
    )
    assert api.get(f"/api/v1/sales/products/{theirs.pk}/").status_code == 404
    response = api.post(
        f"/api/v1/sales/price-lists/{list_pk}/items/", {"product_id": theirs.pk, "unit_price": "1"}, format="json"
    )
    assert response.status_code == 404
    assert api.post(f"/api/v1/sales/products/{pk}/deactivate/").json()["is_active"] is False
    sales_api = token_client_for(tenant.members[Role.SALES])
    assert sales_api.get("/api/v1/sales/products/").status_code == 200
    assert (
        sales_api.post(
            f"/api/v1/sales/price-lists/{list_pk}/items/", {"product_id": pk, "unit_price": "1"}, format="json"
        ).status_code
        == 403
    )
    assert PriceListItem.objects.get(price_list_id=list_pk).unit_price == Decimal("55000")


def test_demo_seed_adds_priced_services():
    from mizan.core.demo import demo_seed

    result = demo_seed()
    for org in result.organizations:
        products = Product.objects.filter(organization=org)
        assert set(products.values_list("code", flat=True)) >= {"CONSULT-H", "RETAINER-M", "IMPL-P"}
        assert ProductPrice.objects.filter(
            product__organization=org, currency="SAR", product__code="CONSULT-H"
        ).exists()


def test_every_catalog_and_tax_page_renders(tenant, owner_client):
    product = make_product(tenant)
    price_list = PriceList.objects.create(organization=tenant.org, name_ar="قائمة", currency="SAR")
    tax = Tax.objects.filter(organization=tenant.org).first()
    for url in (
        "/sales/products/?q=CONS",
        "/sales/products/new/",
        f"/sales/products/{product.pk}/edit/",
        "/sales/price-lists/new/",
        f"/sales/price-lists/{price_list.pk}/edit/",
        "/billing/taxes/new/",
        f"/billing/taxes/{tax.pk}/edit/",
        "/billing/settings/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert b"style=" not in response.content.split(b"<main")[-1]
    response = owner_client.get(f"/sales/products/{product.pk}/edit/")
    assert 'name="price_SAR"' in response.content.decode()
