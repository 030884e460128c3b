"""Saved list views a member may apply: their own and the ones shared with the team."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mizan.core.models import Membership, Organization
from mizan.crm.models import SavedView


def saved_views_for(*, org: Organization, membership: Membership, list_name: str) -> QuerySet[SavedView]:
    return (
        SavedView.objects.filter(organization=org, list_name=list_name)
        .filter(Q(owner_id=membership.user_id) | Q(is_shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_views_owned(*, org: Organization, membership: Membership) -> QuerySet[SavedView]:
    """The views this member may delete."""
    return SavedView.objects.filter(organization=org, owner_id=membership.user_id)
