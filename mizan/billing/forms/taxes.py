"""Web forms for taxes and billing settings; they only shape input, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import BillingSettings, DocumentLanguage, Tax, TaxKind, VatExemptionReason
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
    """Shapes input only; series and reminder days are checked (and normalized) by billing_settings_update."""

    prices_include_tax = forms.BooleanField(label=_("Prices include tax by default"), required=False)
    rounding = forms.ChoiceField(
        label=_("Tax rounding"),
        choices=BillingSettings.Rounding.choices,
        help_text=_("Saudi invoices always round the VAT once per rate (ZATCA rule BR-S-09)."),
    )
    address_ar = forms.CharField(
        label=_("Address in Arabic"), required=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl"})
    )
    address_en = forms.CharField(
        label=_("Address in English"), required=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"})
    )
    commercial_registration = forms.CharField(
        label=_("Commercial registration"), max_length=30, required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    invoice_series = forms.CharField(
        label=_("Invoice series"),
        max_length=10,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_(
            "1 to 10 capital Latin letters or digits. Numbers run per series and fiscal year: a new series "
            "starts at 1, and going back to an earlier series continues its numbers."
        ),
    )
    credit_note_series = forms.CharField(
        label=_("Credit note series"), max_length=10, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    document_language = forms.ChoiceField(
        label=_("Language of documents"),
        choices=DocumentLanguage.choices,
        help_text=_("A client's own language, when set on the client, comes first."),
    )
    default_terms = forms.CharField(
        label=_("Default terms and conditions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    quote_validity_days = forms.IntegerField(label=_("Quotes valid for (days)"), min_value=1, max_value=365)
    reminders_enabled = forms.BooleanField(label=_("Send payment reminders"), required=False)
    reminder_offsets = forms.CharField(
        label=_("Reminder days (relative to the due date)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_("Comma-separated days: negative before the due date, positive after it, e.g. -3,7,14."),
    )

    @classmethod
    def initial_for(cls, row: BillingSettings) -> dict[str, Any]:
        return {name: getattr(row, name) for name in cls.base_fields}

    @classmethod
    def posted_data(cls, posted: QueryDict, initial: dict[str, Any]) -> QueryDict | None:
        """The POST with the text and choice fields it leaves out kept at their current value (a page
        always sends them all; a shorter scripted post changes only what it sends). An unchecked box
        is absent from any post, so a checkbox left out means "off"."""
        if not posted:
            return None
        data = posted.copy()
        for name, field in cls.base_fields.items():
            if name not in data and not isinstance(field, forms.BooleanField):
                data[name] = initial[name]
        return data
