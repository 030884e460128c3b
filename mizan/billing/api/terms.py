"""/api/v1/billing/payment-terms/: the same services and selector as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.models import PaymentTerm
from mizan.billing.selectors.terms import payment_term_list
from mizan.billing.services.terms import (
    MAX_DAYS,
    payment_term_create,
    payment_term_set_active,
    payment_term_set_default,
    payment_term_update,
)
from mizan.core.roles import Capability

_VIEW = Capability.BILLING_VIEW
_MANAGE = Capability.BILLING_MANAGE_TAXES


class PaymentTermOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = PaymentTerm
        fields = ["id", "display_name", "name_ar", "name_en", "days", "is_default", "is_active"]
        read_only_fields = fields


class PaymentTermInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS)
    is_default = serializers.BooleanField(
        required=False, help_text="Make it the default of new invoices (the previous default stops being one)."
    )
    is_active = serializers.BooleanField(required=False)


_ACTION_RESPONSES = {200: PaymentTermOutputSerializer, **error_responses(400, 401, 403, 404)}


@extend_schema_view(
    list=extend_schema(responses={200: PaymentTermOutputSerializer(many=True), **error_responses(401, 403)}),
    retrieve=extend_schema(responses={200: PaymentTermOutputSerializer, **error_responses(401, 403, 404)}),
)
class PaymentTermViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Payment terms: days after the invoice date; one of them is the default of new invoices."""

    serializer_class = PaymentTermOutputSerializer
    queryset = PaymentTerm.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[PaymentTerm]:
        return payment_term_list(org=self.org)

    @extend_schema(
        request=PaymentTermInputSerializer,
        responses={201: PaymentTermOutputSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        serializer = PaymentTermInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        term = payment_term_create(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(PaymentTermOutputSerializer(term).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PaymentTermInputSerializer(partial=True), responses=_ACTION_RESPONSES)
    def partial_update(self, request: Request, pk: str) -> Response:
        term = self.get_object()
        serializer = PaymentTermInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        term = payment_term_update(
            org=self.org, actor_membership=self.membership, term=term, data=serializer.validated_data
        )
        return Response(PaymentTermOutputSerializer(term).data)

    @extend_schema(request=None, responses=_ACTION_RESPONSES, description="Make it the default of new invoices.")
    @action(detail=True, methods=["post"], url_path="make-default")
    def make_default(self, request: Request, pk: str) -> Response:
        term = payment_term_set_default(org=self.org, actor_membership=self.membership, term=self.get_object())
        return Response(PaymentTermOutputSerializer(term).data)

    @extend_schema(request=None, responses=_ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        term = payment_term_set_active(
            org=self.org, actor_membership=self.membership, term=self.get_object(), is_active=False
        )
        return Response(PaymentTermOutputSerializer(term).data)

    @extend_schema(request=None, responses=_ACTION_RESPONSES)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        term = payment_term_set_active(
            org=self.org, actor_membership=self.membership, term=self.get_object(), is_active=True
        )
        return Response(PaymentTermOutputSerializer(term).data)


def register(router: SimpleRouter) -> None:
    router.register("payment-terms", PaymentTermViewSet, basename="billing-payment-term")
