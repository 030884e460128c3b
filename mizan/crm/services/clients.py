"""Companies, contacts and tags: the client record shared by sales, projects and finance.

Every write checks CRM_EDIT first, validates (names, e-mail, phone -> E.164, website), keeps
`search_name` in step and writes its audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import Membership, Organization, User
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_changes, audit_created, audit_record, audit_values
from mizan.crm.models import Company, Contact, Tag
from mizan.crm.phones import phone_normalize, phone_region, phone_search_digits
from mizan.crm.search import build_search_name
from mizan.crm.selectors.visibility import sees_all_crm_records

#: What `company_create`/`company_update` read from `data`; anything else is ignored.
COMPANY_FIELDS = [
    "name_ar",
    "name_latin",
    "email",
    "phone",
    "website",
    "vat_number",
    "commercial_registration",
    "country",
    "city",
    "address",
    "industry",
    "language",
    "owner",
    "notes",
]
CONTACT_FIELDS = [
    "company",
    "name_ar",
    "name_latin",
    "job_title",
    "email",
    "phone",
    "mobile",
    "owner",
    "notes",
]
_TEXT_FIELDS = {
    "name_ar",
    "name_latin",
    "vat_number",
    "commercial_registration",
    "city",
    "address",
    "industry",
    "notes",
    "job_title",
    "title",
    "person_name",
    "company_name",
    "message",
}
TAG_MAX_LENGTH = 60


# --- validation shared with the lead services ---------------------------------------------------


def clean_text(data: dict[str, Any]) -> dict[str, Any]:
    """Strip surrounding spaces of free-text values (None becomes "")."""
    cleaned = dict(data)
    for name in _TEXT_FIELDS & set(cleaned):
        cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def clean_email(value: str | None, *, field: str = "email") -> str:
    email = (value or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "invalid_email", _("“{value}” is not a valid e-mail address.").format(value=email[:80]), field=field
        ) from None
    return email


def clean_website(value: str | None, *, field: str = "website") -> str:
    """A web address; "example.com" is accepted and stored as "https://example.com"."""
    website = (value or "").strip()
    if not website:
        return ""
    if "://" not in website:
        website = "https://" + website
    try:
        URLValidator(schemes=["http", "https"])(website)
    except ValidationError:
        raise DomainError(
            "invalid_website", _("Enter a valid web address, e.g. https://example.com."), field=field
        ) from None
    return website


def clean_country(value: str | None, *, field: str = "country") -> str:
    """A two-letter country code (ISO 3166), upper case."""
    country = (value or "").strip().upper()
    if country and phone_region(country) is None:
        raise DomainError("invalid_country", _("Enter a two-letter country code, e.g. SA, EG or AE."), field=field)
    return country


def require_a_name(name_ar: str, name_latin: str, *, field: str = "name_ar") -> None:
    if not (name_ar or name_latin):
        raise DomainError("name_required", _("Enter the name in Arabic or in Latin script."), field=field)


def owner_user(*, org: Organization, owner: Any) -> User | None:
    """The owner must be an active member of the organization (a user, a membership or an id)."""
    if owner in (None, ""):
        return None
    user_id = owner.user_id if isinstance(owner, Membership) else getattr(owner, "pk", owner)
    membership = (
        Membership.objects.filter(organization=org, user_id=user_id, is_active=True).select_related("user").first()
        if str(user_id).isdigit()
        else None
    )
    if membership is None:
        raise DomainError("invalid_owner", _("Choose an active member of the organization."), field="owner")
    return membership.user


def ensure_same_organization(org: Organization, *records: Any) -> None:
    """Records handed to a service must belong to `org` (else it is as if they did not exist)."""
    for record in records:
        if record is not None and record.organization_id != org.pk:
            raise DomainError("not_found", _("Not found."))


def ensure_visible(org: Organization, membership: Membership | None, *records: Any) -> None:
    """A sales member limited to their own records cannot act on anyone else's (reads as not found)."""
    ensure_same_organization(org, *records)
    if membership is None or sees_all_crm_records(org=org, membership=membership):
        return
    for record in records:
        if record is not None and record.owner_id != membership.user_id:
            raise DomainError("not_found", _("Not found."))


def validate_model(instance: Any, exclude: Iterable[str] = ()) -> None:
    """Model validation (lengths, constraints) as a DomainError on the first field at fault."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError("invalid", messages[0], field=None if field == NON_FIELD_ERRORS else field) from None


# --- tags ----------------------------------------------------------------------------------------


def tag_names(value: Any) -> list[str]:
    """Tag names from a list or a comma-separated string, trimmed, without repeats."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [getattr(item, "name", item) for item in value]
    names: dict[str, str] = {}
    for item in items:
        name = " ".join(str(item).split())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise DomainError(
                "tag_too_long",
                _("A tag can have at most {count} characters.").format(count=active_formatter().number(TAG_MAX_LENGTH)),
                field="tags",
            )
        names.setdefault(name.casefold(), name)
    return list(names.values())


def tags_resolve(*, org: Organization, names: list[str]) -> list[Tag]:
    """The organization's tags with these names, creating the missing ones."""
    if not names:
        return []
    existing = {tag.name.casefold(): tag for tag in Tag.objects.filter(organization=org)}
    tags = []
    for name in names:
        tag = existing.get(name.casefold())
        if tag is None:
            tag, _created = Tag.objects.get_or_create(organization=org, name=name)
        tags.append(tag)
    return tags


def _set_tags(*, org: Organization, record: Company | Contact, data: dict[str, Any]) -> list[str] | None:
    """Replace the record's tags when `data` has "tags"; returns [old, new] names for the audit."""
    if "tags" not in data:
        return None
    before = sorted(tag.name for tag in record.tags.all())
    tags = tags_resolve(org=org, names=tag_names(data["tags"]))
    record.tags.set(tags)
    after = sorted(tag.name for tag in tags)
    return None if before == after else [", ".join(before), ", ".join(after)]


#: A company or a contact: the two client records share their create and update flow.
ClientRecord = TypeVar("ClientRecord", Company, Contact)


def _create_record(
    *,
    org: Organization,
    actor_membership: Membership,
    record: ClientRecord,
    data: dict[str, Any],
    search_name: Callable[[ClientRecord], str],
    exclude: list[str],
) -> ClientRecord:
    """Save a new company or contact with its search key, audit row and tags, all or nothing."""
    record.search_name = search_name(record)
    validate_model(record, exclude=exclude)
    with transaction.atomic():
        record.save()
        audit_created(org=org, actor=actor_membership.user, instance=record)
        _set_tags(org=org, record=record, data=data)
    return record


def _apply_update(
    *,
    org: Organization,
    actor_membership: Membership,
    locked: ClientRecord,
    values: dict[str, Any],
    data: dict[str, Any],
    search_name: Callable[[ClientRecord], str],
    exclude: list[str],
) -> None:
    """Set `values` (and the tags) on a row locked by the caller; save and audit only what really changed.

    The search key is derived from the names, so it is kept current but never reported as a change.
    """
    before = audit_values(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.search_name = search_name(locked)
    validate_model(locked, exclude=exclude)
    changes = audit_changes(before, audit_values(locked))
    changes.pop("search_name", None)
    if changes:
        locked.save()
    tag_change = _set_tags(org=org, record=locked, data=data)
    if tag_change:
        changes["tags"] = tag_change
    if changes:
        audit_record(org=org, actor=actor_membership.user, instance=locked, action="update", changes=changes)


# --- companies -----------------------------------------------------------------------------------


def _company_values(*, org: Organization, data: dict[str, Any], current: Company | None = None) -> dict[str, Any]:
    """Validated values for the company fields present in `data`."""
    values = clean_text({name: data[name] for name in COMPANY_FIELDS if name in data})
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
    name_ar = values.get("name_ar", current.name_ar if current else "")
    name_latin = values.get("name_latin", current.name_latin if current else "")
    require_a_name(name_ar, name_latin)
    return values


def company_search_name(company: Company) -> str:
    return build_search_name(company.name_ar, company.name_latin, company.email, phone=company.phone)


def company_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> Company:
    """A new company; the actor owns it unless `data["owner"]` names another member."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_same_organization(org, actor_membership)
    values = _company_values(org=org, data=data)
    values.setdefault("owner", actor_membership.user)
    return _create_record(
        org=org,
        actor_membership=actor_membership,
        record=Company(organization=org, **values),
        data=data,
        search_name=company_search_name,
        exclude=["organization", "owner"],
    )


def company_update(
    *, org: Organization, actor_membership: Membership, company: Company, data: dict[str, Any]
) -> Company:
    """Change the fields present in `data` (and the tags when "tags" is given)."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, company)
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        values = _company_values(org=org, data=data, current=locked)
        _apply_update(
            org=org,
            actor_membership=actor_membership,
            locked=locked,
            values=values,
            data=data,
            search_name=company_search_name,
            exclude=["organization", "owner"],
        )
    return locked


def company_deactivate(*, org: Organization, actor_membership: Membership, company: Company) -> Company:
    """Hide the company from lists and pickers; its history, contacts and deals stay."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, company)
    return _set_active(org=org, actor_membership=actor_membership, model=Company, record=company, active=False)


def company_reactivate(*, org: Organization, actor_membership: Membership, company: Company) -> Company:
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, company)
    return _set_active(org=org, actor_membership=actor_membership, model=Company, record=company, active=True)


def _set_active(*, org: Organization, actor_membership: Membership, model: type, record: Any, active: bool) -> Any:
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
            audit_record(
                org=org,
                actor=actor_membership.user,
                instance=locked,
                action="update",
                changes={"is_active": [str(not active), str(active)]},
            )
    return locked


# --- contacts ------------------------------------------------------------------------------------


def _contact_values(*, org: Organization, data: dict[str, Any], current: Contact | None = None) -> dict[str, Any]:
    values = clean_text({name: data[name] for name in CONTACT_FIELDS if name in data})
    if values.get("company") is not None:
        ensure_same_organization(org, values["company"])
    company = values.get("company", current.company if current else None)
    region = phone_region(company.country if company else None, org.country)
    if "email" in values:
        values["email"] = clean_email(values["email"])
    if "phone" in values:
        values["phone"] = phone_normalize(values["phone"], region=region)
    if "mobile" in values:
        values["mobile"] = phone_normalize(values["mobile"], region=region, field="mobile")
    if "owner" in values:
        values["owner"] = owner_user(org=org, owner=values["owner"])
    name_ar = values.get("name_ar", current.name_ar if current else "")
    name_latin = values.get("name_latin", current.name_latin if current else "")
    require_a_name(name_ar, name_latin)
    return values


def contact_search_name(contact: Contact) -> str:
    key = build_search_name(contact.name_ar, contact.name_latin, contact.email, phone=contact.phone, max_length=1000)
    if contact.mobile and contact.mobile != contact.phone:
        key = f"{key} {phone_search_digits(contact.mobile)}"
    return key[:400]


def contact_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> Contact:
    """A new contact, in a company of the organization or standing alone."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_same_organization(org, actor_membership)
    values = _contact_values(org=org, data=data)
    values.setdefault("owner", actor_membership.user)
    return _create_record(
        org=org,
        actor_membership=actor_membership,
        record=Contact(organization=org, **values),
        data=data,
        search_name=contact_search_name,
        exclude=["organization", "owner", "company"],
    )


def contact_update(
    *, org: Organization, actor_membership: Membership, contact: Contact, data: dict[str, Any]
) -> Contact:
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, contact)
    with transaction.atomic():
        locked = Contact.objects.select_for_update(of=("self",)).select_related("company").get(pk=contact.pk)
        values = _contact_values(org=org, data=data, current=locked)
        _apply_update(
            org=org,
            actor_membership=actor_membership,
            locked=locked,
            values=values,
            data=data,
            search_name=contact_search_name,
            exclude=["organization", "owner", "company"],
        )
    return locked


def contact_deactivate(*, org: Organization, actor_membership: Membership, contact: Contact) -> Contact:
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, contact)
    return _set_active(org=org, actor_membership=actor_membership, model=Contact, record=contact, active=False)


def contact_reactivate(*, org: Organization, actor_membership: Membership, contact: Contact) -> Contact:
    require_capability(actor_membership, Capability.CRM_EDIT)
    ensure_visible(org, actor_membership, contact)
    return _set_active(org=org, actor_membership=actor_membership, model=Contact, record=contact, active=True)
