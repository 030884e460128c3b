"""Reads of API tokens, always inside one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from mizan.core.access import has_capability
from mizan.core.models import ApiToken, Membership, Organization
from mizan.core.roles import Capability


def api_token_list_for_member(*, org: Organization, membership: Membership) -> QuerySet[ApiToken]:
    """The member's own tokens in this organization, newest first."""
    return (
        ApiToken.objects.filter(organization=org, user_id=membership.user_id)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def api_token_list_manageable(*, org: Organization, membership: Membership) -> QuerySet[ApiToken]:
    """Tokens the member may see and revoke: their own, or everyone's for those who manage members."""
    if has_capability(membership, Capability.MEMBERS_MANAGE):
        return ApiToken.objects.filter(organization=org).select_related("user").order_by("-created_at", "-id")
    return api_token_list_for_member(org=org, membership=membership)
