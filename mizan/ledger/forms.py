"""Web forms of the ledger; they only shape input, the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.ledger.models import (
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
    Journal,
    JournalKind,
)
from mizan.ledger.numbers import normalize_number
from mizan.ledger.selectors.accounts import postable_account_list

AMOUNT_ATTRS = {"inputmode": "decimal", "dir": "ltr", "class": "text-end", "autocomplete": "off"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class AmountField(forms.DecimalField):
    """A decimal typed with Arabic-Indic digits, ٫ and thousands separators (see numbers.py)."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = normalize_number(value)
        return super().to_python(value)


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class AccountForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=AccountType.choices)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("— none —")), *AccountRole.choices],
        required=False,
        help_text=_("Postings find accounts by role (receivable, bank, VAT...)."),
    )
    parent = AccountChoiceField(label=_("Parent account"), queryset=Account.objects.none(), required=False)
    reconcile = forms.BooleanField(label=_("Match open items per partner (receivable, payable)"), required=False)

    def __init__(self, *args: Any, org: Any, instance: Account | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name_ar": instance.name_ar,
                "name_en": instance.name_en,
                "type": instance.type,
                "role": instance.role or "",
                "parent": instance.parent_id,
                "reconcile": instance.reconcile,
            }
        super().__init__(*args, **kwargs)
        parents = Account.objects.filter(organization=org, is_active=True).order_by("code")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["code"].widget.attrs["dir"] = "ltr"


class JournalForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("Part of every entry number, e.g. SAL."))
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=JournalKind.choices)
    default_account = AccountChoiceField(
        label=_("Default account (bank or cash)"), queryset=Account.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, org: Any, instance: Journal | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": instance.code,
                "name_ar": instance.name_ar,
                "name_en": instance.name_en,
                "kind": instance.kind,
                "default_account": instance.default_account_id,
                "is_active": instance.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["default_account"].queryset = postable_account_list(org=org).filter(type=AccountType.ASSET)


class JournalEntryForm(StyledFormMixin, forms.Form):
    journal = forms.ModelChoiceField(label=_("Journal"), queryset=Journal.objects.none())
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    exchange_rate = AmountField(
        label=_("Exchange rate"),
        max_digits=20,
        decimal_places=8,
        required=False,
        min_value=Decimal("0.00000001"),
        help_text=_("For another currency: base units per unit. Empty: the rate table's rate on the date."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal"].queryset = Journal.objects.filter(organization=org, is_active=True).order_by("code")
        self.fields["currency"].initial = org.base_currency


class JournalLineForm(StyledFormMixin, forms.Form):
    account = AccountChoiceField(label=_("Account"), queryset=Account.objects.none())
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    debit = AmountField(
        label=_("Debit"), max_digits=20, decimal_places=3, required=False, widget=forms.TextInput(attrs=AMOUNT_ATTRS)
    )
    credit = AmountField(
        label=_("Credit"), max_digits=20, decimal_places=3, required=False, widget=forms.TextInput(attrs=AMOUNT_ATTRS)
    )
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, required=False)
    cost_center = forms.ModelChoiceField(
        label=_("Department / cost center"), queryset=AnalyticAccount.objects.none(), required=False
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=AnalyticAccount.objects.none(), required=False)

    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        from mizan.crm.models import Company

        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = postable_account_list(org=org)
        self.fields["partner"].queryset = Company.objects.filter(organization=org).order_by("name_latin", "name_ar")
        analytics = AnalyticAccount.objects.filter(organization=org, is_active=True).order_by("code")
        self.fields["cost_center"].queryset = analytics.filter(
            kind__in=[AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER]
        )
        self.fields["project"].queryset = analytics.filter(kind=AnalyticKind.PROJECT)
        self.fields["debit"].widget.attrs["data-ledger-debit"] = ""
        self.fields["credit"].widget.attrs["data-ledger-credit"] = ""

    def line_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "account": data["account"],
            "description": data.get("description") or "",
            "debit": data.get("debit") or Decimal("0"),
            "credit": data.get("credit") or Decimal("0"),
            "partner": data.get("partner"),
            "cost_center": data.get("cost_center"),
            "project": data.get("project"),
        }


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, org: Any, **kwargs: Any) -> None:
        self.org = org
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "org": self.org}

    @property
    def empty_form(self) -> forms.Form:
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            org=self.org,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def line_inputs(self) -> list[dict[str, Any]]:
        return [
            form.line_input()
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("account")
        ]


JournalLineFormSet = forms.formset_factory(
    JournalLineForm, formset=BaseLineFormSet, extra=0, min_num=2, validate_min=False, can_delete=True, max_num=200
)


class ExchangeRateForm(StyledFormMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    rate = AmountField(
        label=_("Rate to the base currency"),
        max_digits=20,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )


class CsvUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file must be 2 MB or smaller."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 CSV.")) from None


class OpeningBalanceForm(CsvUploadForm):
    date = forms.DateField(
        label=_("Opening date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Usually the first day of the fiscal year."),
    )
    file = forms.FileField(label=_("CSV file"), required=False)
    csv_text = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("file") and not data.get("csv_text"):
            self.add_error("file", _("Choose a CSV file."))
        return data

    def text(self) -> str:
        if self.cleaned_data.get("file"):
            return super().text()
        return self.cleaned_data["csv_text"]


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReverseForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Reversal date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
