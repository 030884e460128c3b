"""Small checks every ledger service shares."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mizan.core.errors import DomainError


def require_same_org(instance: Any, org: Any, *, field: str | None = None) -> None:
    """A record handed to a service must belong to `org` (else it does not exist, for this caller)."""
    if instance is not None and getattr(instance, "organization_id", None) != org.pk:
        raise DomainError("not_found", _("Not found."), field=field)


def require_member_of(actor_membership: Any, org: Any) -> None:
    if actor_membership is None or actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))


def actor_of(actor_membership: Any) -> Any:
    return getattr(actor_membership, "user", None)
