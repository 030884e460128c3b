"""The catalog: services and products, their default price per currency, and price lists."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models.base import OrganizationOwnedModel


def _localized(name_ar: str, name_en: str) -> str:
    language = get_language() or "ar"
    first, second = (name_ar, name_en) if language.startswith("ar") else (name_en, name_ar)
    return first or second


class ProductKind(models.TextChoices):
    SERVICE = "service", _("Service")
    PRODUCT = "product", _("Product")


class ProductUnit(models.TextChoices):
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    PIECE = "piece", _("Piece")
    PROJECT = "project", _("Project")
    SESSION = "session", _("Session")


class Product(OrganizationOwnedModel):
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.SERVICE)
    code = models.CharField(_("code / SKU"), max_length=40)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=ProductUnit.choices, default=ProductUnit.HOUR)
    income_account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("income account")
    )
    default_tax = models.ForeignKey(
        "billing.Tax", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("default tax")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="sales_product_unique_code",
                violation_error_message=_("A product with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name()}"

    def display_name(self) -> str:
        return _localized(self.name_ar, self.name_en)


class ProductPrice(models.Model):
    """The product's default unit price in one currency."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices", verbose_name=_("product"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=20, decimal_places=3, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["currency"]
        verbose_name = _("product price")
        verbose_name_plural = _("product prices")
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="sales_productprice_unique_currency"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="sales_productprice_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.unit_price}"


class PriceList(OrganizationOwnedModel):
    name_ar = models.CharField(_("name in Arabic"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    is_default = models.BooleanField(_("default list for its currency"), default=False)

    class Meta:
        ordering = ["currency", "pk"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency"],
                condition=models.Q(is_default=True),
                name="sales_pricelist_one_default_per_currency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name()} ({self.currency})"

    def display_name(self) -> str:
        return _localized(self.name_ar, self.name_en)


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    unit_price = models.DecimalField(
        _("unit price"), max_digits=20, decimal_places=3, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["product__code"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="sales_pricelistitem_unique_product"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="sales_pricelistitem_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.unit_price}"
