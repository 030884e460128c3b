"""Catalog writes: products and services, their default prices per currency, and price lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import CURRENCY_MINOR_UNITS
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_record, model_update
from mizan.ledger.models import Account, AccountRole, AccountType
from mizan.ledger.services.common import require_member_of, require_same_org
from mizan.sales.models import PriceList, PriceListItem, Product, ProductKind, ProductPrice, ProductUnit

PRODUCT_FIELDS = [
    "kind",
    "code",
    "name_ar",
    "name_en",
    "description",
    "unit",
    "income_account",
    "default_tax",
    "is_active",
]
PRICE_LIST_FIELDS = ["name_ar", "name_en", "currency", "is_default"]


def _start(actor_membership: Any, org: Any) -> None:
    require_capability(actor_membership, Capability.SALES_MANAGE_CATALOG)
    require_member_of(actor_membership, org)


def _clean_text(data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            data[name] = (data[name] or "").strip()


def _validate_currency(currency: str) -> None:
    if currency not in CURRENCY_MINOR_UNITS:
        raise DomainError("sales.currency_invalid", _("Choose a valid currency."), field="currency")


def _validate_price(price: Any, field: str = "unit_price") -> Decimal:
    if price is None or not isinstance(price, Decimal | int) or Decimal(price) < 0:
        raise DomainError("sales.price_invalid", _("A price is a number of zero or more."), field=field)
    price = Decimal(price)
    if price.as_tuple().exponent < -3 or abs(price) >= Decimal(10) ** 17:
        raise DomainError("sales.price_invalid", _("A price has at most 3 decimal places."), field=field)
    return price


def _validate_product(org: Any, product: Product) -> None:
    if not product.code:
        raise DomainError("sales.code_required", _("Enter the product's code."), field="code")
    if not (product.name_ar or product.name_en):
        raise DomainError(
            "sales.name_required", _("Enter the product's name in Arabic or in English."), field="name_ar"
        )
    if product.kind not in ProductKind.values:
        raise DomainError("sales.kind_invalid", _("Choose service or product."), field="kind")
    if product.unit not in ProductUnit.values:
        raise DomainError("sales.unit_invalid", _("Choose a unit."), field="unit")
    if product.income_account_id is None:
        raise DomainError("sales.account_required", _("Choose the income account."), field="income_account")
    require_same_org(product.income_account, org, field="income_account")
    if product.income_account.type != AccountType.INCOME:
        raise DomainError(
            "sales.account_not_income", _("The income account must be an income account."), field="income_account"
        )
    if product.default_tax_id is not None:
        require_same_org(product.default_tax, org, field="default_tax")
    if Product.objects.filter(organization=org, code=product.code).exclude(pk=product.pk).exists():
        raise DomainError("sales.code_taken", _("A product with this code already exists."), field="code")


def _set_prices(product: Product, prices: dict[str, Any]) -> None:
    """Replace the default prices given (currency -> price; None removes that currency's price)."""
    for currency, price in prices.items():
        _validate_currency(currency)
        if price is None:
            ProductPrice.objects.filter(product=product, currency=currency).delete()
            continue
        ProductPrice.objects.update_or_create(
            product=product, currency=currency, defaults={"unit_price": _validate_price(price)}
        )


def product_create(
    *, org: Any, actor_membership: Any, data: dict[str, Any], prices: dict[str, Any] | None = None
) -> Product:
    """Add a service or product; the income account defaults to the organization's revenue account."""
    _start(actor_membership, org)
    data = {name: data[name] for name in PRODUCT_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en", "description"))
    if data.get("income_account") is None:
        data["income_account"] = Account.objects.filter(organization=org, role=AccountRole.REVENUE).first()
    product = Product(organization=org, **data)
    _validate_product(org, product)
    for price in (prices or {}).values():
        if price is not None:
            _validate_price(price)
    with transaction.atomic():
        try:
            with transaction.atomic():
                product.save()
        except IntegrityError:
            raise DomainError("sales.code_taken", _("A product with this code already exists."), field="code") from None
        _set_prices(product, prices or {})
        audit_created(org=org, actor=actor_membership.user, instance=product)
    return product


def product_update(
    *, org: Any, actor_membership: Any, product: Product, data: dict[str, Any], prices: dict[str, Any] | None = None
) -> Product:
    _start(actor_membership, org)
    require_same_org(product, org)
    data = {name: data[name] for name in PRODUCT_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en", "description"))
    if "income_account" in data and data["income_account"] is None:
        del data["income_account"]
    for price in (prices or {}).values():
        if price is not None:
            _validate_price(price)
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        candidate = Product(
            pk=locked.pk, organization=org, **{**{name: getattr(locked, name) for name in PRODUCT_FIELDS}, **data}
        )
        _validate_product(org, candidate)
        before = {p.currency: str(p.unit_price) for p in locked.prices.all()}
        model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=PRODUCT_FIELDS)
        if prices:
            _set_prices(locked, prices)
            after = {p.currency: str(p.unit_price) for p in locked.prices.all()}
            if after != before:
                audit_record(
                    org=org,
                    actor=actor_membership.user,
                    instance=locked,
                    action="update",
                    changes={"prices": [before, after]},
                )
    return locked


def product_set_active(*, org: Any, actor_membership: Any, product: Product, is_active: bool) -> Product:
    return product_update(org=org, actor_membership=actor_membership, product=product, data={"is_active": is_active})


def _validate_price_list(org: Any, price_list: PriceList) -> None:
    if not (price_list.name_ar or price_list.name_en):
        raise DomainError(
            "sales.name_required", _("Enter the price list's name in Arabic or in English."), field="name_ar"
        )
    _validate_currency(price_list.currency)


def _clear_other_defaults(org: Any, price_list: PriceList) -> None:
    if price_list.is_default:
        PriceList.objects.filter(organization=org, currency=price_list.currency, is_default=True).exclude(
            pk=price_list.pk
        ).update(is_default=False)


def price_list_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> PriceList:
    """Add a price list in one currency; a default list replaces the previous default of that currency."""
    _start(actor_membership, org)
    data = {name: data[name] for name in PRICE_LIST_FIELDS if name in data}
    _clean_text(data, ("name_ar", "name_en"))
    price_list = PriceList(organization=org, **data)
    _validate_price_list(org, price_list)
    with transaction.atomic():
        _clear_other_defaults(org, price_list)
        price_list.save()
        audit_created(org=org, actor=actor_membership.user, instance=price_list)
    return price_list


def price_list_update(*, org: Any, actor_membership: Any, price_list: PriceList, data: dict[str, Any]) -> PriceList:
    _start(actor_membership, org)
    require_same_org(price_list, org)
    data = {name: data[name] for name in PRICE_LIST_FIELDS if name in data}
    _clean_text(data, ("name_ar", "name_en"))
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        if "currency" in data and data["currency"] != locked.currency and locked.items.exists():
            raise DomainError(
                "sales.currency_locked",
                _("The currency of a price list with prices cannot change."),
                field="currency",
            )
        candidate = PriceList(
            pk=locked.pk, organization=org, **{**{name: getattr(locked, name) for name in PRICE_LIST_FIELDS}, **data}
        )
        _validate_price_list(org, candidate)
        _clear_other_defaults(org, candidate)
        model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=PRICE_LIST_FIELDS)
    return locked


def price_list_item_set(
    *, org: Any, actor_membership: Any, price_list: PriceList, product: Product, unit_price: Decimal | None
) -> PriceListItem | None:
    """Set (or with None remove) a product's price in a list."""
    _start(actor_membership, org)
    require_same_org(price_list, org)
    require_same_org(product, org, field="product")
    with transaction.atomic():
        existing = PriceListItem.objects.filter(price_list=price_list, product=product).first()
        before = None if existing is None else str(existing.unit_price)
        if unit_price is None:
            if existing is not None:
                existing.delete()
            item = None
        else:
            item, _created = PriceListItem.objects.update_or_create(
                price_list=price_list, product=product, defaults={"unit_price": _validate_price(unit_price)}
            )
        after = None if item is None else str(item.unit_price)
        if before != after:
            audit_record(
                org=org,
                actor=actor_membership.user,
                instance=price_list,
                action="update",
                changes={f"price:{product.code}": [before, after]},
            )
    return item
