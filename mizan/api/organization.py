"""/api/v1/organization/: the organization this request acts in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from mizan.api.base import OrganizationScopedMixin, error_responses
from mizan.core.models import Organization
from mizan.core.roles import Capability
from mizan.core.services.organizations import ORGANIZATION_SETTINGS_FIELDS, organization_update

#: What the API may change; the logo is uploaded on the settings page.
EDITABLE_FIELDS = [name for name in ORGANIZATION_SETTINGS_FIELDS if name != "logo"]


class OrganizationOutputSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    logo_url = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "country", *EDITABLE_FIELDS, "logo_url", "created_at"]
        read_only_fields = fields

    def get_name(self, org: Organization) -> str:
        return org.display_name()

    def get_logo_url(self, org: Organization) -> str | None:
        return org.logo.url if org.logo else None


class OrganizationInputSerializer(serializers.ModelSerializer):
    """Shape and types only; the rules (names, VAT number, two-factor) live in organization_update."""

    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}


class CurrentOrganizationViewSet(OrganizationScopedMixin, GenericViewSet):
    serializer_class = OrganizationOutputSerializer
    queryset = Organization.objects.none()
    pagination_class = None
    filter_backends: list[Any] = []
    action_capabilities = {"partial_update": Capability.ORGANIZATION_MANAGE}

    @extend_schema(
        operation_id="organization_retrieve", responses={200: OrganizationOutputSerializer, **error_responses(401, 403)}
    )
    def retrieve(self, request: Request) -> Response:
        return Response(OrganizationOutputSerializer(self.org).data)

    @extend_schema(
        operation_id="organization_partial_update",
        request=OrganizationInputSerializer,
        responses={200: OrganizationOutputSerializer, **error_responses(400, 401, 403)},
    )
    def partial_update(self, request: Request) -> Response:
        serializer = OrganizationInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        org = organization_update(org=self.org, actor_membership=self.membership, data=dict(serializer.validated_data))
        return Response(OrganizationOutputSerializer(org).data)
