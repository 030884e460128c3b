"""Notifications: a short message for one member of one organization, shown in the bell.

A notification is the member's own inbox state, not a business record, so creating one or
marking it read writes no audit entry (the business write that caused it is audited).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.core.models import Membership, Notification

MESSAGE_MAX_LENGTH = 300


def notification_create(*, org: Any, user: Any, message: str, url: str = "") -> Notification:
    """Notify an active member; `url` must be a path inside Mizan (no open redirect)."""
    message = (message or "").strip()
    if not message:
        raise DomainError("message_required", _("A notification needs a message."), field="message")
    if url and not _is_internal_path(url):
        raise DomainError("invalid_url", _("A notification can only link to a page inside Mizan."), field="url")
    if not Membership.objects.filter(organization=org, user=user, is_active=True).exists():
        raise DomainError("not_a_member", _("This person is not a member of the organization."), field="user")
    with transaction.atomic():
        return Notification.objects.create(
            organization=org, user=user, message=message[:MESSAGE_MAX_LENGTH], url=url or ""
        )


def notification_mark_read(*, org: Any, user: Any, notification: Notification) -> Notification:
    """Mark one of the member's own notifications read (already read: unchanged)."""
    if notification.organization_id != org.pk or notification.user_id != user.pk:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if updated:
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, org: Any, user: Any) -> int:
    """Mark every unread notification of the member in this organization read; returns how many."""
    with transaction.atomic():
        return Notification.objects.filter(organization=org, user=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )


def _is_internal_path(url: str) -> bool:
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
