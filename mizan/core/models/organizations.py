from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import COUNTRY_CHOICES, CURRENCY_CHOICES
from mizan.core.roles import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value}, code="invalid_timezone")


class Organization(models.Model):
    """A tenant: one company using Mizan, with its own currency, time zone and language."""

    class SalesVisibility(models.TextChoices):
        OWN = "own", _("Sales members see their own records")
        ALL = "all", _("Sales members see everyone's records")

    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=5, choices=COUNTRY_CHOICES)
    base_currency = models.CharField(_("base currency"), max_length=3, choices=CURRENCY_CHOICES)
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    vat_number = models.CharField(_("VAT / tax number"), max_length=30, blank=True)
    vat_rate = models.DecimalField(
        _("standard VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    use_arabic_indic_digits = models.BooleanField(_("show Arabic-Indic digits (٠١٢٣) in Arabic"), default=False)
    show_hijri_dates = models.BooleanField(_("show the Hijri date beside the Gregorian one"), default=False)
    require_two_factor = models.BooleanField(_("require two-factor sign-in for every member"), default=False)
    sales_visibility = models.CharField(
        _("sales visibility"), max_length=5, choices=SalesVisibility.choices, default=SalesVisibility.ALL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_en=""),
                name="organization_has_a_name",
                violation_error_message=_("An organization needs a name in Arabic or in English."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = language or get_language() or "ar"
        if language.startswith("ar"):
            return self.name_ar or self.name_en
        return self.name_en or self.name_ar

    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self):  # -> datetime.date
        """The business date in the organization's own time zone."""
        return timezone.localdate(timezone.now(), self.tz())


class Membership(models.Model):
    """A user's role in one organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="membership_unique_user_per_organization",
                violation_error_message=_("This person is already a member of the organization."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Invitation(models.Model):
    """An e-mailed invitation to join an organization; the token is stored hashed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal API token for one organization: shown once, stored as a SHA-256 hash."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
