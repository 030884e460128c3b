"""Web forms of invoices and credit notes; they only shape input, services/invoices.py holds the rules.

The lines are edited with the shared line editor (forms/lines.py); these forms are the header.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.billing.forms.lines import plain_decimal
from mizan.billing.models import DocumentLanguage, Invoice, PaymentTerm
from mizan.billing.services.invoices import billing_settings_of, default_payment_term
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.crm.models import Company, Contact, Deal
from mizan.crm.pickers import crm_picker
from mizan.ledger.forms import AMOUNT_ATTRS, AmountField
from mizan.ledger.models import AnalyticAccount, AnalyticKind

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
#: The header fields the form offers, in the services' names (services.invoices.HEADER_FIELDS).
INVOICE_FORM_FIELDS = (
    "company",
    "contact",
    "currency",
    "issue_date",
    "due_date",
    "payment_term",
    "reference",
    "discount_percent",
    "prices_include_tax",
    "language",
    "saudi_type",
    "exchange_rate",
    "deal",
    "cost_center",
    "project",
    "notes",
    "terms",
)


class NamedChoiceField(forms.ModelChoiceField):
    """Shows `display_name()` (in the page's language) when the model has one."""

    def label_from_instance(self, obj: Any) -> str:
        display = getattr(obj, "display_name", None)
        return str(display() if callable(display) else obj)


class InvoiceForm(StyledFormMixin, forms.Form):
    company = NamedChoiceField(label=_("Client"), queryset=Company.objects.none())
    contact = NamedChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    issue_date = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(**DATE_WIDGET))
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("Empty: from the payment terms."),
    )
    payment_term = NamedChoiceField(label=_("Payment terms"), queryset=PaymentTerm.objects.none(), required=False)
    reference = forms.CharField(label=_("Client reference (PO)"), max_length=100, required=False)
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
    saudi_type = forms.ChoiceField(
        label=_("Saudi invoice type"),
        choices=[("", _("From the client's VAT number")), *Invoice.SaudiType.choices],
        required=False,
    )
    exchange_rate = AmountField(
        label=_("Exchange rate"),
        max_digits=20,
        decimal_places=8,
        required=False,
        min_value=Decimal("0.00000001"),
        help_text=_("For another currency: base units per unit. Empty: the rate of the invoice date."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    deal = NamedChoiceField(label=_("Deal"), queryset=Deal.objects.none(), required=False)
    cost_center = NamedChoiceField(
        label=_("Department / cost center"), queryset=AnalyticAccount.objects.none(), required=False
    )
    project = NamedChoiceField(label=_("Project"), queryset=AnalyticAccount.objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    terms = forms.CharField(label=_("Terms and conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, org: Any, instance: Invoice | None = None, **kwargs: Any) -> None:
        if "initial" not in kwargs or kwargs["initial"] is None:
            kwargs["initial"] = {}
        if instance is not None:
            kwargs["initial"] = {**initial_from_invoice(instance), **kwargs["initial"]}
        else:
            kwargs["initial"] = {**initial_for_new(org), **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        self.org = org
        self.instance = instance
        self.fields["company"].queryset = Company.objects.filter(organization=org).order_by("name_latin", "name_ar")
        self.fields["contact"].queryset = Contact.objects.filter(organization=org).order_by("name_latin", "name_ar")
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(organization=org, is_active=True).order_by(
            "days", "pk"
        )
        self.fields["deal"].queryset = Deal.objects.filter(organization=org).order_by("-pk")
        crm_picker(self, "company", "company")
        crm_picker(self, "contact", "contact", depends="company")
        crm_picker(self, "deal", "deal", depends="company")
        analytics = AnalyticAccount.objects.filter(organization=org, is_active=True).order_by("code")
        self.fields["cost_center"].queryset = analytics.filter(
            kind__in=[AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER]
        )
        self.fields["project"].queryset = analytics.filter(kind=AnalyticKind.PROJECT)
        if org.country != "SA":
            del self.fields["saudi_type"]
        if instance is not None and instance.is_credit_note:
            # A credit note is for its invoice's client, in its currency.
            for name in ("company", "currency", "deal"):
                self.fields[name].disabled = True
        self.fields["reference"].widget.attrs["dir"] = "auto"

    def service_data(self) -> dict[str, Any]:
        """The cleaned header as `data` for invoice_create / invoice_update.

        On an edit, a changed date or payment term recomputes the due date unless the due date was
        changed too.
        """
        data = {name: self.cleaned_data.get(name) for name in INVOICE_FORM_FIELDS if name in self.fields}
        for name in ("language", "saudi_type"):
            if name in data and not data[name]:
                data[name] = ""
        if self.instance is not None:
            changed = set(self.changed_data)
            if "due_date" not in changed and changed & {"issue_date", "payment_term"}:
                data.pop("due_date", None)
            if self.instance.is_credit_note:
                for name in ("company", "currency", "deal"):
                    data.pop(name, None)
        return data


def initial_for_new(org: Any) -> dict[str, Any]:
    settings_row = billing_settings_of(org)
    term = default_payment_term(org)
    return {
        "currency": org.base_currency,
        "issue_date": org.today(),
        "payment_term": term.pk if term is not None else None,
        "prices_include_tax": settings_row.prices_include_tax,
        "terms": settings_row.default_terms,
    }


def initial_from_invoice(invoice: Invoice) -> dict[str, Any]:
    return {
        "company": invoice.company_id,
        "contact": invoice.contact_id,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "payment_term": invoice.payment_term_id,
        "reference": invoice.reference,
        "discount_percent": plain_decimal(invoice.discount_percent) if invoice.discount_percent else None,
        "prices_include_tax": invoice.prices_include_tax,
        "language": invoice.language,
        "saudi_type": invoice.saudi_type,
        "exchange_rate": invoice.exchange_rate if invoice.exchange_rate != Decimal("1") else None,
        "deal": invoice.deal_id,
        "cost_center": invoice.cost_center_id,
        "project": invoice.project_id,
        "notes": invoice.notes,
        "terms": invoice.terms,
    }


class InvoiceCancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the credit note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the credit note."),
    )


class CreditNoteForm(StyledFormMixin, forms.Form):
    """A partial credit note: its date and reason; the lines come from the line editor."""

    issue_date = forms.DateField(label=_("Credit note date"), widget=forms.DateInput(**DATE_WIDGET))
    reason = forms.CharField(
        label=_("Reason for the credit note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the credit note."),
    )

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"issue_date": org.today()})
        super().__init__(*args, **kwargs)
