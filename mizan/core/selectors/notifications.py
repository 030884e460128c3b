"""Reads of one member's notifications inside one organization."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mizan.core.models import Notification


def notification_list(*, org: Any, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The member's notifications in this organization, newest first."""
    notifications = Notification.objects.filter(organization=org, user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, org: Any, user: Any) -> int:
    return Notification.objects.filter(organization=org, user=user, read_at__isnull=True).count()
