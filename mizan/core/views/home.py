from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mizan.core.access import has_capability
from mizan.core.roles import Capability
from mizan.core.selectors.dashboard import (
    member_counts_by_role,
    pending_invitation_count,
    recent_audit_entries,
    unread_notifications,
)
from mizan.core.views.base import org_view


@org_view()
def home(request: HttpRequest) -> HttpResponse:
    """The organization at a glance: its settings, its people, your notifications, recent changes."""
    org, membership = request.org, request.membership
    role_counts = member_counts_by_role(org=org)
    context = {
        "today": org.today(),
        "role_counts": role_counts,
        "member_total": sum(row.count for row in role_counts),
        "notifications": unread_notifications(org=org, user=request.user),
        "pending_invitations": (
            pending_invitation_count(org=org, now=timezone.now())
            if has_capability(membership, Capability.MEMBERS_MANAGE)
            else None
        ),
        "audit_entries": (recent_audit_entries(org=org) if has_capability(membership, Capability.AUDIT_VIEW) else None),
    }
    return render(request, "core/home.html", context)
