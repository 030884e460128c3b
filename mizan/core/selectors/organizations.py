from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mizan.core.models import Membership, Organization


def membership_for_request(user: Any, organization_id: Any) -> Membership | None:
    """The active membership the session points at, else the user's last or first one."""
    if user is None or not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization")
    preferred = organization_id or user.last_organization_id
    if preferred:
        membership = memberships.filter(organization_id=preferred).first()
        if membership is not None:
            return membership
    return memberships.order_by("created_at", "id").first()


def organization_list_for_user(*, user: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user, memberships__is_active=True).order_by("name_en", "id")


def membership_list(*, org: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
