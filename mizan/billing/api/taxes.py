"""/api/v1/billing/: taxes and the organization's billing settings. Thin: same selectors and services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import GenericViewSet

from mizan.api.base import OrganizationScopedMixin, OrganizationViewSet, error_responses
from mizan.billing.models import BillingSettings, Tax, TaxKind, VatExemptionReason
from mizan.billing.selectors.taxes import tax_list
from mizan.billing.services.taxes import (
    billing_settings_for,
    billing_settings_update,
    tax_create,
    tax_set_active,
    tax_update,
)
from mizan.core.access import access_or_404
from mizan.core.roles import Capability
from mizan.ledger.models import Account

_VIEW = Capability.BILLING_VIEW
_MANAGE = Capability.BILLING_MANAGE_TAXES


class TaxOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    account_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tax
        fields = [
            "id",
            "display_name",
            "name_ar",
            "name_en",
            "rate",
            "kind",
            "exemption_reason_code",
            "exemption_reason",
            "account_id",
            "valid_from",
            "valid_to",
            "is_active",
        ]
        read_only_fields = fields


class TaxInputSerializer(serializers.Serializer):
    name_ar = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, min_value=0, max_value=100)
    kind = serializers.ChoiceField(choices=TaxKind.choices)
    exemption_reason_code = serializers.ChoiceField(
        choices=VatExemptionReason.choices, required=False, allow_blank=True
    )
    exemption_reason = serializers.CharField(max_length=250, required=False, allow_blank=True)
    account_id = serializers.IntegerField(required=False, allow_null=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)


def _tax_data(org: Any, validated: dict[str, Any]) -> dict[str, Any]:
    data = dict(validated)
    if "account_id" in data:
        pk = data.pop("account_id")
        data["account"] = None if pk is None else access_or_404(Account, org=org, pk=pk)
    return data


@extend_schema_view(
    list=extend_schema(responses={200: TaxOutputSerializer(many=True)}),
    retrieve=extend_schema(responses={200: TaxOutputSerializer, **error_responses(401, 403, 404)}),
)
class TaxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = TaxOutputSerializer
    queryset = Tax.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[Tax]:
        return tax_list(org=self.org)

    @extend_schema(request=TaxInputSerializer, responses={201: TaxOutputSerializer, **error_responses(400, 403)})
    def create(self, request: Request) -> Response:
        serializer = TaxInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tax = tax_create(
            org=self.org, actor_membership=self.membership, data=_tax_data(self.org, serializer.validated_data)
        )
        return Response(TaxOutputSerializer(tax).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TaxInputSerializer(partial=True), responses={200: TaxOutputSerializer, **error_responses(400, 403, 404)}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        tax = self.get_object()
        serializer = TaxInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tax = tax_update(
            org=self.org,
            actor_membership=self.membership,
            tax=tax,
            data=_tax_data(self.org, serializer.validated_data),
        )
        return Response(TaxOutputSerializer(tax).data)

    @extend_schema(request=None, responses={200: TaxOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        tax = tax_set_active(org=self.org, actor_membership=self.membership, tax=self.get_object(), is_active=False)
        return Response(TaxOutputSerializer(tax).data)

    @extend_schema(request=None, responses={200: TaxOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        tax = tax_set_active(org=self.org, actor_membership=self.membership, tax=self.get_object(), is_active=True)
        return Response(TaxOutputSerializer(tax).data)


class BillingSettingsSerializer(serializers.ModelSerializer):
    """The organization's billing options. Series and reminder days are checked by the service:
    a series is 1-10 capital letters or digits (numbering runs per series name and fiscal year, so
    renaming starts a new run at 1); reminder days are comma-separated integers from -60 to 365,
    returned sorted."""

    class Meta:
        model = BillingSettings
        fields = [
            "prices_include_tax",
            "rounding",
            "address_ar",
            "address_en",
            "commercial_registration",
            "invoice_series",
            "credit_note_series",
            "document_language",
            "default_terms",
            "quote_validity_days",
            "reminders_enabled",
            "reminder_offsets",
        ]


class BillingSettingsViewSet(OrganizationScopedMixin, GenericViewSet):
    serializer_class = BillingSettingsSerializer
    queryset = BillingSettings.objects.none()
    action_capabilities = {"retrieve": _VIEW}
    required_capability = _MANAGE

    @extend_schema(responses={200: BillingSettingsSerializer, **error_responses(401, 403)})
    def retrieve(self, request: Request) -> Response:
        return Response(BillingSettingsSerializer(billing_settings_for(self.org)).data)

    @extend_schema(
        request=BillingSettingsSerializer(partial=True),
        responses={200: BillingSettingsSerializer, **error_responses(400, 403)},
    )
    def partial_update(self, request: Request) -> Response:
        serializer = BillingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = billing_settings_update(org=self.org, actor_membership=self.membership, data=serializer.validated_data)
        return Response(BillingSettingsSerializer(row).data)


def register(router: SimpleRouter) -> None:
    router.register("taxes", TaxViewSet, basename="billing-tax")
