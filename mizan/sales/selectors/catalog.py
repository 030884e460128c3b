"""Catalog reads: product lists with their prices, price lists, and the price of a product."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.sales.models import PriceList, PriceListItem, Product, ProductPrice


def product_list(*, org: Any, active_only: bool = False, query: str = "") -> QuerySet[Product]:
    """Products with their account, tax and default prices (constant queries for any length)."""
    products = (
        Product.objects.filter(organization=org)
        .select_related("income_account", "default_tax")
        .prefetch_related(Prefetch("prices", queryset=ProductPrice.objects.order_by("currency")))
    )
    if active_only:
        products = products.filter(is_active=True)
    if query:
        products = products.filter(Q(code__icontains=query) | Q(name_ar__icontains=query) | Q(name_en__icontains=query))
    return products


def product_price_currencies(*, products: QuerySet[Product]) -> list[str]:
    """The currencies the listed products have a default price in, sorted (one query)."""
    prices = ProductPrice.objects.filter(product__in=products.order_by().values("pk"))
    return list(prices.order_by("currency").values_list("currency", flat=True).distinct())


def product_export_rows(*, products: QuerySet[Product], currencies: list[str]) -> Iterator[dict[str, Any]]:
    """The filtered list as rows for `mizan.core.exports.export_response`, one `price_<currency>`
    key per currency (empty without a price in it); two queries per 500 products."""
    for product in products.iterator(chunk_size=500):
        prices = {price.currency: price.unit_price for price in product.prices.all()}
        row = {
            "code": product.code,
            "name_ar": product.name_ar,
            "name_en": product.name_en,
            "kind": product.get_kind_display(),
            "unit": product.get_unit_display(),
            "description": product.description,
            "income_account": str(product.income_account),
            "default_tax": product.default_tax.display_name() if product.default_tax else "",
            "is_active": product.is_active,
        }
        row.update({f"price_{currency}": prices.get(currency) for currency in currencies})
        yield row


def price_list_list(*, org: Any) -> QuerySet[PriceList]:
    return PriceList.objects.filter(organization=org).annotate(item_count=Count("items"))


def price_list_items(*, price_list: PriceList) -> QuerySet[PriceListItem]:
    return PriceListItem.objects.filter(price_list=price_list).select_related("product")


def product_price(*, org: Any, product: Product, currency: str, price_list: PriceList | None = None) -> Decimal:
    """The unit price of `product` in `currency`: the list's price, else the product's default
    price in that currency, else the default price list of that currency; else a DomainError."""
    if product.organization_id != org.pk or (price_list is not None and price_list.organization_id != org.pk):
        raise DomainError("not_found", _("Not found."))
    if price_list is not None:
        if price_list.currency != currency:
            raise DomainError(
                "sales.price_list_currency",
                _("The price list is in {list_currency}, not {currency}.").format(
                    list_currency=price_list.currency, currency=currency
                ),
                field="price_list",
            )
        item = PriceListItem.objects.filter(price_list=price_list, product=product).first()
        if item is not None:
            return item.unit_price
    default = ProductPrice.objects.filter(product=product, currency=currency).first()
    if default is not None:
        return default.unit_price
    item = PriceListItem.objects.filter(
        price_list__organization=org, price_list__currency=currency, price_list__is_default=True, product=product
    ).first()
    if item is not None:
        return item.unit_price
    raise DomainError(
        "sales.no_price",
        _("{product} has no price in {currency}.").format(product=product.display_name(), currency=currency),
        field="product",
    )
