"""Resolve ids from URLs and payloads inside one organization, and check capabilities.

Another organization's id answers 404 (never 403, which would confirm it exists).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from mizan.core.errors import PermissionDeniedError
from mizan.core.roles import Capability, role_has_capability

M = TypeVar("M", bound=models.Model)


def access_or_404(model_or_queryset: type[M] | models.QuerySet[M], *, org: Any, pk: Any, field: str = "pk") -> M:
    """The record with this id in `org`, or 404 whether it is missing or another tenant's."""
    queryset = model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    org_field = "pk" if queryset.model._meta.label == "core.Organization" else "organization"
    try:
        return queryset.get(**{org_field: org.pk, field: pk})
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None


def require_capability(membership: Any, capability: Capability | str) -> None:
    """Raise before any write when the member's role lacks the capability."""
    if membership is None or not membership.is_active or not role_has_capability(membership.role, capability):
        raise PermissionDeniedError(_("You do not have permission to do this."), capability=str(capability))


def has_capability(membership: Any, capability: Capability | str) -> bool:
    return membership is not None and membership.is_active and role_has_capability(membership.role, capability)
