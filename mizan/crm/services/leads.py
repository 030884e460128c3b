"""Leads, lead sources and lead conversion.

`lead_create` serves the app, the API, the import and the public web-to-lead form (those last two
pass `actor_membership=None`). `lead_convert` turns a lead into company + contact + deal in one
transaction, reusing existing records the person picked from `lead_conversion_matches`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.arabic import normalize_arabic
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_changes, audit_created, audit_record, audit_values
from mizan.crm.email_domains import email_domain, is_free_email_domain
from mizan.crm.models import Activity, Company, Contact, Deal, Lead, LeadSource
from mizan.crm.phones import phone_normalize, phone_region
from mizan.crm.search import build_search_name
from mizan.crm.selectors.visibility import crm_visible
from mizan.crm.services.activities import activity_log
from mizan.crm.services.clients import (
    clean_country,
    clean_email,
    clean_text,
    clean_website,
    company_create,
    contact_create,
    contact_update,
    ensure_same_organization,
    ensure_visible,
    owner_user,
    validate_model,
)
from mizan.crm.services.scoring import lead_score_refresh

LEAD_FIELDS = [
    "title",
    "person_name",
    "company_name",
    "email",
    "phone",
    "website",
    "job_title",
    "country",
    "status",
    "owner",
    "estimated_value",
    "currency",
    "message",
]
#: Statuses a person sets by editing; "converted" and "disqualified" have their own services.
EDITABLE_STATUSES = (Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED)
_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

#: Installed for every new organization: (English, Arabic).
DEFAULT_LEAD_SOURCES = [
    ("Website", "الموقع الإلكتروني"),
    ("Referral", "توصية"),
    ("Exhibition", "معرض"),
    ("Social media", "وسائل التواصل الاجتماعي"),
    ("Cold call", "اتصال مباشر"),
    ("Import", "استيراد"),
]


# --- lead sources --------------------------------------------------------------------------------


def lead_sources_install_defaults(org: Organization, owner: Any = None) -> list[LeadSource]:
    """Default sources for a new organization (an organization initializer; does nothing twice).

    Accepts the owner as a user or a membership, positionally or by keyword, so it fits the
    initializer registry whichever way it calls.
    """
    if LeadSource.objects.filter(organization=org).exists():
        return []
    actor = getattr(owner, "user", owner)
    sources = LeadSource.objects.bulk_create(
        [LeadSource(organization=org, name_en=name_en, name_ar=name_ar) for name_en, name_ar in DEFAULT_LEAD_SOURCES]
    )
    if transaction.get_connection().in_atomic_block:
        for source in LeadSource.objects.filter(organization=org):
            audit_created(org=org, actor=actor, instance=source)
    return sources


def _lead_source_values(data: dict[str, Any], current: LeadSource | None = None) -> dict[str, Any]:
    values = {name: (data[name] or "").strip() for name in ("name_ar", "name_en") if name in data}
    if "is_active" in data:
        values["is_active"] = bool(data["is_active"])
    name_ar = values.get("name_ar", current.name_ar if current else "")
    name_en = values.get("name_en", current.name_en if current else "")
    if not (name_ar or name_en):
        raise DomainError("name_required", _("Enter the name in Arabic or in English."), field="name_ar")
    return values


def lead_source_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> LeadSource:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    ensure_same_organization(org, actor_membership)
    source = LeadSource(organization=org, **_lead_source_values(data))
    validate_model(source, exclude=["organization"])
    with transaction.atomic():
        source.save()
        audit_created(org=org, actor=actor_membership.user, instance=source)
    return source


def lead_source_update(
    *, org: Organization, actor_membership: Membership, source: LeadSource, data: dict[str, Any]
) -> LeadSource:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    ensure_same_organization(org, source)
    with transaction.atomic():
        locked = LeadSource.objects.select_for_update().get(pk=source.pk)
        before = audit_values(locked)
        for name, value in _lead_source_values(data, locked).items():
            setattr(locked, name, value)
        validate_model(locked, exclude=["organization"])
        changes = audit_changes(before, audit_values(locked))
        if changes:
            locked.save()
            audit_record(org=org, actor=actor_membership.user, instance=locked, action="update", changes=changes)
    return locked


def lead_source_deactivate(*, org: Organization, actor_membership: Membership, source: LeadSource) -> LeadSource:
    """No new lead picks it; leads and deals that came from it keep it."""
    return lead_source_update(org=org, actor_membership=actor_membership, source=source, data={"is_active": False})


# --- leads ---------------------------------------------------------------------------------------


def _clean_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise DomainError(
            "invalid_amount", _("Enter an amount of zero or more, e.g. 15000.00."), field="estimated_value"
        )
    return amount


def _lead_values(*, org: Organization, data: dict[str, Any], current: Lead | None = None) -> dict[str, Any]:
    values = clean_text({name: data[name] for name in LEAD_FIELDS if name in data})
    if "email" in values:
        values["email"] = clean_email(values["email"])
    if "website" in values:
        values["website"] = clean_website(values["website"])
    if "country" in values:
        values["country"] = clean_country(values["country"])
    if "phone" in values:
        country = values.get("country", current.country if current else "")
        values["phone"] = phone_normalize(values["phone"], region=phone_region(country, org.country))
    if "owner" in values:
        values["owner"] = owner_user(org=org, owner=values["owner"])
    if "status" in values and values["status"] not in EDITABLE_STATUSES:
        raise DomainError("invalid_status", _("Choose new, contacted or qualified."), field="status")
    if "estimated_value" in values:
        values["estimated_value"] = _clean_amount(values["estimated_value"])
    if "currency" in values:
        values["currency"] = (values["currency"] or "").strip().upper()
        if values["currency"] and values["currency"] not in _CURRENCIES:
            raise DomainError("invalid_currency", _("Choose a currency from the list."), field="currency")
    merged = {name: values.get(name, getattr(current, name, "") if current else "") for name in LEAD_FIELDS}
    if merged["estimated_value"] is not None and merged["estimated_value"] != "" and not merged["currency"]:
        values["currency"] = org.base_currency
    if not any(merged[name] for name in ("person_name", "company_name", "email", "phone")):
        raise DomainError(
            "lead_empty",
            _("Enter at least a person's name, a company name, an e-mail or a phone number."),
            field="person_name",
        )
    return values


def lead_search_name(lead: Lead) -> str:
    return build_search_name(
        lead.person_name, lead.company_name, lead.title, lead.email, phone=lead.phone, max_length=500
    )


def lead_create(
    *,
    org: Organization,
    actor_membership: Membership | None,
    data: dict[str, Any],
    source: LeadSource | None = None,
    score: bool = True,
) -> Lead:
    """A new lead. Without an actor (web form, import) nobody owns it unless `data["owner"]` says.

    Bulk paths that already hold the scoring rules pass `score=False` and call `lead_score_apply`.
    """
    if actor_membership is not None:
        require_capability(actor_membership, Capability.CRM_EDIT)
        ensure_same_organization(org, actor_membership)
    source = source if source is not None else data.get("source")
    ensure_same_organization(org, source)
    values = _lead_values(org=org, data=data)
    if "owner" not in values and actor_membership is not None:
        values["owner"] = actor_membership.user
    lead = Lead(organization=org, source=source, **values)
    lead.search_name = lead_search_name(lead)
    validate_model(lead, exclude=["organization", "owner", "source"])
    with transaction.atomic():
        lead.save()
        audit_created(org=org, actor=actor_membership.user if actor_membership else None, instance=lead)
        if score:
            lead_score_refresh(org=org, lead=lead)
    return lead


def lead_update(*, org: Organization, actor_membership: Membership, lead: Lead, data: dict[str, Any]) -> Lead:
    """Edit an open lead (a converted lead is history: it cannot change)."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, lead)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        _ensure_not_converted(locked)
        values = _lead_values(org=org, data=data, current=locked)
        if "source" in data:
            ensure_same_organization(org, data["source"])
            values["source"] = data["source"]
        before = audit_values(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.search_name = lead_search_name(locked)
        validate_model(locked, exclude=["organization", "owner", "source", "converted_company", "converted_contact"])
        changes = audit_changes(before, audit_values(locked))
        changes.pop("search_name", None)
        if changes:
            locked.save()
            audit_record(org=org, actor=actor_membership.user, instance=locked, action="update", changes=changes)
            lead_score_refresh(org=org, lead=locked)
    return locked


def lead_disqualify(*, org: Organization, actor_membership: Membership, lead: Lead, reason: str = "") -> Lead:
    """Close a lead that will not buy; editing its status back to "new" reopens it."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, lead)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        _ensure_not_converted(locked)
        if locked.status == Lead.Status.DISQUALIFIED:
            return locked
        before = locked.status
        locked.status = Lead.Status.DISQUALIFIED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action="update",
            changes={"status": [before, locked.status]},
        )
        activity_log(
            org=org,
            actor=actor_membership.user,
            kind=Activity.Kind.SYSTEM,
            subject=_("Lead disqualified"),
            body=(reason or "").strip(),
            lead=locked,
        )
    return locked


def _ensure_not_converted(lead: Lead) -> None:
    if lead.status == Lead.Status.CONVERTED or lead.converted_at is not None:
        raise DomainError("lead_already_converted", _("This lead has already been converted."))


# --- conversion ----------------------------------------------------------------------------------


@dataclass
class Match:
    record: Any
    reasons: list[str] = field(default_factory=list)


@dataclass
class ConversionMatches:
    companies: list[Match] = field(default_factory=list)
    contacts: list[Match] = field(default_factory=list)


MATCH_LIMIT = 10
#: A name key shorter than this matches too much to suggest anything.
MIN_NAME_KEY = 3


def lead_conversion_matches(
    *, org: Organization, lead: Lead, membership: Membership | None = None
) -> ConversionMatches:
    """Existing companies and contacts that are likely the lead's: same e-mail, business e-mail
    domain, phone or normalized name. With `membership`, only records that member may see."""
    domain = email_domain(lead.email)
    business_domain = domain if domain and not is_free_email_domain(domain) else ""
    person_key = normalize_arabic(lead.person_name)
    company_key = normalize_arabic(lead.company_name)

    contacts_q = Q()
    if lead.email:
        contacts_q |= Q(email__iexact=lead.email)
    if business_domain:
        contacts_q |= Q(email__iendswith="@" + business_domain)
    if lead.phone:
        contacts_q |= Q(phone=lead.phone) | Q(mobile=lead.phone)
    if len(person_key) >= MIN_NAME_KEY:
        contacts_q |= Q(search_name__contains=person_key)
    contacts: list[Match] = []
    if contacts_q:
        queryset = Contact.objects.filter(organization=org, is_active=True).filter(contacts_q)
        if membership is not None:
            queryset = crm_visible(queryset, org=org, membership=membership)
        for contact in queryset.select_related("company").order_by("pk")[:MATCH_LIMIT]:
            reasons = []
            if lead.email and contact.email.lower() == lead.email.lower():
                reasons.append(_("Same e-mail"))
            elif business_domain and email_domain(contact.email) == business_domain:
                reasons.append(_("Same e-mail domain"))
            if lead.phone and lead.phone in (contact.phone, contact.mobile):
                reasons.append(_("Same phone"))
            if len(person_key) >= MIN_NAME_KEY and person_key in _names_key(contact):
                reasons.append(_("Similar name"))
            if reasons:
                contacts.append(Match(contact, reasons))

    companies_q = Q()
    if lead.email:
        companies_q |= Q(email__iexact=lead.email)
    if business_domain:
        companies_q |= Q(email__iendswith="@" + business_domain) | Q(website__icontains="//" + business_domain)
        companies_q |= Q(website__icontains="." + business_domain)
    if lead.phone:
        companies_q |= Q(phone=lead.phone)
    if len(company_key) >= MIN_NAME_KEY:
        companies_q |= Q(search_name__contains=company_key)
    contact_company_ids = [match.record.company_id for match in contacts if match.record.company_id]
    if contact_company_ids:
        companies_q |= Q(pk__in=contact_company_ids)
    companies: list[Match] = []
    if companies_q:
        queryset = Company.objects.filter(organization=org, is_active=True).filter(companies_q)
        if membership is not None:
            queryset = crm_visible(queryset, org=org, membership=membership)
        for company in queryset.order_by("pk")[:MATCH_LIMIT]:
            reasons = []
            if lead.email and company.email.lower() == lead.email.lower():
                reasons.append(_("Same e-mail"))
            elif business_domain and (
                email_domain(company.email) == business_domain or business_domain in company.website.lower()
            ):
                reasons.append(_("Same e-mail domain"))
            if lead.phone and company.phone == lead.phone:
                reasons.append(_("Same phone"))
            if len(company_key) >= MIN_NAME_KEY and company_key in _names_key(company):
                reasons.append(_("Similar name"))
            if company.pk in contact_company_ids:
                reasons.append(_("A matching contact works here"))
            if reasons:
                companies.append(Match(company, reasons))
    return ConversionMatches(companies=companies, contacts=contacts)


def _names_key(record: Company | Contact) -> str:
    """The normalized names alone (the stored search key also holds e-mail and phone digits)."""
    return normalize_arabic(f"{record.name_ar} {record.name_latin}")


def _split_name(name: str) -> dict[str, str]:
    """A typed name goes to the Arabic or the Latin field depending on its script."""
    name = (name or "").strip()
    return {"name_ar": name} if _ARABIC_LETTER.search(name) else {"name_latin": name}


def lead_convert(
    *,
    org: Organization,
    actor_membership: Membership,
    lead: Lead,
    company: Company | None = None,
    contact: Contact | None = None,
    deal_data: dict[str, Any] | None = None,
) -> tuple[Company | None, Contact | None, Deal]:
    """Qualify a lead: reuse or create its company and contact, open a deal, mark it converted.

    One transaction: any error (a converted lead, a bad value, another organization's record)
    leaves nothing behind. Returns (company, contact, deal); company is None for a lead without
    a company name when no existing company was chosen.
    """
    from mizan.crm.services.deals import deal_create  # the deals area; imported late to keep layers loose

    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, lead, company, contact)
    deal_data = dict(deal_data or {})
    actor = actor_membership.user
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).select_related("source").get(pk=lead.pk)
        _ensure_not_converted(locked)
        if locked.status == Lead.Status.DISQUALIFIED:
            raise DomainError("lead_disqualified", _("A disqualified lead cannot be converted. Reopen it first."))
        owner = locked.owner or actor
        if company is None and locked.company_name:
            company = company_create(
                org=org,
                actor_membership=actor_membership,
                data={
                    **_split_name(locked.company_name),
                    "email": locked.email if not locked.person_name else "",
                    "phone": locked.phone if not locked.person_name else "",
                    "website": locked.website,
                    "country": locked.country,
                    "owner": owner,
                },
            )
        if contact is None and (locked.person_name or locked.email or locked.phone):
            name = locked.person_name or locked.email.partition("@")[0] or locked.phone
            contact = contact_create(
                org=org,
                actor_membership=actor_membership,
                data={
                    **_split_name(name),
                    "company": company,
                    "job_title": locked.job_title,
                    "email": locked.email,
                    "phone": locked.phone,
                    "owner": owner,
                },
            )
        elif contact is not None and company is not None and contact.company_id is None:
            contact = contact_update(
                org=org, actor_membership=actor_membership, contact=contact, data={"company": company}
            )
        if company is None and contact is not None and contact.company_id:
            company = contact.company
        value = deal_data.get("value")
        if value in (None, ""):
            value = locked.estimated_value if locked.estimated_value is not None else Decimal("0")
        deal = deal_create(
            org=org,
            actor_membership=actor_membership,
            data={
                "title": (deal_data.get("title") or "").strip() or str(locked) or str(company or contact),
                "company": company,
                "contacts": [contact] if contact is not None else [],
                "pipeline": deal_data.get("pipeline"),
                "stage": deal_data.get("stage"),
                "value": value,
                "currency": deal_data.get("currency") or locked.currency or org.base_currency,
                "expected_close_date": deal_data.get("expected_close_date"),
                "owner": deal_data.get("owner") or owner,
                "source": locked.source,
            },
        )
        before = audit_values(locked)
        locked.status = Lead.Status.CONVERTED
        locked.converted_at = timezone.now()
        locked.converted_company = company
        locked.converted_contact = contact
        locked.converted_deal = deal
        locked.save()
        audit_record(
            org=org, actor=actor, instance=locked, action="update", changes=audit_changes(before, audit_values(locked))
        )
        activity_log(
            org=org,
            actor=actor,
            kind=Activity.Kind.SYSTEM,
            subject=_("Lead converted"),
            body=_("Converted into the deal “{deal}”.").format(deal=deal.title),
            lead=locked,
            company=company,
            contact=contact,
            deal=deal,
        )
    lead.refresh_from_db()
    return company, contact, deal
