"""Forms of the CRM tools: lead import, web forms (settings and the public form), scoring rules.

Forms shape input; the services check the rules and their DomainErrors land on the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mizan.core.forms.base import StyledFormMixin
from mizan.core.models import Organization
from mizan.crm.models import ImportJob, LeadScoringRule, LeadSource, WebForm
from mizan.crm.selectors.clients import member_users
from mizan.crm.selectors.leads import lead_source_list
from mizan.crm.services.imports import IMPORT_FIELDS
from mizan.crm.services.scoring import SCORABLE_FIELDS


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LeadSource) -> str:
        return str(obj)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


# --- import -----------------------------------------------------------------------------------


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (UTF-8 or Windows Arabic) or an Excel workbook (.xlsx); the first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ImportMappingForm(StyledFormMixin, forms.Form):
    """One "which column?" choice per lead field, pre-filled with the suggested mapping."""

    default_source = SourceChoiceField(
        label=_("Source of leads without one"), queryset=LeadSource.objects.none(), required=False
    )

    def __init__(self, *args: Any, job: ImportJob, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— Do not import —")), *((str(index), header) for index, header in enumerate(job.headers))]
        for name, label in IMPORT_FIELDS.items():
            self.fields[f"column_{name}"] = forms.ChoiceField(
                label=label, choices=columns, required=False, initial=str(job.mapping.get(name, ""))
            )
            self.fields[f"column_{name}"].widget.attrs["class"] = "form-select"
        self.fields["default_source"].queryset = lead_source_list(org=org, active_only=True)
        self.fields["default_source"].initial = job.default_source_id
        self.order_fields([*(f"column_{name}" for name in IMPORT_FIELDS), "default_source"])

    def mapping(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(f"column_{name}") or None for name in IMPORT_FIELDS}


# --- web forms --------------------------------------------------------------------------------


class WebFormSettingsForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For you only, e.g. “Contact page”."))
    is_active = forms.BooleanField(label=_("Accept submissions"), required=False, initial=True)
    fields = forms.MultipleChoiceField(
        label=_("Fields"),
        choices=[(value, label) for value, label in WebForm.Field.choices if value != WebForm.Field.PERSON_NAME],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The name is always asked for."),
    )
    source = SourceChoiceField(label=_("Lead source"), queryset=LeadSource.objects.none(), required=False)
    owner = MemberChoiceField(label=_("Owner of new leads"), queryset=None, required=False)
    thank_you_message = forms.CharField(
        label=_("Thank-you message"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = lead_source_list(org=org, active_only=True)
        self.fields["owner"].queryset = member_users(org=org)
        self.fields["owner"].empty_label = _("Nobody (the team picks it up)")
        self.fields["fields"].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class WebToLeadForm(StyledFormMixin, forms.Form):
    """The public form; shows the fields the organization chose (the page adds the honeypot and token)."""

    def __init__(self, *args: Any, web_form: WebForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(WebForm.Field.choices)
        for name in web_form.fields:
            if name not in labels:
                continue
            field: forms.Field
            if name == WebForm.Field.MESSAGE:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
            elif name == WebForm.Field.EMAIL:
                field = forms.EmailField(max_length=254)
            else:
                field = forms.CharField(max_length=200)
            field.label = labels[name]
            field.required = name == WebForm.Field.PERSON_NAME
            field.widget.attrs["class"] = "form-control"  # added after StyledFormMixin styled the others
            self.fields[name] = field
        for name, input_type in (("email", "email"), ("phone", "tel"), ("website", "url")):
            if name in self.fields:
                self.fields[name].widget.input_type = input_type
                self.fields[name].widget.attrs["dir"] = "ltr"

    def visible_lead_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]


# --- scoring ----------------------------------------------------------------------------------


class ScoringRuleForm(StyledFormMixin, forms.Form):
    """A rule; which argument field counts depends on the condition (the others are ignored)."""

    label = forms.CharField(label=_("Label"), max_length=150, help_text=_("Shown on the lead as the reason."))
    condition = forms.ChoiceField(label=_("Condition"), choices=LeadScoringRule.Condition.choices)
    field_name = forms.ChoiceField(
        label=_("Field"),
        choices=[("", "—"), *SCORABLE_FIELDS.items()],
        required=False,
        help_text=_("For “A field is filled in”."),
    )
    source = SourceChoiceField(
        label=_("Source"),
        queryset=LeadSource.objects.none(),
        required=False,
        help_text=_("For “The lead came from a source”."),
    )
    count = forms.IntegerField(
        label=_("Number of activities"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("For “At least N activities”."),
    )
    country = forms.CharField(
        label=_("Country code"), max_length=2, required=False, help_text=_("For “The lead is in a country”, e.g. SA.")
    )
    points = forms.IntegerField(label=_("Points"), min_value=-1000, max_value=1000)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    ARGUMENT_FIELDS = {
        LeadScoringRule.Condition.FIELD_PRESENT: "field_name",
        LeadScoringRule.Condition.SOURCE_IS: "source",
        LeadScoringRule.Condition.ACTIVITY_COUNT_AT_LEAST: "count",
        LeadScoringRule.Condition.COUNTRY_IS: "country",
    }

    def __init__(self, *args: Any, org: Organization, rule: LeadScoringRule | None = None, **kwargs: Any) -> None:
        if rule is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(rule)
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = lead_source_list(org=org)
        for condition, name in self.ARGUMENT_FIELDS.items():
            self.fields[name].widget.attrs["data-scoring-condition"] = condition
        self.fields["condition"].widget.attrs["data-scoring-condition-select"] = ""
        self.fields["country"].widget.attrs["dir"] = "ltr"

    @classmethod
    def initial_for(cls, rule: LeadScoringRule) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "label": rule.label,
            "condition": rule.condition,
            "points": rule.points,
            "is_active": rule.is_active,
        }
        name = cls.ARGUMENT_FIELDS.get(rule.condition)
        if name:
            initial[name] = rule.argument
        return initial

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in ("label", "condition", "points", "is_active")}
        name = self.ARGUMENT_FIELDS.get(data["condition"])
        value = self.cleaned_data.get(name) if name else None
        data["argument"] = "" if value in (None, "") else str(getattr(value, "pk", value))
        return data
