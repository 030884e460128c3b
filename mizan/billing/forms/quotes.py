"""Web forms of quotes; they only shape input, services/quotes.py holds the rules.

The lines are edited with the shared line editor (forms/lines.py); QuoteForm is the header.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.forms.invoices import DATE_WIDGET, NamedChoiceField
from mizan.billing.forms.lines import plain_decimal
from mizan.billing.models import DocumentLanguage, Quote
from mizan.billing.selectors.quotes import EXPIRED, QuoteFilters
from mizan.billing.services.invoices import billing_settings_of
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.crm.models import Company, Contact, Deal
from mizan.crm.pickers import crm_picker
from mizan.ledger.forms import AMOUNT_ATTRS, AmountField

#: The header fields the form offers, in the service's names (services.quotes.HEADER_FIELDS).
QUOTE_FORM_FIELDS = (
    "company",
    "contact",
    "deal",
    "title",
    "currency",
    "issue_date",
    "valid_until",
    "deposit_percent",
    "discount_percent",
    "prices_include_tax",
    "language",
    "notes",
    "terms",
)


class QuoteForm(StyledFormMixin, forms.Form):
    company = NamedChoiceField(label=_("Client"), queryset=Company.objects.none())
    contact = NamedChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    deal = NamedChoiceField(label=_("Deal"), queryset=Deal.objects.none(), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    issue_date = forms.DateField(label=_("Date"), widget=forms.DateInput(**DATE_WIDGET))
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("Empty: from the validity in the billing settings."),
    )
    deposit_percent = AmountField(
        label=_("Deposit invoiced on acceptance (%)"),
        max_digits=7,
        decimal_places=4,
        required=False,
        help_text=_("Empty or 0: the whole amount is invoiced when the client accepts."),
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
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

    def __init__(self, *args: Any, org: Any, instance: Quote | None = None, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        base = initial_from_quote(instance) if instance is not None else initial_for_new(org)
        kwargs["initial"] = {**base, **initial}
        super().__init__(*args, **kwargs)
        self.org = org
        self.instance = instance
        self.fields["company"].queryset = Company.objects.filter(organization=org).order_by("name_latin", "name_ar")
        self.fields["contact"].queryset = Contact.objects.filter(organization=org).order_by("name_latin", "name_ar")
        self.fields["deal"].queryset = Deal.objects.filter(organization=org).order_by("-pk")
        crm_picker(self, "company", "company")
        crm_picker(self, "contact", "contact", depends="company")
        crm_picker(self, "deal", "deal", depends="company")
        self.fields["title"].widget.attrs["dir"] = "auto"

    def service_data(self) -> dict[str, Any]:
        """The cleaned header as `data` for quote_create / quote_update."""
        data = {name: self.cleaned_data.get(name) for name in QUOTE_FORM_FIELDS}
        if not data.get("language"):
            data["language"] = ""
        return data  # valid_until None: from the date and the validity of the billing settings


def initial_for_new(org: Any) -> dict[str, Any]:
    settings_row = billing_settings_of(org)
    today = org.today()
    return {
        "currency": org.base_currency,
        "issue_date": today,
        "valid_until": today + datetime.timedelta(days=settings_row.quote_validity_days),
        "prices_include_tax": settings_row.prices_include_tax,
        "terms": settings_row.default_terms,
    }


def initial_from_deal(deal: Deal) -> dict[str, Any]:
    """A new quote from a deal: its client, first contact, currency and title."""
    contacts = deal.contacts.order_by("pk")
    if deal.company_id:
        contacts = contacts.filter(company_id=deal.company_id)
    contact = contacts.first()
    return {
        "deal": deal.pk,
        "company": deal.company_id,
        "contact": contact.pk if contact is not None else None,
        "currency": deal.currency,
        "title": deal.title,
    }


def initial_from_company(company: Company) -> dict[str, Any]:
    contact = Contact.objects.filter(company=company).exclude(email="").order_by("pk").first()
    return {"company": company.pk, "contact": contact.pk if contact is not None else None}


def initial_from_quote(quote: Quote) -> dict[str, Any]:
    return {
        "company": quote.company_id,
        "contact": quote.contact_id,
        "deal": quote.deal_id,
        "title": quote.title,
        "currency": quote.currency,
        "issue_date": quote.issue_date,
        "valid_until": quote.valid_until,
        "deposit_percent": plain_decimal(quote.deposit_percent) if quote.deposit_percent else None,
        "discount_percent": plain_decimal(quote.discount_percent) if quote.discount_percent else None,
        "prices_include_tax": quote.prices_include_tax,
        "language": quote.language,
        "notes": quote.notes,
        "terms": quote.terms,
    }


class QuoteSendForm(StyledFormMixin, forms.Form):
    to = forms.EmailField(
        label=_("Send to"),
        required=False,
        help_text=_("Empty: the contact's address, else the client's."),
        widget=forms.EmailInput(attrs={"dir": "ltr"}),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: shown above the link in the e-mail."),
    )


class QuoteAnswerForm(StyledFormMixin, forms.Form):
    """A member records the client's answer (given by phone, in a meeting...)."""

    ACCEPT = "accept"
    DECLINE = "decline"

    answer = forms.ChoiceField(
        label=_("Answer"), choices=[(ACCEPT, _("The client accepted")), (DECLINE, _("The client declined"))]
    )
    name = forms.CharField(label=_("Name of the person who answered"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Reason for declining"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("answer") == self.ACCEPT and not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the name of the person who accepted."))
        return data


class PublicAcceptForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)


class PublicDeclineForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Why are you declining? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuoteFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    company = NamedChoiceField(
        label=_("Client"), queryset=Company.objects.none(), required=False, empty_label=_("All clients")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(**DATE_WIDGET))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(**DATE_WIDGET))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    deal = forms.ModelChoiceField(queryset=Deal.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = Deal.objects.filter(organization=org)
        self.fields["status"].choices = [
            ("", _("All statuses")),
            *Quote.Status.choices,
            (EXPIRED, _("Expired (sent, past validity)")),
        ]
        self.fields["company"].queryset = Company.objects.filter(organization=org).order_by("name_latin", "name_ar")
        crm_picker(self, "company", "company")

    def filters(self) -> QuoteFilters:
        if not self.is_valid():
            return QuoteFilters()
        data = self.cleaned_data
        return QuoteFilters(
            status=data.get("status") or "",
            company=data.get("company"),
            deal=data.get("deal"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            search=data.get("q") or "",
        )
