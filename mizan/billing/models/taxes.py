"""Tax rates with their accounts, and each organization's billing options."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.models.base import OrganizationOwnedModel


class TaxKind(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    ZERO_RATED = "zero_rated", _("Zero-rated")
    EXEMPT = "exempt", _("Exempt")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class VatExemptionReason(models.TextChoices):
    """ZATCA exemption / zero-rating reason codes (data dictionary BT-121) used by service businesses."""

    SA_29 = "VATEX-SA-29", _("Financial services (exempt)")
    SA_29_7 = "VATEX-SA-29-7", _("Life insurance services (exempt)")
    SA_30 = "VATEX-SA-30", _("Real estate transactions (exempt)")
    SA_32 = "VATEX-SA-32", _("Export of goods (zero-rated)")
    SA_33 = "VATEX-SA-33", _("Export of services (zero-rated)")
    SA_34_1 = "VATEX-SA-34-1", _("International transport of goods (zero-rated)")
    SA_35 = "VATEX-SA-35", _("Medicines and medical equipment (zero-rated)")
    SA_36 = "VATEX-SA-36", _("Qualifying metals (zero-rated)")
    SA_EDU = "VATEX-SA-EDU", _("Private education to citizens (zero-rated)")
    SA_HEA = "VATEX-SA-HEA", _("Private healthcare to citizens (zero-rated)")
    SA_OOS = "VATEX-SA-OOS", _("Out of scope of VAT")
    OTHER = "OTHER", _("Other reason (describe it)")


#: Kinds whose lines carry no VAT and, on Saudi invoices, need a reason code.
REASON_KINDS = (TaxKind.ZERO_RATED, TaxKind.EXEMPT, TaxKind.OUT_OF_SCOPE)


class Tax(OrganizationOwnedModel):
    name_ar = models.CharField(_("name in Arabic"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4)
    kind = models.CharField(_("kind"), max_length=20, choices=TaxKind.choices, default=TaxKind.STANDARD)
    exemption_reason_code = models.CharField(
        _("exemption reason code"), max_length=20, choices=VatExemptionReason.choices, blank=True
    )
    exemption_reason = models.CharField(_("exemption reason"), max_length=250, blank=True)
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("tax account")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "-rate", "pk"]
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = language or get_language() or "ar"
        first, second = (self.name_ar, self.name_en) if language.startswith("ar") else (self.name_en, self.name_ar)
        return first or second

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class BillingSettings(models.Model):
    """Billing options of one organization (kept out of core.Organization)."""

    class Rounding(models.TextChoices):
        LINE = "line", _("Per line")
        DOCUMENT = "document", _("Per document")

    organization = models.OneToOneField(
        "core.Organization", on_delete=models.CASCADE, related_name="billing_settings", verbose_name=_("organization")
    )
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    rounding = models.CharField(_("tax rounding"), max_length=10, choices=Rounding.choices, default=Rounding.LINE)
    address_ar = models.TextField(_("address in Arabic"), blank=True)
    address_en = models.TextField(_("address in English"), blank=True)
    commercial_registration = models.CharField(_("commercial registration"), max_length=30, blank=True)
    invoice_series = models.CharField(_("invoice series"), max_length=10, default="INV")
    credit_note_series = models.CharField(_("credit note series"), max_length=10, default="CN")
    document_language = models.CharField(
        _("language of documents"),
        max_length=4,
        choices=[("both", _("Arabic and English side by side")), ("ar", _("Arabic")), ("en", _("English"))],
        default="both",
    )
    default_terms = models.TextField(_("default terms and conditions"), blank=True)
    quote_validity_days = models.PositiveSmallIntegerField(_("quotes valid for (days)"), default=30)
    reminders_enabled = models.BooleanField(_("send payment reminders"), default=True)
    #: Days relative to the due date, e.g. "-3,7,14": three days before, then a week and two weeks late.
    reminder_offsets = models.CharField(
        _("reminder days (relative to the due date)"),
        max_length=100,
        default="-3,7,14",
        help_text=_("Comma-separated days: negative before the due date, positive after it."),
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")

    def __str__(self) -> str:
        return str(self.organization)
