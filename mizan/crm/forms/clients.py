"""Web forms for companies, contacts, leads, lead sources and lead conversion.

Forms only shape input; the services validate the rules (phone -> E.164, e-mail, names) and their
DomainErrors land on the matching field through `apply_domain_error`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.core.models import Membership, Organization
from mizan.crm.models import Company, Contact, Lead, LeadSource, Pipeline
from mizan.crm.pickers import crm_picker
from mizan.crm.selectors.clients import company_choices, member_users
from mizan.crm.selectors.leads import lead_source_list
from mizan.crm.services.leads import EDITABLE_STATUSES


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class _ClientForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_latin = forms.CharField(label=_("Name in Latin script"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separate tags with commas."))
    owner = OwnerChoiceField(label=_("Owner"), queryset=None, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, org: Organization, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(org=org)
        self.fields["owner"].empty_label = _("Me")
        for name in ("email", "phone", "mobile", "website"):
            if name in self.fields:
                self.fields[name].widget.attrs["dir"] = "ltr"
        self.fields["email"].widget.input_type = "email"
        self.fields["phone"].widget.input_type = "tel"

    def service_data(self) -> dict[str, Any]:
        """Cleaned values for the service; an empty owner means "keep / me" and is left out."""
        data = dict(self.cleaned_data)
        if data.get("owner") is None:
            data.pop("owner", None)
        return data


class CompanyForm(_ClientForm):
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=30, required=False)
    commercial_registration = forms.CharField(label=_("Commercial registration"), max_length=30, required=False)
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("Two-letter code, e.g. SA, EG or AE.")
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    language = forms.ChoiceField(
        label=_("Language of documents"),
        choices=[("", _("The organization's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Quotes, invoices and reminders are written in it."),
    )

    field_order = [
        "name_ar",
        "name_latin",
        "email",
        "phone",
        "website",
        "vat_number",
        "commercial_registration",
        "country",
        "city",
        "address",
        "industry",
        "language",
        "tags",
        "owner",
        "notes",
    ]

    @classmethod
    def initial_for(cls, company: Company) -> dict[str, Any]:
        initial = {name: getattr(company, name) for name in cls.field_order if name not in ("tags", "owner")}
        initial["tags"] = ", ".join(tag.name for tag in company.tags.all())
        initial["owner"] = company.owner_id
        return initial


class ContactForm(_ClientForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)

    field_order = [
        "name_ar",
        "name_latin",
        "company",
        "job_title",
        "email",
        "phone",
        "mobile",
        "tags",
        "owner",
        "notes",
    ]

    def __init__(
        self, *args: Any, org: Organization, membership: Membership, contact: Contact | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, org=org, membership=membership, **kwargs)
        kept = contact.company_id if contact is not None else None  # never an id from the query string
        self.fields["company"].queryset = company_choices(org=org, membership=membership, keep_pk=kept)
        self.fields["company"].empty_label = _("No company")
        crm_picker(self, "company", "company")
        self.fields["mobile"].widget.input_type = "tel"

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        initial = {name: getattr(contact, name) for name in cls.field_order if name not in ("tags", "owner", "company")}
        initial["tags"] = ", ".join(tag.name for tag in contact.tags.all())
        initial["owner"] = contact.owner_id
        initial["company"] = contact.company_id
        return initial


class LeadForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    person_name = forms.CharField(label=_("Person's name"), max_length=200, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("Two-letter code, e.g. SA, EG or AE.")
    )
    source = forms.ModelChoiceField(label=_("Source"), queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[])
    owner = OwnerChoiceField(label=_("Owner"), queryset=None, required=False)
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), max_digits=17, decimal_places=3, min_value=0, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[("", "—"), *CURRENCY_CHOICES], required=False)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, org: Organization, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = lead_source_list(org=org, active_only=True)
        self.fields["owner"].queryset = member_users(org=org)
        self.fields["owner"].empty_label = _("Me")
        self.fields["status"].choices = [
            (value, label) for value, label in Lead.Status.choices if value in EDITABLE_STATUSES
        ]
        self.fields["status"].initial = Lead.Status.NEW
        for name in ("email", "phone", "website"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        self.fields["email"].widget.input_type = "email"
        self.fields["phone"].widget.input_type = "tel"

    @classmethod
    def initial_for(cls, lead: Lead) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name not in ("source", "owner")]
        initial = {name: getattr(lead, name) for name in names}
        initial["source"] = lead.source_id
        initial["owner"] = lead.owner_id
        return initial

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("owner") is None:
            data.pop("owner", None)
        return data


class LeadDisqualifyForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class LeadSourceForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)

    @classmethod
    def initial_for(cls, source: LeadSource) -> dict[str, Any]:
        return {"name_ar": source.name_ar, "name_en": source.name_en}


NEW = "new"


class LeadConvertForm(StyledFormMixin, forms.Form):
    """Use an existing company/contact (offered first when they match) or create new ones, and the deal."""

    company_choice = forms.ChoiceField(label=_("Company"), widget=forms.RadioSelect)
    contact_choice = forms.ChoiceField(label=_("Contact"), widget=forms.RadioSelect)
    deal_title = forms.CharField(label=_("Deal title"), max_length=200, required=False)
    deal_value = forms.DecimalField(label=_("Value"), max_digits=17, decimal_places=3, min_value=0, required=False)
    deal_currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, required=False)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        org: Organization,
        lead: Lead,
        company_matches: list[Any],
        contact_matches: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("company_choice", "contact_choice"):  # radios, not text boxes (the mixin styles them as inputs)
            self.fields[name].widget.attrs["class"] = "form-check-input"
        new_company = (
            _("Create a new company “{name}”").format(name=lead.company_name) if lead.company_name else _("No company")
        )
        new_contact = (
            _("Create a new contact “{name}”").format(name=lead.person_name or lead.email or lead.phone)
            if (lead.person_name or lead.email or lead.phone)
            else _("No contact")
        )
        self.fields["company_choice"].choices = [
            *[(str(match.record.pk), self._match_label(match)) for match in company_matches],
            (NEW, new_company),
        ]
        self.fields["contact_choice"].choices = [
            *[(str(match.record.pk), self._match_label(match)) for match in contact_matches],
            (NEW, new_contact),
        ]
        self.fields["company_choice"].initial = str(company_matches[0].record.pk) if company_matches else NEW
        self.fields["contact_choice"].initial = str(contact_matches[0].record.pk) if contact_matches else NEW
        self.fields["pipeline"].queryset = Pipeline.objects.filter(organization=org, is_active=True).order_by(
            "-is_default", "position", "id"
        )
        self.fields["pipeline"].empty_label = _("Default pipeline")
        self.fields["deal_title"].initial = str(lead)
        self.fields["deal_value"].initial = lead.estimated_value
        self.fields["deal_currency"].initial = lead.currency or org.base_currency

    @staticmethod
    def _match_label(match: Any) -> str:
        record = match.record
        details = [detail for detail in (getattr(record, "email", ""), getattr(record, "phone", "")) if detail]
        reasons = ", ".join(str(reason) for reason in match.reasons)
        label = str(record)
        if details:
            label += " (" + " · ".join(details) + ")"
        if reasons:
            label += " — " + reasons
        return label
