"""Country defaults applied when an organization is created."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CountryDefaults:
    currency: str
    vat_rate: Decimal
    timezone: str
    language: str
    use_arabic_indic_digits: bool


COUNTRY_DEFAULTS: dict[str, CountryDefaults] = {
    "EG": CountryDefaults("EGP", Decimal("14.00"), "Africa/Cairo", "ar", True),
    "SA": CountryDefaults("SAR", Decimal("15.00"), "Asia/Riyadh", "ar", True),
    "AE": CountryDefaults("AED", Decimal("5.00"), "Asia/Dubai", "ar", False),
}

COUNTRY_CHOICES = [
    ("EG", _("Egypt")),
    ("SA", _("Saudi Arabia")),
    ("AE", _("United Arab Emirates")),
    ("OTHER", _("Other country")),
]

# ISO 4217 minor units for the currencies Mizan offers; amounts are stored with 3 places.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "EGP": 2,
    "SAR": 2,
    "AED": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "KWD": 3,
    "BHD": 3,
    "OMR": 3,
    "JOD": 3,
    "QAR": 2,
    "TND": 3,
    "MAD": 2,
    "LBP": 2,
    "IQD": 3,
}

CURRENCY_CHOICES = [
    ("EGP", _("Egyptian pound")),
    ("SAR", _("Saudi riyal")),
    ("AED", _("UAE dirham")),
    ("USD", _("US dollar")),
    ("EUR", _("Euro")),
    ("GBP", _("Pound sterling")),
    ("KWD", _("Kuwaiti dinar")),
    ("BHD", _("Bahraini dinar")),
    ("OMR", _("Omani rial")),
    ("QAR", _("Qatari riyal")),
    ("JOD", _("Jordanian dinar")),
]
