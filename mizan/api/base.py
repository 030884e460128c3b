"""The base every organization endpoint shares: its organization, its member, a capability per
action checked before the handler runs, and ids resolved inside the organization (else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from mizan.api.permissions import HasActionCapability, IsOrganizationMember
from mizan.core.access import access_or_404
from mizan.core.models import Membership, Organization


class ErrorItemOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`, `permission_denied`.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, or null.")


class ErrorOutputSerializer(ErrorItemOutputSerializer):
    errors = ErrorItemOutputSerializer(
        many=True, required=False, help_text="Every validation error (the first one is repeated above)."
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer with."""
    return {code: OpenApiResponse(ErrorOutputSerializer) for code in statuses}


class OrganizationScopedMixin:
    """Gives `self.org` and `self.membership`; `required_capability` (or `action_capabilities`
    per action) is checked by `HasActionCapability` before any handler code runs."""

    permission_classes = [IsOrganizationMember, HasActionCapability]
    required_capability: str | None = None
    action_capabilities: dict[str, str | None] = {}
    request: Request
    kwargs: dict[str, Any]

    @property
    def org(self) -> Organization:
        return self.request._request.org

    @property
    def membership(self) -> Membership:
        return self.request._request.membership

    def get_required_capability(self) -> str | None:
        action = getattr(self, "action", None) or self.request.method.lower()
        return self.action_capabilities.get(action, self.required_capability)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response.headers["Content-Language"] = translation.get_language()
        return response


class OrganizationViewSet(OrganizationScopedMixin, GenericViewSet):
    """Subclasses set `queryset = Model.objects.none()` (for the schema) and implement
    `get_org_queryset()`; `get_object()` goes through access_or_404."""

    def get_org_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organization
            return self.queryset
        return self.get_org_queryset()

    def get_object(self) -> Model:
        lookup = self.lookup_url_kwarg or self.lookup_field
        obj = access_or_404(self.get_queryset(), org=self.org, pk=self.kwargs[lookup])
        self.check_object_permissions(self.request, obj)
        return obj
