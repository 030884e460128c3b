"""/api/v1/invitations/: pending invitations; create (the link goes by e-mail only) and revoke."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.models import Invitation
from mizan.core.roles import Capability, Role
from mizan.core.selectors.organizations import invitation_pending_list
from mizan.core.services.invitations import invitation_create, invitation_revoke


class InvitationOutputSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    invited_by_email = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by_email", "created_at", "expires_at", "revoked_at"]
        read_only_fields = fields

    def get_status(self, invitation: Invitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        if invitation.revoked_at is not None:
            return "revoked"
        return "pending" if invitation.is_pending() else "expired"

    def get_invited_by_email(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.email if invitation.invited_by else None


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_view(
    list=extend_schema(
        description="Invitations that can still be accepted, newest first.",
        responses={200: InvitationOutputSerializer(many=True), **error_responses(401, 403, 404)},
    ),
)
class InvitationViewSet(mixins.ListModelMixin, OrganizationViewSet):
    serializer_class = InvitationOutputSerializer
    queryset = Invitation.objects.none()
    required_capability = Capability.MEMBERS_MANAGE
    ordering_fields = ["created_at", "email", "expires_at"]

    def get_org_queryset(self) -> Any:
        if self.action == "list":
            return invitation_pending_list(org=self.org)
        return Invitation.objects.filter(organization=self.org).select_related("invited_by")

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer, **error_responses(400, 401, 403)},
        description="Invite someone by e-mail. The invitation link is e-mailed to them and never returned here.",
    )
    def create(self, request: Request) -> Response:
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _raw_token = invitation_create(
            org=self.org,
            actor_membership=self.membership,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InvitationOutputSerializer, **error_responses(400, 401, 403, 404)})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        invitation = invitation_revoke(org=self.org, actor_membership=self.membership, invitation=self.get_object())
        return Response(InvitationOutputSerializer(invitation).data)
