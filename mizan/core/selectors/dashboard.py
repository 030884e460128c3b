"""Reads for the home page: the organization at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from mizan.core.models import AuditEntry, Invitation, Membership
from mizan.core.roles import Role
from mizan.core.selectors.audit import audit_log_entries, with_display_changes
from mizan.core.selectors.notifications import notification_list


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    count: int


def member_counts_by_role(*, org: Any) -> list[RoleCount]:
    """Active members per role, in the roles' own order, roles without members left out."""
    counts = dict(
        Membership.objects.filter(organization=org, is_active=True)
        .order_by()
        .values("role")
        .annotate(total=Count("id"))
        .values_list("role", "total")
    )
    return [RoleCount(role=role.value, label=str(role.label), count=counts[role]) for role in Role if counts.get(role)]


def pending_invitation_count(*, org: Any, now: Any) -> int:
    return Invitation.objects.filter(
        organization=org, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()


def recent_audit_entries(*, org: Any, limit: int = 8) -> list[AuditEntry]:
    return with_display_changes(audit_log_entries(org=org)[:limit])


def unread_notifications(*, org: Any, user: Any, limit: int = 5) -> list[Any]:
    return list(notification_list(org=org, user=user, unread_only=True)[:limit])
