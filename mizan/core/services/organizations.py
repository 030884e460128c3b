"""Organizations and memberships: creation with country defaults, roles, switching."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import COUNTRY_DEFAULTS, CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization, User
from mizan.core.models.organizations import validate_timezone
from mizan.core.roles import Capability, Role
from mizan.core.services.audit import audit_created, audit_record, audit_values

_KNOWN_COUNTRIES = {*COUNTRY_DEFAULTS, "OTHER"}
_KNOWN_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}


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
    except Exception:
        raise DomainError("unknown_timezone", _("Choose a valid time zone."), field="timezone") from None
    rate = vat_rate if vat_rate is not None else (defaults.vat_rate if defaults else Decimal("0.00"))
    if rate < 0 or rate > 100:
        raise DomainError("invalid_vat_rate", _("The VAT rate must be between 0 and 100."), field="vat_rate")
    if not 1 <= fiscal_year_start_month <= 12:
        raise DomainError(
            "invalid_month", _("The fiscal year must start in a month from 1 to 12."), field="fiscal_year_start_month"
        )
    with transaction.atomic():
        org = Organization.objects.create(
            name_ar=name_ar.strip(),
            name_en=name_en.strip(),
            country=country,
            base_currency=currency,
            timezone=tz_name,
            vat_rate=rate,
            vat_number=vat_number.strip(),
            language=language or (defaults.language if defaults else owner.language),
            fiscal_year_start_month=fiscal_year_start_month,
            use_arabic_indic_digits=defaults.use_arabic_indic_digits if defaults else False,
        )
        membership = Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
        audit_created(org=org, actor=owner, instance=org)
        audit_created(org=org, actor=owner, instance=membership)
        owner.last_organization = org
        owner.save(update_fields=["last_organization"])
    return org


def membership_change_role(
    *, org: Organization, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    """Change a member's role; an organization always keeps at least one active owner."""
    require_capability(actor_membership, Capability.MEMBERS_MANAGE)
    if membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    if role not in Role.values:
        raise DomainError("invalid_role", _("Choose a valid role."), field="role")
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError("owner_only", _("Only an owner can make someone an owner."), field="role")
    if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError("owner_only", _("Only an owner can change another owner's role."), field="role")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.OWNER and role != Role.OWNER:
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
    if membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError("owner_only", _("Only an owner can remove an owner."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
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
    membership = (
        Membership.objects.filter(user=user, organization_id=organization_id, is_active=True)
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise DomainError("not_found", _("Not found."))
    user.last_organization = membership.organization
    user.save(update_fields=["last_organization"])
    return membership.organization
