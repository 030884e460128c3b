"""Reads of companies and contacts for pages, the API and search: visible, prefetched, paginated by callers.

Every queryset starts from `crm_visible`, so a sales member limited to their own records never
sees anyone else's, and runs a fixed number of queries however many rows a page shows.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from mizan.core.models import Membership, Organization, User
from mizan.crm.models import Company, Contact, Deal, Tag
from mizan.crm.selectors.visibility import crm_visible

#: Public ordering names -> model paths, shared by the list pages and the API (allow-list).
COMPANY_ORDERING = {
    "name": "search_name",
    "city": "city",
    "industry": "industry",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
CONTACT_ORDERING = {
    "name": "search_name",
    "company": "company__search_name",
    "email": "email",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def _tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


def company_list(*, org: Organization, membership: Membership, with_tags: bool = True) -> QuerySet[Company]:
    """The companies the member may see, with owner (and tags) loaded for a list row."""
    queryset = crm_visible(Company.objects.all(), org=org, membership=membership).select_related("owner")
    if with_tags:
        queryset = queryset.prefetch_related(_tags())
    return queryset.order_by("search_name", "pk")


def contact_list(*, org: Organization, membership: Membership, with_tags: bool = True) -> QuerySet[Contact]:
    queryset = crm_visible(Contact.objects.all(), org=org, membership=membership).select_related("company", "owner")
    if with_tags:
        queryset = queryset.prefetch_related(_tags())
    return queryset.order_by("search_name", "pk")


def company_contacts(*, org: Organization, membership: Membership, company: Company) -> QuerySet[Contact]:
    """The visible contacts of one company (active first) for its page."""
    return (
        contact_list(org=org, membership=membership, with_tags=False)
        .filter(company=company)
        .order_by("-is_active", "search_name", "pk")
    )


def client_deals(
    *, org: Organization, membership: Membership, company: Company | None = None, contact: Contact | None = None
) -> QuerySet[Deal]:
    """Deals of a company or contact the member may see, read-only on the client's page."""
    queryset = crm_visible(Deal.objects.all(), org=org, membership=membership).select_related(
        "stage", "pipeline", "owner"
    )
    if company is not None:
        queryset = queryset.filter(company=company)
    if contact is not None:
        queryset = queryset.filter(contacts=contact)
    return queryset.order_by("-created_at", "-pk")


def company_choices(*, org: Organization, membership: Membership, keep_pk: int | None = None) -> QuerySet[Company]:
    """Active companies for a picker (names only), plus `keep_pk`: the company the edited record
    already links, even if inactive or not the member's, so saving the form does not drop it."""
    queryset = crm_visible(Company.objects.filter(is_active=True), org=org, membership=membership)
    if keep_pk is not None:
        queryset = Company.objects.filter(organization=org).filter(Q(pk__in=queryset.values("pk")) | Q(pk=keep_pk))
    return queryset.only("id", "name_ar", "name_latin", "search_name").order_by("search_name", "pk")


def member_users(*, org: Organization) -> QuerySet[User]:
    """Active members, as users: who can own a record."""
    return User.objects.filter(memberships__organization=org, memberships__is_active=True).order_by(
        "full_name", "email"
    )


def tag_list(*, org: Organization) -> QuerySet[Tag]:
    return Tag.objects.filter(organization=org).order_by("name")
