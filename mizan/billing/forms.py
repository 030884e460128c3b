"""Web forms for taxes and billing settings; they only shape input, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import BillingSettings, Tax, TaxKind, VatExemptionReason
from mizan.core.forms.base import StyledFormMixin
from mizan.ledger.forms import AMOUNT_ATTRS, AccountChoiceField, AmountField
from mizan.ledger.models import Account

TAX_FORM_FIELDS = [
    "name_ar",
    "name_en",
    "rate",
    "kind",
    "exemption_reason_code",
    "exemption_reason",
    "account",
    "valid_from",
    "valid_to",
]


class TaxForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    rate = AmountField(
        label=_("Rate (%)"),
        max_digits=7,
        decimal_places=4,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(AMOUNT_ATTRS),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TaxKind.choices)
    exemption_reason_code = forms.ChoiceField(
        label=_("Exemption reason code"),
        choices=[("", _("— none —")), *VatExemptionReason.choices],
        required=False,
        help_text=_("Saudi invoices need a ZATCA reason code for zero-rated and exempt lines."),
    )
    exemption_reason = forms.CharField(label=_("Exemption reason"), max_length=250, required=False)
    account = AccountChoiceField(
        label=_("Tax account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_("Empty: the VAT payable account."),
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, org: Any, instance: Tax | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in TAX_FORM_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.filter(organization=org, is_active=True).order_by("code")


class BillingSettingsForm(StyledFormMixin, forms.Form):
    prices_include_tax = forms.BooleanField(label=_("Prices include tax by default"), required=False)
    rounding = forms.ChoiceField(
        label=_("Tax rounding"),
        choices=BillingSettings.Rounding.choices,
        help_text=_("Saudi invoices always round the VAT once per rate (ZATCA rule BR-S-09)."),
    )
