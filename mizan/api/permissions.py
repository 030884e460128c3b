"""Who may call an endpoint: a signed-in member of the organization, with the action's capability.

Two-factor policy: when the organization requires two-factor sign-in, a member without it is
refused (403 `two_factor_required`) however they authenticate. That covers tokens too: a token
made before the organization turned the requirement on stops working until its owner enrols,
and starts again after, without having to be re-issued.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from mizan.core.access import has_capability
from mizan.core.services.two_factor import two_factor_required_but_missing


def request_membership(request: Request) -> Any:
    return getattr(request._request, "membership", None)


def _check_two_factor(request: Request) -> None:
    membership = request_membership(request)
    org = membership.organization if membership is not None else None
    if two_factor_required_but_missing(request.user, org):
        raise PermissionDenied(
            _("This organization requires two-factor sign-in. Turn it on in your profile first."),
            code="two_factor_required",
        )


class IsSignedIn(BasePermission):
    """Any signed-in user (their own profile), still under the organization's two-factor rule."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        _check_two_factor(request)
        return True


class IsOrganizationMember(BasePermission):
    """A signed-in, active member of the request's organization."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        membership = request_membership(request)
        if membership is None or not membership.is_active:
            raise PermissionDenied(_("You are not a member of any organization."), code="no_organization")
        _check_two_factor(request)
        return True


class HasActionCapability(BasePermission):
    """The capability the view declares for the current action (checked before any write)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        capability = view.get_required_capability() if hasattr(view, "get_required_capability") else None
        if capability is None or has_capability(request_membership(request), capability):
            return True
        raise PermissionDenied(_("You do not have permission to do this."), code="permission_denied")
