"""Web forms of recurring invoices and of sending an invoice by e-mail; services hold the rules.

The lines of a schedule are edited with the shared line editor (forms/lines.py); this is the header.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.forms.invoices import DATE_WIDGET, NamedChoiceField
from mizan.billing.forms.lines import plain_decimal
from mizan.billing.models import DocumentLanguage, PaymentTerm, RecurringSchedule
from mizan.billing.services.invoices import billing_settings_of, default_payment_term
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.crm.models import Company, Contact
from mizan.crm.pickers import crm_picker
from mizan.ledger.forms import AMOUNT_ATTRS, AmountField

#: The fields the form offers, in the service's names (services.recurring.SCHEDULE_FIELDS).
SCHEDULE_FORM_FIELDS = (
    "name",
    "company",
    "contact",
    "currency",
    "frequency",
    "start_date",
    "end_date",
    "next_date",
    "payment_term",
    "auto_post",
    "discount_percent",
    "prices_include_tax",
    "language",
    "notes",
    "terms",
)


class RecurringScheduleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For you, e.g. “Monthly support retainer”."))
    company = NamedChoiceField(label=_("Client"), queryset=Company.objects.none())
    contact = NamedChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    frequency = forms.ChoiceField(label=_("Every"), choices=RecurringSchedule.Frequency.choices)
    start_date = forms.DateField(
        label=_("First invoice date"),
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("The next invoices fall on the same day of the month (or the month's last day)."),
    )
    end_date = forms.DateField(
        label=_("Last invoice date"),
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("Empty: until you stop it."),
    )
    next_date = forms.DateField(
        label=_("Next invoice date"),
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("Move it forward to skip periods."),
    )
    payment_term = NamedChoiceField(
        label=_("Payment terms"),
        queryset=PaymentTerm.objects.none(),
        required=False,
        help_text=_("Empty: due on the invoice date."),
    )
    auto_post = forms.BooleanField(
        label=_("Post the invoices automatically"),
        required=False,
        help_text=_("Otherwise each invoice is created as a draft for you to check and post."),
    )
    discount_percent = AmountField(
        label=_("Document discount (%)"),
        max_digits=7,
        decimal_places=4,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )
    prices_include_tax = forms.BooleanField(label=_("Prices include tax"), required=False)
    language = forms.ChoiceField(
        label=_("Document language"),
        choices=[("", _("The client's or the organization's")), *DocumentLanguage.choices],
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    terms = forms.CharField(label=_("Terms and conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, org: Any, instance: RecurringSchedule | None = None, **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        base = initial_from_schedule(instance) if instance is not None else initial_for_new(org)
        super().__init__(*args, initial={**base, **initial}, **kwargs)
        self.org = org
        self.instance = instance
        self.fields["company"].queryset = Company.objects.filter(organization=org).order_by("name_latin", "name_ar")
        self.fields["contact"].queryset = Contact.objects.filter(organization=org).order_by("name_latin", "name_ar")
        crm_picker(self, "company", "company")
        crm_picker(self, "contact", "contact", depends="company")
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(organization=org, is_active=True).order_by(
            "days", "pk"
        )
        if instance is None:
            del self.fields["next_date"]  # a new schedule starts on its first invoice date

    def service_data(self) -> dict[str, Any]:
        """The cleaned fields as `data` for recurring_schedule_create / _update."""
        data = {name: self.cleaned_data.get(name) for name in SCHEDULE_FORM_FIELDS if name in self.fields}
        if self.instance is not None and not data.get("next_date"):
            data.pop("next_date", None)
        data["language"] = data.get("language") or ""
        return data


def initial_for_new(org: Any) -> dict[str, Any]:
    settings_row = billing_settings_of(org)
    term = default_payment_term(org)
    return {
        "currency": org.base_currency,
        "frequency": RecurringSchedule.Frequency.MONTHLY,
        "start_date": org.today(),
        "payment_term": term.pk if term is not None else None,
        "prices_include_tax": settings_row.prices_include_tax,
        "terms": settings_row.default_terms,
    }


def initial_from_schedule(schedule: RecurringSchedule) -> dict[str, Any]:
    return {
        "name": schedule.name,
        "company": schedule.company_id,
        "contact": schedule.contact_id,
        "currency": schedule.currency,
        "frequency": schedule.frequency,
        "start_date": schedule.start_date,
        "end_date": schedule.end_date,
        "next_date": schedule.next_date,
        "payment_term": schedule.payment_term_id,
        "auto_post": schedule.auto_post,
        "discount_percent": plain_decimal(schedule.discount_percent) if schedule.discount_percent else None,
        "prices_include_tax": schedule.prices_include_tax,
        "language": schedule.language,
        "notes": schedule.notes,
        "terms": schedule.terms,
    }


class InvoiceSendForm(StyledFormMixin, forms.Form):
    to = forms.EmailField(
        label=_("Send to"),
        required=False,
        max_length=254,
        help_text=_("Empty: the invoice's contact, else the client's e-mail address."),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )
