"""/api/v1/me/: the signed-in user's profile and the organizations they belong to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from mizan.api.base import OrganizationScopedMixin, error_responses
from mizan.api.permissions import IsSignedIn
from mizan.core.models import Membership, User
from mizan.core.roles import Role
from mizan.core.services.accounts import user_profile_update


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language"]
        read_only_fields = fields


class UserInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class UserMembershipOutputSerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField(read_only=True)
    organization_name = serializers.SerializerMethodField()
    role_label = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "organization_id", "organization_name", "role", "role_label", "is_current", "created_at"]
        read_only_fields = fields

    def get_organization_name(self, membership: Membership) -> str:
        return membership.organization.display_name()

    def get_role_label(self, membership: Membership) -> str:
        return str(Role(membership.role).label)

    def get_is_current(self, membership: Membership) -> bool:
        return membership.organization_id == self.context.get("current_organization_id")


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships, with their organizations, in joining order."""
    return (
        Membership.objects.filter(user=user, is_active=True).select_related("organization").order_by("created_at", "id")
    )


class MeViewSet(OrganizationScopedMixin, GenericViewSet):
    """Your own profile: any signed-in user may read and change it."""

    permission_classes = [IsSignedIn]
    serializer_class = UserOutputSerializer
    queryset = User.objects.none()
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(operation_id="me_retrieve", responses={200: UserOutputSerializer, **error_responses(401, 403)})
    def retrieve(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        request=UserInputSerializer,
        responses={200: UserOutputSerializer, **error_responses(400, 401, 403)},
    )
    def partial_update(self, request: Request) -> Response:
        serializer = UserInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = request.user
        user = user_profile_update(
            user=user,
            full_name=serializer.validated_data.get("full_name", user.full_name),
            language=serializer.validated_data.get("language", user.language),
        )
        return Response(UserOutputSerializer(user).data)


class MyOrganizationViewSet(OrganizationScopedMixin, GenericViewSet):
    """The organizations you belong to; `is_current` marks the one this request acts in."""

    permission_classes = [IsSignedIn]
    serializer_class = UserMembershipOutputSerializer
    queryset = Membership.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return memberships_of_user(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        membership = getattr(self.request._request, "membership", None)
        return {
            **super().get_serializer_context(),
            "current_organization_id": getattr(membership, "organization_id", None),
        }

    @extend_schema(operation_id="me_organizations_list", responses={200: UserMembershipOutputSerializer(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)
