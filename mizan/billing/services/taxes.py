"""Taxes and billing settings: the country defaults, create, edit, deactivate."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mizan.billing.models import BillingSettings, DocumentLanguage, PaymentTerm, Tax, TaxKind, VatExemptionReason
from mizan.billing.models.taxes import REASON_KINDS
from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, model_update
from mizan.ledger.models import Account, AccountRole
from mizan.ledger.services.common import require_member_of, require_same_org

TAX_FIELDS = [
    "name_ar",
    "name_en",
    "rate",
    "kind",
    "exemption_reason_code",
    "exemption_reason",
    "account",
    "valid_from",
    "valid_to",
    "is_active",
]
SETTINGS_FIELDS = [
    "prices_include_tax",
    "rounding",
    "address_ar",
    "address_en",
    "commercial_registration",
    "invoice_series",
    "credit_note_series",
    "document_language",
    "default_terms",
    "quote_validity_days",
    "reminders_enabled",
    "reminder_offsets",
]
#: A series names a gapless numbering: 1-10 capital Latin letters or digits (it prints in the number).
SERIES_PATTERN = re.compile(r"[A-Z0-9]{1,10}")
QUOTE_VALIDITY_DAYS = (1, 365)
#: Reminder days relative to the due date: from 60 days before to a year after, at most this many steps.
REMINDER_OFFSET_RANGE = (-60, 365)
MAX_REMINDER_STEPS = 10

#: (name_ar, name_en, rate, kind, reason code, valid_from, valid_to) preinstalled per country.
_COUNTRY_TAXES: dict[str, list[tuple[str, str, str, str, str, datetime.date | None, datetime.date | None]]] = {
    "SA": [
        ("ضريبة القيمة المضافة 15٪", "VAT 15%", "15", TaxKind.STANDARD, "", datetime.date(2020, 7, 1), None),
        (
            "ضريبة القيمة المضافة 5٪",
            "VAT 5% (before July 2020)",
            "5",
            TaxKind.STANDARD,
            "",
            datetime.date(2018, 1, 1),
            datetime.date(2020, 6, 30),
        ),
        (
            "خاضع لنسبة الصفر - تصدير خدمات",
            "Zero-rated: export of services",
            "0",
            TaxKind.ZERO_RATED,
            "VATEX-SA-33",
            None,
            None,
        ),
        ("معفى - خدمات مالية", "Exempt: financial services", "0", TaxKind.EXEMPT, "VATEX-SA-29", None, None),
    ],
    "EG": [("ضريبة القيمة المضافة 14٪", "VAT 14%", "14", TaxKind.STANDARD, "", None, None)],
    "AE": [
        ("ضريبة القيمة المضافة 5٪", "VAT 5%", "5", TaxKind.STANDARD, "", None, None),
        ("خاضع لنسبة الصفر", "Zero-rated", "0", TaxKind.ZERO_RATED, "", None, None),
        ("معفى", "Exempt", "0", TaxKind.EXEMPT, "", None, None),
    ],
}

_REASON_TEXT = {
    "VATEX-SA-33": "Export of services",
    "VATEX-SA-29": "Financial services mentioned in Article 29 of the VAT Regulations",
}


#: (name_ar, name_en, days, default) installed for every new organization.
PAYMENT_TERMS = (
    ("مستحقة عند الاستلام", "Due on receipt", 0, False),
    ("صافي 15 يوماً", "Net 15 days", 15, False),
    ("صافي 30 يوماً", "Net 30 days", 30, True),
    ("صافي 60 يوماً", "Net 60 days", 60, False),
)


def payment_terms_install(org: Any) -> None:
    if PaymentTerm.objects.filter(organization=org).exists():
        return
    PaymentTerm.objects.bulk_create(
        PaymentTerm(organization=org, name_ar=name_ar, name_en=name_en, days=days, is_default=is_default)
        for name_ar, name_en, days, is_default in PAYMENT_TERMS
    )


def billing_organization_initialize(org: Any, owner_membership: Any) -> None:
    """Country taxes, payment terms and the billing settings of a new organization (idempotent)."""
    BillingSettings.objects.get_or_create(organization=org)
    payment_terms_install(org)
    if Tax.objects.filter(organization=org).exists():
        return
    account = Account.objects.filter(organization=org, role=AccountRole.VAT_PAYABLE).first()
    if account is None:
        return
    for name_ar, name_en, rate, kind, code, valid_from, valid_to in _COUNTRY_TAXES.get(org.country, []):
        Tax.objects.create(
            organization=org,
            name_ar=name_ar,
            name_en=name_en,
            rate=Decimal(rate),
            kind=kind,
            exemption_reason_code=code,
            exemption_reason=_REASON_TEXT.get(code, name_en if kind != TaxKind.STANDARD else ""),
            account=account,
            valid_from=valid_from,
            valid_to=valid_to,
        )


def billing_settings_for(org: Any) -> BillingSettings:
    return BillingSettings.objects.get_or_create(organization=org)[0]


def _validate_tax(org: Any, tax: Tax) -> None:
    if not (tax.name_ar.strip() or tax.name_en.strip()):
        raise DomainError("billing.name_required", _("Enter the tax's name in Arabic or in English."), field="name_ar")
    if tax.kind not in TaxKind.values:
        raise DomainError("billing.kind_invalid", _("Choose the kind of tax."), field="kind")
    if tax.rate is None or tax.rate < 0 or tax.rate > 100:
        raise DomainError("billing.rate_invalid", _("The rate is a percentage between 0 and 100."), field="rate")
    if tax.kind == TaxKind.STANDARD and tax.rate == 0:
        raise DomainError(
            "billing.standard_rate_zero",
            _("A standard rate is above 0%: choose zero-rated, exempt or out of scope for 0%."),
            field="rate",
        )
    if tax.kind != TaxKind.STANDARD and tax.rate != 0:
        raise DomainError(
            "billing.rate_not_zero", _("Zero-rated, exempt and out-of-scope taxes have a 0% rate."), field="rate"
        )
    if tax.kind == TaxKind.STANDARD and (tax.exemption_reason_code or tax.exemption_reason.strip()):
        raise DomainError(
            "billing.reason_on_standard",
            _("Only zero-rated, exempt or out-of-scope taxes carry an exemption reason."),
            field="exemption_reason_code",
        )
    if tax.exemption_reason_code and tax.exemption_reason_code not in VatExemptionReason.values:
        raise DomainError("billing.reason_invalid", _("Choose a valid reason code."), field="exemption_reason_code")
    if tax.kind in REASON_KINDS and org.country == "SA" and not tax.exemption_reason_code:
        raise DomainError(
            "billing.reason_required",
            _("Saudi invoices need a reason code for zero-rated and exempt lines."),
            field="exemption_reason_code",
        )
    if tax.kind in REASON_KINDS and not (tax.exemption_reason.strip() or tax.exemption_reason_code):
        raise DomainError(
            "billing.reason_required",
            _("Give the reason why this tax is zero-rated or exempt."),
            field="exemption_reason",
        )
    if tax.account_id is None:
        raise DomainError("billing.account_required", _("Choose the tax account."), field="account")
    require_same_org(tax.account, org, field="account")
    if tax.valid_from and tax.valid_to and tax.valid_to < tax.valid_from:
        raise DomainError(
            "billing.dates_invalid", _("The end date must not be before the start date."), field="valid_to"
        )


def _default_account(org: Any) -> Account | None:
    return Account.objects.filter(organization=org, role=AccountRole.VAT_PAYABLE).first()


def tax_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> Tax:
    """Add a tax. The account defaults to the organization's VAT payable account."""
    require_capability(actor_membership, Capability.BILLING_MANAGE_TAXES)
    require_member_of(actor_membership, org)
    data = {name: data[name] for name in TAX_FIELDS if name in data}
    for name in ("name_ar", "name_en", "exemption_reason"):
        data[name] = (data.get(name) or "").strip()
    data["exemption_reason_code"] = data.get("exemption_reason_code") or ""
    if data.get("account") is None:
        data["account"] = _default_account(org)
    tax = Tax(organization=org, **data)
    _validate_tax(org, tax)
    with transaction.atomic():
        tax.save()
        audit_created(org=org, actor=actor_membership.user, instance=tax)
    return tax


def tax_update(*, org: Any, actor_membership: Any, tax: Tax, data: dict[str, Any]) -> Tax:
    require_capability(actor_membership, Capability.BILLING_MANAGE_TAXES)
    require_member_of(actor_membership, org)
    require_same_org(tax, org)
    data = {name: data[name] for name in TAX_FIELDS if name in data}
    for name in ("name_ar", "name_en", "exemption_reason"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "exemption_reason_code" in data:
        data["exemption_reason_code"] = data["exemption_reason_code"] or ""
    if "account" in data and data["account"] is None:
        data["account"] = _default_account(org)
    with transaction.atomic():
        locked = Tax.objects.select_for_update().get(pk=tax.pk)
        candidate = Tax(
            pk=locked.pk,
            organization=org,
            **{**{name: getattr(locked, name) for name in TAX_FIELDS}, **data},
        )
        _validate_tax(org, candidate)
        _refuse_rate_change_after_use(locked, candidate)
        model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=TAX_FIELDS)
    return locked


def _refuse_rate_change_after_use(tax: Tax, candidate: Tax) -> None:
    """Issued invoices print their tax's rate: a rate in use is ended (valid until) and a new tax added."""
    from mizan.billing.models import InvoiceLine

    if candidate.rate == tax.rate and candidate.kind == tax.kind:
        return
    if InvoiceLine.objects.filter(tax=tax).exclude(invoice__status="draft").exists():
        raise DomainError(
            "billing.tax_in_use",
            _(
                "Issued invoices use this tax, so its rate and kind cannot change: set its last valid date "
                "and add a new tax instead."
            ),
            field="rate",
        )


def tax_set_active(*, org: Any, actor_membership: Any, tax: Tax, is_active: bool) -> Tax:
    return tax_update(org=org, actor_membership=actor_membership, tax=tax, data={"is_active": is_active})


def reminder_offsets_parse(text: str) -> list[int]:
    """ "7, -3,14" -> [-3, 7, 14]; raises a DomainError (field reminder_offsets) on anything else."""
    formatter = active_formatter()
    low, high = REMINDER_OFFSET_RANGE
    invalid = DomainError(
        "billing.reminder_offsets_invalid",
        _(
            "Enter whole numbers of days separated by commas, from {low} (before the due date) to {high} "
            "(after it), for example -3,7,14."
        ).format(low=formatter.number(low), high=formatter.number(high)),
        field="reminder_offsets",
    )
    parts = [part.strip() for part in str(text or "").split(",")]
    if parts == [""]:
        return []
    offsets: list[int] = []
    for part in parts:
        if not re.fullmatch(r"[+-]?[0-9]{1,3}", part):
            raise invalid
        value = int(part)
        if not low <= value <= high:
            raise invalid
        if value in offsets:
            raise DomainError(
                "billing.reminder_offsets_duplicate",
                _("The day {day} is listed twice.").format(day=formatter.number(value)),
                field="reminder_offsets",
            )
        offsets.append(value)
    if len(offsets) > MAX_REMINDER_STEPS:
        raise DomainError(
            "billing.reminder_offsets_too_many",
            _("Give at most {count} reminder days.").format(count=formatter.number(MAX_REMINDER_STEPS)),
            field="reminder_offsets",
        )
    return sorted(offsets)


def _clean_settings(current: BillingSettings, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize the fields given (all or nothing); the rest keep their value."""
    data = {name: data[name] for name in SETTINGS_FIELDS if name in data}
    if "rounding" in data and data["rounding"] not in BillingSettings.Rounding.values:
        raise DomainError("billing.rounding_invalid", _("Choose how taxes are rounded."), field="rounding")
    for name in ("address_ar", "address_en", "commercial_registration", "default_terms"):
        if name in data:
            data[name] = str(data[name] or "").strip()
    if len(data.get("commercial_registration", "")) > 30:
        raise DomainError(
            "billing.registration_invalid",
            _("The commercial registration has at most 30 characters."),
            field="commercial_registration",
        )
    for name in ("invoice_series", "credit_note_series"):
        if name in data:
            data[name] = str(data[name] or "").strip().upper()
            if not SERIES_PATTERN.fullmatch(data[name]):
                raise DomainError(
                    "billing.series_invalid",
                    _("A series is 1 to 10 capital Latin letters or digits, for example INV."),
                    field=name,
                )
    invoice_series = data.get("invoice_series", current.invoice_series)
    if invoice_series == data.get("credit_note_series", current.credit_note_series):
        raise DomainError(
            "billing.series_same",
            _("Credit notes need a series of their own, different from the invoices' series."),
            field="credit_note_series" if "credit_note_series" in data else "invoice_series",
        )
    if "document_language" in data and data["document_language"] not in DocumentLanguage.values:
        raise DomainError("billing.language_invalid", _("Choose the language of documents."), field="document_language")
    if "quote_validity_days" in data:
        days = data["quote_validity_days"]
        low, high = QUOTE_VALIDITY_DAYS
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            formatter = active_formatter()
            raise DomainError(
                "billing.quote_validity_invalid",
                _("Quotes are valid for {low} to {high} days.").format(
                    low=formatter.number(low), high=formatter.number(high)
                ),
                field="quote_validity_days",
            )
    for name in ("prices_include_tax", "reminders_enabled"):
        if name in data:
            data[name] = bool(data[name])
    if "reminder_offsets" in data:
        data["reminder_offsets"] = ",".join(str(day) for day in reminder_offsets_parse(data["reminder_offsets"]))
    reminders_enabled = data.get("reminders_enabled", current.reminders_enabled)
    if reminders_enabled and not data.get("reminder_offsets", current.reminder_offsets):
        raise DomainError(
            "billing.reminder_offsets_required",
            _("Give at least one reminder day, or turn payment reminders off."),
            field="reminder_offsets",
        )
    return data


def billing_settings_update(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> BillingSettings:
    """Change the organization's billing options given in `data` (SETTINGS_FIELDS); audited.

    A series may be renamed: numbering is per series name and fiscal year, so a new name starts
    at 1 and returning to an earlier name continues its numbers (never a gap, never a repeat).
    Documents already posted keep the series they were numbered in. Reminder days are stored
    normalized ("7,-3" becomes "-3,7").
    """
    require_capability(actor_membership, Capability.BILLING_MANAGE_TAXES)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        settings_row = BillingSettings.objects.select_for_update().get_or_create(organization=org)[0]
        cleaned = _clean_settings(settings_row, data)
        model_update(org=org, actor=actor_membership.user, instance=settings_row, data=cleaned, fields=SETTINGS_FIELDS)
    return settings_row
