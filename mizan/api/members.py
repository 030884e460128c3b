"""/api/v1/members/: the organization's members, their roles, and deactivation."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.models import Membership
from mizan.core.roles import Capability, Role
from mizan.core.selectors.organizations import membership_detail_queryset, membership_list
from mizan.core.services.organizations import membership_change_role, membership_deactivate


class MemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class MemberOutputSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role_label = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "full_name", "role", "role_label", "is_active", "created_at"]
        read_only_fields = fields

    def get_role_label(self, membership: Membership) -> str:
        return str(Role(membership.role).label)


class MemberInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_view(
    list=extend_schema(responses={200: MemberOutputSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: MemberOutputSerializer, **error_responses(401, 403, 404)}),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = MemberOutputSerializer
    queryset = Membership.objects.none()
    filterset_class = MemberFilter
    ordering_fields = {"email": "user__email", "full_name": "user__full_name", "created_at": "created_at"}
    ordering = ["user__email"]
    required_capability = Capability.MEMBERS_VIEW
    action_capabilities = {"partial_update": Capability.MEMBERS_MANAGE, "deactivate": Capability.MEMBERS_MANAGE}

    def get_org_queryset(self):  # type: ignore[no-untyped-def]
        if self.action == "list":
            return membership_list(org=self.org)
        return membership_detail_queryset(org=self.org)

    @extend_schema(
        request=MemberInputSerializer,
        responses={200: MemberOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Change the member's role (an organization always keeps an active owner).",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = membership_change_role(
            org=self.org,
            actor_membership=self.membership,
            membership=membership,
            role=serializer.validated_data["role"],
        )
        return Response(MemberOutputSerializer(updated).data)

    @extend_schema(
        request=None,
        responses={200: MemberOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Remove the member's access; their history stays.",
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        updated = membership_deactivate(org=self.org, actor_membership=self.membership, membership=membership)
        return Response(MemberOutputSerializer(updated).data)
