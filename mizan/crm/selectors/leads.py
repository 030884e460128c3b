"""Reads of leads and lead sources, always through the CRM visibility rule."""

from __future__ import annotations

from django.db.models import QuerySet

from mizan.core.models import Membership, Organization
from mizan.crm.models import Lead, LeadSource
from mizan.crm.selectors.visibility import crm_visible

LEAD_ORDERING = {
    "name": "search_name",
    "status": "status",
    "score": "score",
    "estimated_value": "estimated_value",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
LEAD_SOURCE_ORDERING = {"name_ar": "name_ar", "name_en": "name_en", "created_at": "created_at"}


def lead_list(*, org: Organization, membership: Membership) -> QuerySet[Lead]:
    """Leads the member may see, newest first, with source and owner loaded for a list row."""
    return (
        crm_visible(Lead.objects.all(), org=org, membership=membership)
        .select_related("source", "owner")
        .order_by("-created_at", "-pk")
    )


def lead_detail_queryset(*, org: Organization, membership: Membership) -> QuerySet[Lead]:
    return crm_visible(Lead.objects.all(), org=org, membership=membership).select_related(
        "source", "owner", "converted_company", "converted_contact", "converted_deal"
    )


def lead_source_list(*, org: Organization, active_only: bool = False) -> QuerySet[LeadSource]:
    queryset = LeadSource.objects.filter(organization=org)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("-is_active", "name_en", "name_ar", "pk")
