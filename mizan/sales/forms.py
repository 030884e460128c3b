"""Catalog web forms; they only shape input, the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import Tax
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.ledger.forms import AMOUNT_ATTRS, AccountChoiceField, AmountField
from mizan.ledger.models import Account, AccountType
from mizan.sales.models import PriceList, Product, ProductKind, ProductUnit

#: Currencies offered on the product form besides the organization's own and those already priced.
FORM_CURRENCIES = ("SAR", "EGP", "AED", "USD")
PRODUCT_FORM_FIELDS = ["kind", "code", "name_ar", "name_en", "description", "unit", "income_account", "default_tax"]


class TaxChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name()


class ProductForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    code = forms.CharField(label=_("Code / SKU"), max_length=40)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ChoiceField(label=_("Unit"), choices=ProductUnit.choices)
    income_account = AccountChoiceField(
        label=_("Income account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_("Empty: the revenue account."),
    )
    default_tax = TaxChoiceField(label=_("Default tax"), queryset=Tax.objects.none(), required=False)

    def __init__(self, *args: Any, org: Any, instance: Product | None = None, **kwargs: Any) -> None:
        prices: dict[str, Decimal] = {}
        if instance is not None:
            prices = {price.currency: price.unit_price for price in instance.prices.all()}
            if "initial" not in kwargs:
                initial = {name: getattr(instance, name) for name in PRODUCT_FORM_FIELDS}
                initial.update({"price_" + currency: price for currency, price in prices.items()})
                kwargs["initial"] = initial
        currencies = [org.base_currency, *FORM_CURRENCIES, *prices]
        self.currencies = list(dict.fromkeys(currencies))
        names = dict(CURRENCY_CHOICES)
        super().__init__(*args, **kwargs)
        self.fields["income_account"].queryset = Account.objects.filter(
            organization=org, type=AccountType.INCOME, is_active=True
        ).order_by("code")
        self.fields["default_tax"].queryset = Tax.objects.filter(organization=org, is_active=True)
        for currency in self.currencies:
            self.fields["price_" + currency] = AmountField(
                label=_("Price in {currency}").format(currency=names.get(currency, currency)),
                max_digits=20,
                decimal_places=3,
                min_value=0,
                required=False,
                widget=forms.TextInput(AMOUNT_ATTRS),
            )

    def product_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PRODUCT_FORM_FIELDS}

    def prices(self) -> dict[str, Decimal | None]:
        """Currency -> price; an emptied field removes that currency's price."""
        return {currency: self.cleaned_data.get("price_" + currency) for currency in self.currencies}


class PriceListForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    is_default = forms.BooleanField(label=_("Default list for its currency"), required=False)

    def __init__(self, *args: Any, instance: PriceList | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(instance, name) for name in ("name_ar", "name_en", "currency", "is_default")
            }
        super().__init__(*args, **kwargs)


class PriceListItemForm(StyledFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Product or service"), queryset=Product.objects.none())
    unit_price = AmountField(
        label=_("Unit price"),
        max_digits=20,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text=_("Empty removes the product from the list."),
        widget=forms.TextInput(AMOUNT_ATTRS),
    )

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(organization=org, is_active=True)
