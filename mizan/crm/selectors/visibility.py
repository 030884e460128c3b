"""Who sees which CRM records: one rule, used by every CRM selector, view and API endpoint."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from mizan.core.access import access_or_404, has_capability
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability

M = TypeVar("M", bound=Model)


def sees_all_crm_records(*, org: Organization, membership: Membership) -> bool:
    """Managers and admins always do; sales members only when the organization shares records."""
    if has_capability(membership, Capability.CRM_VIEW_ALL):
        return True
    return org.sales_visibility == Organization.SalesVisibility.ALL


def crm_visible(
    queryset: QuerySet[M], *, org: Organization, membership: Membership, owner_field: str = "owner"
) -> QuerySet[M]:
    """The organization's records this member may see (their own when visibility is "own")."""
    scoped = queryset.filter(organization=org)
    if sees_all_crm_records(org=org, membership=membership):
        return scoped
    return scoped.filter(**{owner_field: membership.user_id})


def crm_visible_or_404(queryset: QuerySet[M], *, org: Organization, membership: Membership, pk: Any) -> M:
    """Like access_or_404, but a record hidden by the visibility rule is also a 404."""
    return access_or_404(crm_visible(queryset, org=org, membership=membership), org=org, pk=pk)
