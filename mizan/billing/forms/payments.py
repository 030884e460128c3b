"""Payment forms and the payment list filter (one FilterSet for the page and the API).

They only shape input; the services hold the rules.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import Invoice, Payment, PaymentMethod
from mizan.billing.selectors.payments import open_invoices_for, payment_filter
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.formatting import active_formatter
from mizan.core.forms.base import StyledFormMixin
from mizan.crm.models import Company
from mizan.crm.pickers import crm_picker
from mizan.ledger.forms import AMOUNT_ATTRS, AccountChoiceField, AmountField
from mizan.ledger.models import Account, AccountRole

DATE_WIDGET = {"type": "date"}
#: The prefix of an allocation input: `allocation-<invoice id>`.
ALLOCATION_PREFIX = "allocation-"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def money_accounts(org: Any) -> QuerySet[Account]:
    """Active bank accounts, then cash accounts (the first one is the form's default)."""
    return Account.objects.filter(
        organization=org, role__in=(AccountRole.BANK, AccountRole.CASH), is_active=True
    ).order_by("role", "code")


def clients(org: Any) -> QuerySet[Company]:
    return Company.objects.filter(organization=org, is_active=True).order_by("name_latin", "name_ar", "pk")


def new_form_token() -> str:
    """A one-time token for the payment form: the idempotency key of the payment it records."""
    return secrets.token_hex(16)


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


# --- list filter --------------------------------------------------------------------------------------


def _org(request: Any) -> Any:
    return getattr(request, "org", None) if request is not None else None


def _filter_companies(request: Any) -> QuerySet[Company]:
    """Clients with payments (a short list, unlike every company of the CRM)."""
    org = _org(request)
    if not org:
        return Company.objects.none()
    paying = Payment.objects.filter(organization=org).values("company_id")
    return Company.objects.filter(organization=org, pk__in=paying).order_by("name_latin", "name_ar")


def _filter_accounts(request: Any) -> QuerySet[Account]:
    org = _org(request)
    if not org:
        return Account.objects.none()
    return Account.objects.filter(organization=org, role__in=(AccountRole.BANK, AccountRole.CASH)).order_by("code")


class PaymentFilterForm(StyledFormMixin, forms.Form):
    pass


class PaymentFilterSet(django_filters.FilterSet):
    """Filters of the payment list page and of /api/v1/billing/payments/ (choices from the
    request's organization, so another organization's ids never validate)."""

    company = django_filters.ModelChoiceFilter(queryset=_filter_companies, label=_("Client"), empty_label=_("All"))
    direction = django_filters.ChoiceFilter(choices=Payment.Direction.choices, label=_("Kind"), empty_label=_("All"))
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices, label=_("Method"), empty_label=_("All"))
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES, label=_("Currency"), empty_label=_("All"))
    account = django_filters.ModelChoiceFilter(queryset=_filter_accounts, label=_("Account"), empty_label=_("All"))
    date_from = django_filters.DateFilter(label=_("From"), widget=forms.DateInput(attrs=DATE_WIDGET))
    date_to = django_filters.DateFilter(label=_("To"), widget=forms.DateInput(attrs=DATE_WIDGET))

    class Meta:
        model = Payment
        fields: list[str] = []
        form = PaymentFilterForm

    def filter_queryset(self, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        values = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        return payment_filter(queryset, **values)


# --- recording a payment ---------------------------------------------------------------------------


class PaymentForm(StyledFormMixin, forms.Form):
    company = CompanyChoiceField(label=_("Client"), queryset=Company.objects.none())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    amount = AmountField(
        label=_("Amount received"), max_digits=20, decimal_places=3, min_value=0, widget=forms.TextInput(AMOUNT_ATTRS)
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_WIDGET))
    account = AccountChoiceField(label=_("Bank or cash account"), queryset=Account.objects.none())
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("Transfer or cheque number.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["company"].queryset = clients(org)
        crm_picker(self, "company", "company")
        self.fields["account"].queryset = money_accounts(org)
        self.allocations: list[dict[str, Any]] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not _TOKEN.fullmatch(cleaned.get("token") or ""):
            # A hidden field: its error is shown above the form.
            self.add_error(None, _("This form has expired: reload the page and enter the payment again."))
        self.allocations = []
        for name, raw in self.data.items():
            if not name.startswith(ALLOCATION_PREFIX) or not str(raw).strip():
                continue
            pk = name[len(ALLOCATION_PREFIX) :]
            try:
                amount = AmountField(max_digits=20, decimal_places=3).clean(raw)
            except forms.ValidationError:
                self.add_error(None, _("Enter each allocated amount as a number."))
                continue
            if not pk.isdigit():
                continue
            if amount:  # an empty or zero amount leaves the invoice alone
                self.allocations.append({"invoice": int(pk), "amount": amount})
        return cleaned

    def allocation_values(self) -> dict[int, str]:
        """What was typed per invoice id, to show the allocation inputs again."""
        return {
            int(name[len(ALLOCATION_PREFIX) :]): str(raw)
            for name, raw in self.data.items()
            if name.startswith(ALLOCATION_PREFIX) and name[len(ALLOCATION_PREFIX) :].isdigit()
        }


class AllocationForm(StyledFormMixin, forms.Form):
    """Apply a payment's or a credit note's credit to another open invoice of the client."""

    invoice = forms.ModelChoiceField(label=_("Invoice"), queryset=Invoice.objects.none())
    amount = AmountField(
        label=_("Amount to apply"), max_digits=20, decimal_places=3, min_value=0, widget=forms.TextInput(AMOUNT_ATTRS)
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_WIDGET))

    def __init__(self, *args: Any, org: Any, company: Any, currency: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "apply")
        super().__init__(*args, **kwargs)
        invoices = open_invoices_for(org=org, company=company, currency=currency)
        self.fields["invoice"].queryset = invoices
        self.fields["invoice"].label_from_instance = lambda invoice: _("{number}, {due} due").format(
            number=invoice.display_number, due=active_formatter().money(invoice.amount_due, invoice.currency)
        )


class RefundForm(StyledFormMixin, forms.Form):
    """Pay a client's credit back."""

    amount = AmountField(
        label=_("Amount to refund"), max_digits=20, decimal_places=3, min_value=0, widget=forms.TextInput(AMOUNT_ATTRS)
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_WIDGET))
    account = AccountChoiceField(label=_("Paid from"), queryset=Account.objects.none())
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "refund")
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = money_accounts(org)


def credit_initial(org: Any, available: Decimal) -> dict[str, Any]:
    return {"amount": available, "date": org.today()}
