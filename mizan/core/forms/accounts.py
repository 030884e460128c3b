"""Forms of the accounts area: they check input shape; the rules live in services.accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import COUNTRY_CHOICES, COUNTRY_DEFAULTS, CURRENCY_CHOICES
from mizan.core.forms.base import StyledFormMixin, timezone_choices
from mizan.core.models import User
from mizan.core.services.accounts import user_password_set


def _password_widget(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class SignInForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(label=_("Password"), strip=False, widget=_password_widget("current-password"))


class TwoFactorCodeForm(StyledFormMixin, forms.Form):
    """One field for a 6-digit authenticator code or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "dir": "ltr"}),
    )


class TwoFactorConfirmForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown in the app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "maxlength": 7}
        ),
    )


class PasswordConfirmForm(StyledFormMixin, forms.Form):
    """Asks the current password again before a sensitive change."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=_password_widget("current-password"))


class SignUpForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), strip=False, widget=_password_widget("new-password"))
    password_confirm = forms.CharField(label=_("Password again"), strip=False, widget=_password_widget("new-password"))
    name_ar = forms.CharField(
        label=_("Organization name in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl"}),
    )
    name_en = forms.CharField(
        label=_("Organization name in English"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_("Fill in at least one of the two names."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[("", "---------"), *COUNTRY_CHOICES],
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    base_currency = forms.ChoiceField(
        label=_("Base currency"),
        required=False,
        choices=[("", "---------"), *CURRENCY_CHOICES],
        help_text=_("Filled in from the country for Egypt, Saudi Arabia and the UAE; required for other countries."),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=(),
        help_text=_("Filled in from the country for Egypt, Saudi Arabia and the UAE; required for other countries."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", "---------"), *timezone_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", _("The two passwords do not match."))
        if not (data.get("name_ar", "").strip() or data.get("name_en", "").strip()):
            self.add_error("name_ar", _("Enter the organization's name in Arabic or in English."))
        country = data.get("country")
        if country and country not in COUNTRY_DEFAULTS:
            if not data.get("base_currency"):
                self.add_error("base_currency", _("Choose the base currency for this country."))
            if not data.get("timezone"):
                self.add_error("timezone", _("Choose the time zone for this country."))
        return data

    def organization_values(self) -> dict[str, str | None]:
        """Currency and time zone count only for "other" countries; the rest use the country's."""
        data = self.cleaned_data
        own_settings = data["country"] not in COUNTRY_DEFAULTS
        return {
            "name_ar": data.get("name_ar", ""),
            "name_en": data.get("name_en", ""),
            "country": data["country"],
            "base_currency": (data.get("base_currency") or None) if own_settings else None,
            "timezone_name": (data.get("timezone") or None) if own_settings else None,
        }


class PasswordResetRequestForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class ResetSetPasswordForm(StyledFormMixin, SetPasswordForm):
    """Django's new-password form; saving goes through the service so the lock-out is lifted too."""

    def save(self, commit: bool = True) -> User:
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class ProfileForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ProfilePasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Django's change-password form (old password first); saving goes through the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # It shares the profile page with the name form: do not pull focus to it on every visit.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)

    def save(self, commit: bool = True) -> User:
        return user_password_set(user=self.user, password=self.cleaned_data["new_password1"])
