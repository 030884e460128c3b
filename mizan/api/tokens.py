"""/api/v1/tokens/: personal API tokens (the raw token is in the create response, once)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.models import ApiToken
from mizan.core.roles import Capability
from mizan.core.selectors.api_tokens import api_token_list_manageable
from mizan.core.services.api_tokens import NAME_MAX_LENGTH, api_token_create, api_token_revoke


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user_email", "is_active", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    token = serializers.SerializerMethodField(help_text="The raw token. Shown once: store it now.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "token"]
        read_only_fields = fields

    def get_token(self, token: ApiToken) -> str:
        return self.context["raw_token"]


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)


@extend_schema_view(
    list=extend_schema(
        description="Your tokens in this organization (owners and admins see everyone's).",
        responses={200: ApiTokenOutputSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, OrganizationViewSet):
    serializer_class = ApiTokenOutputSerializer
    queryset = ApiToken.objects.none()
    required_capability = Capability.API_TOKENS_USE
    ordering_fields = ["created_at", "last_used_at", "name"]

    def get_org_queryset(self) -> Any:
        return api_token_list_manageable(org=self.org, membership=self.membership)

    @extend_schema(
        request=ApiTokenInputSerializer,
        responses={201: ApiTokenCreatedOutputSerializer, **error_responses(400, 401, 403)},
        description="Create a token bound to this organization. The response holds the raw token, once.",
    )
    def create(self, request: Request) -> Response:
        serializer = ApiTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw_token = api_token_create(
            org=self.org, membership=self.membership, name=serializer.validated_data["name"]
        )
        body = ApiTokenCreatedOutputSerializer(token, context={"raw_token": raw_token}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, responses={200: ApiTokenOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        token = api_token_revoke(org=self.org, membership=self.membership, token=self.get_object())
        return Response(ApiTokenOutputSerializer(token).data)
