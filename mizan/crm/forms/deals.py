"""Web forms for deals, pipelines, stages, lost reasons, saved views and the forecast filter.

Forms only shape input; the services decide. Choice lists are scoped to the organization, and
long ones (companies, contacts) are capped in the widget while validation accepts any of the
organization's records.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin
from mizan.core.models import Membership, Organization, User
from mizan.crm.models import Company, Contact, Deal, LeadSource, LostReason, Pipeline, Stage
from mizan.crm.pickers import crm_picker
from mizan.crm.selectors.visibility import crm_visible


def _visible_or_linked(queryset: Any, *, org: Organization, membership: Membership, linked: list[int]) -> Any:
    """Records the member may see (CRM visibility), plus those the deal already links (kept on edit)."""
    visible = crm_visible(queryset, org=org, membership=membership)
    if not linked:
        return visible
    return queryset.filter(organization=org).filter(Q(pk__in=visible.values("pk")) | Q(pk__in=linked))


def _members(org: Organization) -> Any:
    return User.objects.filter(memberships__organization=org, memberships__is_active=True).order_by(
        "full_name", "email"
    )


class DealForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none())
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.none(), required=False, help_text=_("Empty: the first stage.")
    )
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False)
    contacts = forms.ModelMultipleChoiceField(label=_("Contacts"), queryset=Contact.objects.none(), required=False)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=20, decimal_places=3, initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=LeadSource.objects.none(), required=False)

    def __init__(
        self, *args: Any, org: Organization, membership: Membership, deal: Deal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["pipeline"].queryset = Pipeline.objects.filter(organization=org, is_active=True)
        stages = Stage.objects.filter(organization=org, kind=Stage.Kind.OPEN).select_related("pipeline")
        self.fields["stage"].queryset = stages.order_by("pipeline__position", "pipeline_id", "position", "id")
        self.fields["stage"].label_from_instance = lambda stage: f"{stage.pipeline} › {stage}"
        scope = {"org": org, "membership": membership}
        linked_company = [deal.company_id] if deal is not None and deal.company_id else []
        companies = _visible_or_linked(Company.objects.all(), linked=linked_company, **scope)
        companies = companies.order_by("name_latin", "name_ar", "id")
        self.fields["company"].queryset = companies
        crm_picker(self, "company", "company")
        linked_contacts = list(deal.contacts.values_list("pk", flat=True)) if deal is not None else []
        contacts = _visible_or_linked(Contact.objects.all(), linked=linked_contacts, **scope)
        contacts = contacts.order_by("name_latin", "name_ar", "id")
        self.fields["contacts"].queryset = contacts
        crm_picker(self, "contacts", "contact", depends="company")
        self.fields["owner"].queryset = _members(org)
        self.fields["source"].queryset = LeadSource.objects.filter(organization=org, is_active=True)
        if deal is not None:
            # Stage and pipeline change on the board or with "Move"; the edit form leaves them alone.
            del self.fields["pipeline"]
            del self.fields["stage"]


class DealMoveForm(StyledFormMixin, forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any stage of the organization: a stage of another pipeline is refused by deal_move, with its message.
        self.fields["stage"].queryset = Stage.objects.filter(organization=org).select_related("pipeline")


class DealLostForm(StyledFormMixin, forms.Form):
    reason = forms.ModelChoiceField(label=_("Why was it lost?"), queryset=LostReason.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = LostReason.objects.filter(organization=org, is_active=True)


class SavedViewForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=100)
    is_shared = forms.BooleanField(label=_("Share with the team"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)


class PipelineForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StageForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100, initial=10)
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices, initial=Stage.Kind.OPEN)
    cold_after_days = forms.IntegerField(
        label=_("Going cold after (days)"), min_value=0, max_value=365, initial=14, help_text=_("0 = never")
    )


class LostReasonForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ForecastFilterForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = Pipeline.objects.filter(organization=org)
        self.fields["owner"].queryset = User.objects.filter(memberships__organization=org).order_by(
            "full_name", "email"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end must not be before the start."))
        return data
