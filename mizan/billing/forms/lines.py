"""The shared line editor of quotes, invoices, credit notes and recurring schedules.

Usage in a view::

    from mizan.billing.forms.lines import line_formset

    formset = line_formset(request.POST or None, org=request.org, lines=invoice.lines.all() if invoice else None)
    if request.method == "POST" and header.is_valid() and formset.is_valid():
        try:
            invoice_create(..., lines=formset.line_inputs())
        except DomainError as error:
            apply_line_error(header, formset, request, error)   # "lines" errors show above the table

and in the template, inside the document's <form>::

    {% include "billing/includes/lines_editor.html" with formset=formset currency_field=form.currency %}

(`currency_field` is optional: the bound field of the header's currency, so the live preview knows
the currency; without it the preview uses `currency`, a code, or the organization's base currency.)
The include loads `static/billing/lines.js` itself (CSP-safe, no inline script).

`line_inputs()` returns line mappings ready for `services.documents.clean_lines` (objects, not ids);
blank and removed rows are left out, a blank price with a product is left to the service (it fills the
product's price in the document's currency), the tax choice "" (the product's default) leaves the key
out and "none" sends `tax=None` (explicitly no tax). The choices (products, taxes, income accounts) are
read ONCE per formset (three queries), whatever the number of lines; the forms never touch a queryset.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import Tax
from mizan.core.countries import CURRENCY_MINOR_UNITS
from mizan.core.errors import DomainError
from mizan.core.forms.base import StyledFormMixin
from mizan.core.views.base import apply_domain_error
from mizan.ledger.forms import AMOUNT_ATTRS, AmountField
from mizan.ledger.models import Account, AccountType
from mizan.sales.models import Product, ProductPrice, ProductUnit

NO_TAX = "none"
PREFIX = "lines"
MAX_LINES = 200


class OptionDataSelect(forms.Select):
    """A select whose options carry `data-*` attributes (product unit, prices; tax rate) for lines.js."""

    def __init__(self, *args: Any, option_data: Mapping[str, Mapping[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        extra = self.option_data.get(str(value))
        if extra:
            option["attrs"] = {**option["attrs"], **extra}
        return option


@dataclass
class LineChoices:
    """What the selects of every line offer, read once per formset."""

    products: dict[str, Product] = field(default_factory=dict)
    taxes: dict[str, Tax] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)

    @classmethod
    def for_org(cls, org: Any) -> LineChoices:
        products = (
            Product.objects.filter(organization=org, is_active=True)
            .prefetch_related(Prefetch("prices", queryset=ProductPrice.objects.order_by("currency")))
            .order_by("code")
        )
        # A rate that ended more than a year ago (Saudi 5% until 2020) only clutters the choice.
        recent = org.today() - datetime.timedelta(days=366)
        taxes = (
            Tax.objects.filter(organization=org, is_active=True)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=recent))
            .order_by("kind", "-rate", "pk")
        )
        accounts = Account.objects.filter(organization=org, is_active=True, type=AccountType.INCOME).order_by("code")
        return cls(
            products={str(product.pk): product for product in products},
            taxes={str(tax.pk): tax for tax in taxes},
            accounts={str(account.pk): account for account in accounts},
        )

    @cached_property
    def product_choices(self) -> list[tuple[str, Any]]:
        return [("", _("— no product —")), *((key, str(product)) for key, product in self.products.items())]

    @cached_property
    def product_data(self) -> dict[str, dict[str, str]]:
        data = {}
        for key, product in self.products.items():
            data[key] = {
                "data-name": product.display_name(),
                "data-unit": product.unit,
                "data-prices": json.dumps({price.currency: str(price.unit_price) for price in product.prices.all()}),
                "data-tax": str(product.default_tax_id or NO_TAX),
            }
        return data

    @cached_property
    def tax_choices(self) -> list[tuple[str, Any]]:
        return [
            ("", _("Product's default tax")),
            (NO_TAX, _("No tax")),
            *((key, tax.display_name()) for key, tax in self.taxes.items()),
        ]

    @cached_property
    def tax_data(self) -> dict[str, dict[str, str]]:
        return {key: {"data-rate": str(tax.rate)} for key, tax in self.taxes.items()}

    @cached_property
    def account_choices(self) -> list[tuple[str, Any]]:
        return [("", _("Default income account")), *((key, str(account)) for key, account in self.accounts.items())]


def unit_choices(extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The catalog's units, plus any other unit text already on a line (kept as typed)."""
    known = dict(ProductUnit.choices)
    choices: list[tuple[str, Any]] = [("", "—"), *known.items()]
    for value in extra:
        if value and value not in known:
            choices.append((value, value))
            known[value] = value
    return choices


class DocumentLineForm(StyledFormMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product or service"), required=False, widget=OptionDataSelect)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    quantity = AmountField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=3,
        required=False,
        initial=Decimal("1"),
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    unit_price = AmountField(
        label=_("Unit price"),
        max_digits=20,
        decimal_places=3,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )
    discount_percent = AmountField(
        label=_("Discount (%)"),
        max_digits=7,
        decimal_places=4,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )
    tax = forms.ChoiceField(label=_("Tax"), required=False, widget=OptionDataSelect)
    income_account = forms.ChoiceField(label=_("Income account"), required=False)

    def __init__(self, *args: Any, choices: LineChoices, units: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["product"].choices = choices.product_choices
        self.fields["product"].widget.option_data = choices.product_data
        self.fields["tax"].choices = choices.tax_choices
        self.fields["tax"].widget.option_data = choices.tax_data
        self.fields["income_account"].choices = choices.account_choices
        self.fields["unit"].choices = units
        for name, marker in (
            ("product", "data-line-product"),
            ("description", "data-line-description"),
            ("quantity", "data-line-quantity"),
            ("unit", "data-line-unit"),
            ("unit_price", "data-line-price"),
            ("discount_percent", "data-line-discount"),
            ("tax", "data-line-tax"),
        ):
            self.fields[name].widget.attrs[marker] = ""

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        described = (data.get("description") or "").strip()
        return not (data.get("product") or described or data.get("unit_price") is not None)

    def is_removed(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return bool(data.get("DELETE"))

    def line_input(self) -> dict[str, Any]:
        """One mapping for `clean_lines` (objects from the choices read once)."""
        data = self.cleaned_data
        line: dict[str, Any] = {
            "product": self.choices.products.get(data.get("product") or ""),
            "description": (data.get("description") or "").strip(),
            "unit": data.get("unit") or "",
            "discount_percent": data.get("discount_percent") or Decimal("0"),
            "income_account": self.choices.accounts.get(data.get("income_account") or ""),
        }
        if data.get("quantity") is not None:
            line["quantity"] = data["quantity"]
        if data.get("unit_price") is not None or line["product"] is None:
            line["unit_price"] = data.get("unit_price")
        tax = data.get("tax") or ""
        if tax == NO_TAX:
            line["tax"] = None
        elif tax:
            line["tax"] = self.choices.taxes[tax]
        return line


class BaseDocumentLineFormSet(forms.BaseFormSet):
    """Lines of one document; `choices` may be passed in when several formsets share an org's lists."""

    def __init__(
        self,
        *args: Any,
        org: Any,
        choices: LineChoices | None = None,
        currency: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.org = org
        self.choices = choices if choices is not None else LineChoices.for_org(org)
        self.currency = currency or org.base_currency
        super().__init__(*args, **kwargs)
        self.units = unit_choices(self._unit_values())

    def _unit_values(self) -> list[str]:
        values = [str((row or {}).get("unit") or "") for row in (self.initial or [])]
        if self.is_bound:
            values += [
                str(value) for key, value in self.data.items() if key.startswith(self.prefix) and key.endswith("-unit")
            ]
        return values

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices, "units": self.units}

    @property
    def minor_units_json(self) -> str:
        """Decimal places per currency, for the preview in lines.js."""
        return json.dumps(CURRENCY_MINOR_UNITS, sort_keys=True)

    @property
    def empty_form(self) -> forms.Form:
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
            **self.get_form_kwargs(None),
        )
        self.add_fields(form, None)
        return form

    def line_inputs(self) -> list[dict[str, Any]]:
        """The filled, not removed rows as line mappings (call after `is_valid()`)."""
        return [
            form.line_input()
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.is_removed() and not form.is_blank()
        ]

    def add_error(self, message: str) -> None:
        """Show a rule broken by the lines (from the service) above the lines table."""
        errors = list(self.non_form_errors())
        self._non_form_errors = self.error_class([*errors, message], error_class="nonform")


DocumentLineFormSet = forms.formset_factory(
    DocumentLineForm,
    formset=BaseDocumentLineFormSet,
    extra=0,
    min_num=1,
    validate_min=False,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
)


def plain_decimal(value: Decimal) -> Decimal:
    """2.000 -> 2 and 1.500 -> 1.5 for the inputs (never an exponent such as 1E+1)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal("1"))
    return value.normalize()


def initial_from_lines(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """Saved lines (of a quote, invoice or schedule) as the editor's initial rows."""
    return [
        {
            "product": str(line.product_id or ""),
            "description": line.description,
            "quantity": plain_decimal(line.quantity),
            "unit": line.unit,
            "unit_price": plain_decimal(line.unit_price),
            "discount_percent": plain_decimal(line.discount_percent) if line.discount_percent else None,
            "tax": str(line.tax_id) if line.tax_id else NO_TAX,
            "income_account": str(line.income_account_id or ""),
        }
        for line in lines
    ]


def line_formset(
    data: Any = None,
    *,
    org: Any,
    lines: Iterable[Any] | None = None,
    initial: list[dict[str, Any]] | None = None,
    currency: str | None = None,
    choices: LineChoices | None = None,
    prefix: str = PREFIX,
) -> BaseDocumentLineFormSet:
    """The line formset: bound to POST `data`, or showing saved `lines` / `initial` rows (one empty row else)."""
    if data is not None:
        return DocumentLineFormSet(data, org=org, choices=choices, currency=currency, prefix=prefix)
    if initial is None and lines is not None:
        initial = initial_from_lines(lines)
    return DocumentLineFormSet(org=org, choices=choices, currency=currency, prefix=prefix, initial=initial or None)


def apply_line_error(
    form: forms.Form | None, formset: BaseDocumentLineFormSet, request: HttpRequest, error: DomainError
) -> None:
    """A DomainError from the service: line errors above the lines, others on the header form."""
    if error.field == "lines":
        formset.add_error(error.message)
    else:
        apply_domain_error(form, request, error)
