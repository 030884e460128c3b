"""Reads about organizations, members and invitations (always scoped to one organization)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from mizan.core.models import Invitation, Membership, Organization


def membership_for_request(user: Any, organization_id: Any) -> Membership | None:
    """The active membership the session points at, else the user's last or first one."""
    if user is None or not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization")
    preferred = organization_id or user.last_organization_id
    if preferred:
        try:
            membership = memberships.filter(organization_id=preferred).first()
        except (ValueError, TypeError):
            membership = None
        if membership is not None:
            return membership
    return memberships.order_by("created_at", "id").first()


def organization_list_for_user(*, user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user, memberships__is_active=True).order_by("name_en", "id")


def membership_list(*, org: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=org).select_related("user").order_by("user__email")


def membership_active_list(*, org: Organization) -> QuerySet[Membership]:
    """Active members for the members page, owners first, then by name."""
    return (
        Membership.objects.filter(organization=org, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email", "id")
    )


def membership_detail_queryset(*, org: Organization) -> QuerySet[Membership]:
    """What `access_or_404` resolves a member id against (inactive members included)."""
    return Membership.objects.filter(organization=org).select_related("user")


def invitation_pending_list(*, org: Organization) -> QuerySet[Invitation]:
    """Invitations of `org` that can still be accepted, newest first."""
    return (
        Invitation.objects.filter(
            organization=org, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_for_token(*, raw_token: str) -> Invitation | None:
    """The invitation a link points at, whatever its state (the caller explains why it is unusable)."""
    token_hash = hashlib.sha256((raw_token or "").encode()).hexdigest()
    return Invitation.objects.select_related("organization", "invited_by").filter(token_hash=token_hash).first()
