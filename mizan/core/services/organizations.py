"""Organizations and memberships: creation with country defaults, settings, roles, switching."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.core.files.images import get_image_dimensions
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import COUNTRY_DEFAULTS, CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization, User
from mizan.core.models.organizations import validate_timezone
from mizan.core.roles import Capability, Role
from mizan.core.services.audit import audit_created, audit_record, audit_values, model_update

_KNOWN_COUNTRIES = {*COUNTRY_DEFAULTS, "OTHER"}
_KNOWN_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}
_KNOWN_LANGUAGES = {code for code, _label in settings.LANGUAGES}

#: A Saudi VAT registration number: 15 digits, first and last digit 3 (ZATCA).
_SAUDI_VAT_NUMBER = re.compile(r"3\d{13}3")

#: The settings an owner or admin may edit; anything else in `data` is ignored.
ORGANIZATION_SETTINGS_FIELDS = [
    "name_ar",
    "name_en",
    "base_currency",
    "timezone",
    "language",
    "fiscal_year_start_month",
    "vat_number",
    "vat_rate",
    "logo",
    "use_arabic_indic_digits",
    "show_hijri_dates",
    "require_two_factor",
    "sales_visibility",
]

LOGO_MAX_BYTES = 2 * 1024 * 1024
#: Raster formats only: an SVG logo could carry script.
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


#: Functions called with the new organization and its owner's membership at the end of
#: organization_create, inside its transaction (domain apps register theirs in AppConfig.ready()
#: so that core never imports them: the ledger installs its chart of accounts this way).
_ORGANIZATION_INITIALIZERS: list[Callable[[Organization, Membership], None]] = []


def register_organization_initializer(func: Callable[[Organization, Membership], None]) -> None:
    """Run `func(org, owner_membership)` for every new organization (idempotent registration)."""
    if func not in _ORGANIZATION_INITIALIZERS:
        _ORGANIZATION_INITIALIZERS.append(func)


def validate_vat_number(*, country: str, vat_number: str) -> None:
    """Saudi VAT numbers have a fixed shape; other countries' numbers are kept as typed."""
    if country == "SA" and vat_number and not _SAUDI_VAT_NUMBER.fullmatch(vat_number):
        raise DomainError(
            "invalid_vat_number",
            _("A Saudi VAT number has 15 digits and starts and ends with 3."),
            field="vat_number",
        )


def organization_create(
    *,
    owner: User,
    name_ar: str = "",
    name_en: str = "",
    country: str,
    base_currency: str | None = None,
    timezone_name: str | None = None,
    vat_rate: Decimal | None = None,
    language: str | None = None,
    vat_number: str = "",
    fiscal_year_start_month: int = 1,
) -> Organization:
    """Create an organization with its country's defaults and make `owner` its owner.

    Egypt, Saudi Arabia and the UAE fill currency, VAT rate, time zone and digits; any other
    country must say its currency and time zone.
    """
    if country not in _KNOWN_COUNTRIES:
        raise DomainError("unknown_country", _("Choose a country from the list."), field="country")
    if not (name_ar.strip() or name_en.strip()):
        raise DomainError("name_required", _("Enter the organization's name in Arabic or in English."), field="name_ar")
    defaults = COUNTRY_DEFAULTS.get(country)
    currency = base_currency or (defaults.currency if defaults else None)
    tz_name = timezone_name or (defaults.timezone if defaults else None)
    if not currency or currency not in _KNOWN_CURRENCIES:
        raise DomainError("currency_required", _("Choose the organization's base currency."), field="base_currency")
    if not tz_name:
        raise DomainError("timezone_required", _("Choose the organization's time zone."), field="timezone")
    try:
        validate_timezone(tz_name)
    except ValidationError:
        raise DomainError("unknown_timezone", _("Choose a valid time zone."), field="timezone") from None
    rate = vat_rate if vat_rate is not None else (defaults.vat_rate if defaults else Decimal("0.00"))
    if rate < 0 or rate > 100:
        raise DomainError("invalid_vat_rate", _("The VAT rate must be between 0 and 100."), field="vat_rate")
    if not 1 <= fiscal_year_start_month <= 12:
        raise DomainError(
            "invalid_month", _("The fiscal year must start in a month from 1 to 12."), field="fiscal_year_start_month"
        )
    language = language or (defaults.language if defaults else owner.language)
    if language not in _KNOWN_LANGUAGES:
        raise DomainError("invalid_language", _("Choose a valid language."), field="language")
    vat_number = vat_number.strip()
    validate_vat_number(country=country, vat_number=vat_number)
    with transaction.atomic():
        org = Organization.objects.create(
            name_ar=name_ar.strip(),
            name_en=name_en.strip(),
            country=country,
            base_currency=currency,
            timezone=tz_name,
            vat_rate=rate,
            vat_number=vat_number,
            language=language,
            fiscal_year_start_month=fiscal_year_start_month,
            use_arabic_indic_digits=defaults.use_arabic_indic_digits if defaults else False,
        )
        membership = Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
        audit_created(org=org, actor=owner, instance=org)
        audit_created(org=org, actor=owner, instance=membership)
        owner.last_organization = org
        owner.save(update_fields=["last_organization"])
        for initializer in _ORGANIZATION_INITIALIZERS:
            initializer(org, membership)
    return org


def organization_update(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> Organization:
    """Change the organization's settings; the audit entry keeps every old and new value.

    Only the fields in ORGANIZATION_SETTINGS_FIELDS are read from `data`. `logo` may be an
    uploaded file (replace), False (remove) or anything else (keep).
    """
    require_capability(actor_membership, Capability.ORGANIZATION_MANAGE)
    if actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    changes = {name: data[name] for name in ORGANIZATION_SETTINGS_FIELDS if name in data}
    for name in ("name_ar", "name_en", "vat_number"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    logo = changes.pop("logo", None)
    new_logo = _is_new_upload(logo)
    if new_logo:
        _validate_logo(logo)
    stored_logo = ""
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=org.pk)
        name_ar = changes.get("name_ar", locked.name_ar)
        name_en = changes.get("name_en", locked.name_en)
        if not (name_ar or name_en):
            raise DomainError(
                "name_required", _("Enter the organization's name in Arabic or in English."), field="name_ar"
            )
        validate_vat_number(country=locked.country, vat_number=changes.get("vat_number", locked.vat_number))
        if new_logo:
            stored_logo = _store_logo(locked, logo)
            changes["logo"] = stored_logo
        elif logo is False:
            changes["logo"] = ""
        try:
            model_update(
                org=locked,
                actor=actor_membership.user,
                instance=locked,
                data=changes,
                fields=ORGANIZATION_SETTINGS_FIELDS,
            )
        except ValidationError as error:
            if stored_logo:
                locked.logo.storage.delete(stored_logo)
            raise _domain_error_from_validation(error) from None
    return locked


def _is_new_upload(value: Any) -> bool:
    """A freshly uploaded file, as opposed to the stored one a form hands back unchanged."""
    return isinstance(value, File) and not isinstance(value, FieldFile)


def _validate_logo(upload: File) -> None:
    if upload.size is None or upload.size > LOGO_MAX_BYTES:
        raise DomainError("logo_too_large", _("The logo must be 2 MB or smaller."), field="logo")
    from PIL import Image  # Pillow is already required by ImageField.

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception:
        image_format = None
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS or get_image_dimensions(upload) == (None, None):
        raise DomainError("logo_not_image", _("Upload a PNG, JPEG, WebP or GIF image."), field="logo")
    upload.seek(0)


def _store_logo(org: Organization, upload: File) -> str:
    """Save the file under its final name first, so the audit trail records the real path."""
    field = Organization._meta.get_field("logo")
    name = field.generate_filename(org, upload.name or "logo")
    return field.storage.save(name, upload, max_length=field.max_length)


def _domain_error_from_validation(error: ValidationError) -> DomainError:
    """The first message of a model validation error, on its field when it names one."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        return DomainError("invalid", errors[0], field=None if field == NON_FIELD_ERRORS else field)
    return DomainError("invalid", error.messages[0])


def membership_change_role(
    *, org: Organization, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    """Change a member's role; an organization always keeps at least one active owner."""
    require_capability(actor_membership, Capability.MEMBERS_MANAGE)
    if membership.organization_id != org.pk or actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    if role not in Role.values:
        raise DomainError("invalid_role", _("Choose a valid role."), field="role")
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError("owner_only", _("Only an owner can make someone an owner."), field="role")
    with transaction.atomic():
        # Decide on the locked row: the role may have changed since the caller read it.
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER and actor_membership.role != Role.OWNER:
            raise DomainError("owner_only", _("Only an owner can change another owner's role."), field="role")
        if not locked.is_active:
            raise DomainError("inactive_member", _("This person is no longer a member."), field="role")
        if locked.role == role:
            return locked
        if locked.role == Role.OWNER:
            _ensure_another_owner(org, locked)
        before = audit_values(locked)
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action="update",
            changes={"role": [before["role"], role]},
        )
    return locked


def membership_deactivate(*, org: Organization, actor_membership: Membership, membership: Membership) -> Membership:
    """Remove a member's access; their history stays."""
    require_capability(actor_membership, Capability.MEMBERS_MANAGE)
    if membership.organization_id != org.pk or actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER and actor_membership.role != Role.OWNER:
            raise DomainError("owner_only", _("Only an owner can remove an owner."))
        if not locked.is_active:
            return locked
        if locked.role == Role.OWNER:
            _ensure_another_owner(org, locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action="update",
            changes={"is_active": ["True", "False"]},
        )
    return locked


def _ensure_another_owner(org: Organization, membership: Membership) -> None:
    others = Membership.objects.filter(organization=org, role=Role.OWNER, is_active=True).exclude(pk=membership.pk)
    if not others.exists():
        raise DomainError("last_owner", _("An organization must keep at least one owner."), field="role")


def organization_switch(*, user: User, organization_id: Any) -> Organization:
    """Make another of the user's organizations the current one; 404-equivalent if not a member."""
    try:
        membership = (
            Membership.objects.filter(user=user, organization_id=organization_id, is_active=True)
            .select_related("organization")
            .first()
        )
    except (ValueError, TypeError):
        membership = None
    if membership is None:
        raise DomainError("not_found", _("Not found."))
    user.last_organization = membership.organization
    user.save(update_fields=["last_organization"])
    return membership.organization
