"""Forms of the organizations area: they check input shape; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import COUNTRY_CHOICES, CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin, timezone_choices
from mizan.core.models import AuditEntry, Organization, User
from mizan.core.roles import Role
from mizan.core.selectors.audit import audit_actor_choices, audit_content_type_choices, content_type_label
from mizan.core.services.organizations import LOGO_MAX_BYTES, ORGANIZATION_SETTINGS_FIELDS


def role_choices(*, actor_role: str) -> list[tuple[str, Any]]:
    """Roles a member may hand out: only an owner may make an owner."""
    return [(value, label) for value, label in Role.choices if value != Role.OWNER or actor_role == Role.OWNER]


class OrganizationCreateForm(StyledFormMixin, forms.Form):
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(
        label=_("Name in English"), max_length=200, required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES)
    base_currency = forms.ChoiceField(
        label=_("Base currency"),
        choices=[("", _("The country's currency")), *CURRENCY_CHOICES],
        required=False,
        help_text=_("Needed only for other countries."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", _("The country's time zone"))],
        required=False,
        help_text=_("Needed only for other countries."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", _("The country's time zone")), *timezone_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("name_ar", "").strip() or data.get("name_en", "").strip()):
            self.add_error("name_ar", _("Enter the organization's name in Arabic or in English."))
        if data.get("country") == "OTHER":
            if not data.get("base_currency"):
                self.add_error("base_currency", _("Choose the organization's base currency."))
            if not data.get("timezone"):
                self.add_error("timezone", _("Choose the organization's time zone."))
        return data


class OrganizationSettingsForm(StyledFormMixin, forms.ModelForm):
    """Shape and types only; organization_update decides and saves (never call save())."""

    timezone = forms.ChoiceField(label=_("Time zone"), choices=())
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        help_text=_("PNG, JPEG, WebP or GIF, at most 2 MB."),
    )

    class Meta:
        model = Organization
        fields = ORGANIZATION_SETTINGS_FIELDS
        widgets = {
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "vat_number": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "fiscal_year_start_month": forms.Select(choices=list(MONTHS.items())),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > LOGO_MAX_BYTES and not hasattr(logo, "instance"):
            raise forms.ValidationError(_("The logo must be 2 MB or smaller."))
        return logo


class MemberRoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role=actor_role)


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role=actor_role)


class InvitationSignUpForm(StyledFormMixin, forms.Form):
    """A new account for the invited e-mail address (the address itself is not editable)."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_confirm = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return data


class ContentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContentType) -> str:
        return content_type_label(obj)


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email


class AuditLogFilterForm(StyledFormMixin, forms.Form):
    """GET filters of the audit log; only these fields ever reach the query."""

    actor = ActorChoiceField(label=_("By"), queryset=User.objects.none(), required=False, empty_label=_("Anyone"))
    content_type = ContentTypeChoiceField(
        label=_("Record type"), queryset=ContentType.objects.none(), required=False, empty_label=_("Any type")
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any action")), *AuditEntry.Action.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = audit_actor_choices(org=org)
        self.fields["content_type"].queryset = audit_content_type_choices(org=org)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
