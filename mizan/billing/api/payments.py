"""/api/v1/billing/payments/: payments received and refunds; record one (with an `Idempotency-Key`
header a retried request records it once), apply its credit to an invoice, refund it.

Thin: ids are resolved inside the organization (another organization's id is a 404), the rules
are the services', the reads the selectors'.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.forms.payments import PaymentFilterSet
from mizan.billing.models import Allocation, Invoice, Payment, PaymentMethod
from mizan.billing.selectors.payments import payment_list
from mizan.billing.services.payments import IDEMPOTENCY_KEY_MAX, allocation_create, payment_record, refund_create
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.roles import Capability
from mizan.crm.models import Company
from mizan.ledger.models import Account

IDEMPOTENCY_HEADER = "Idempotency-Key"


class PaymentAllocationOutputSerializer(serializers.ModelSerializer):
    invoice_number = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "invoice", "invoice_number", "payment", "credit_note", "amount", "date", "fx_entry"]
        read_only_fields = fields

    def get_invoice_number(self, allocation: Allocation) -> str:
        return allocation.invoice.display_number


class PaymentOutputSerializer(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    company_name = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)
    amount_used = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)
    unallocated = serializers.DecimalField(
        max_digits=20, decimal_places=3, read_only=True, help_text="The client's credit left from this payment."
    )
    allocations = PaymentAllocationOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "direction",
            "number",
            "display_number",
            "company",
            "company_name",
            "date",
            "amount",
            "currency",
            "exchange_rate",
            "account",
            "method",
            "reference",
            "notes",
            "amount_used",
            "unallocated",
            "refund_of_payment",
            "refund_of_credit_note",
            "journal_entry",
            "allocations",
            "created_at",
        ]
        read_only_fields = fields

    def get_company_name(self, payment: Payment) -> str:
        return str(payment.company)


class AllocationInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="An open invoice of the same client and currency.")
    amount = serializers.DecimalField(max_digits=20, decimal_places=3)


class PaymentInputSerializer(serializers.Serializer):
    company = serializers.IntegerField(help_text="The client's id.")
    date = serializers.DateField(required=False, help_text="Default: today.")
    amount = serializers.DecimalField(max_digits=20, decimal_places=3)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False, help_text="Default: base currency.")
    account = serializers.IntegerField(help_text="An active ledger account with the role bank or cash.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    allocations = AllocationInputSerializer(
        many=True, required=False, help_text="Invoices it settles; what is not allocated is the client's credit."
    )


class ApplyCreditInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="An open invoice of the payment's client and currency.")
    amount = serializers.DecimalField(max_digits=20, decimal_places=3)
    date = serializers.DateField(required=False, help_text="Default: today.")


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=3)
    date = serializers.DateField(required=False, help_text="Default: today.")
    account = serializers.IntegerField(help_text="The bank or cash account paying it back.")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"A key of at most {IDEMPOTENCY_KEY_MAX} characters, unique per payment (e.g. a UUID). A retried "
        "request with the same key records nothing and answers 200 with the payment first recorded; the same "
        "key with other details answers 400 (`billing.idempotency_key_reused`)."
    ),
)


def _invoice_or_404(view: OrganizationViewSet, pk: int) -> Invoice:
    return access_or_404(Invoice, org=view.org, pk=pk)


@extend_schema_view(
    list=extend_schema(responses={200: PaymentOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: PaymentOutputSerializer, **error_responses(401, 403, 404)}),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Payments received and refunds paid, newest first, with their allocations."""

    serializer_class = PaymentOutputSerializer
    queryset = Payment.objects.none()
    filterset_class = PaymentFilterSet
    ordering_fields = {"date": "date", "number": "number", "amount": "amount"}
    ordering = ["-date", "-number", "-pk"]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {
        "create": Capability.BILLING_EDIT,
        "allocations": Capability.BILLING_EDIT,
        "refunds": Capability.BILLING_EDIT,
    }

    def get_org_queryset(self) -> QuerySet[Payment]:
        return payment_list(org=self.org).prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.select_related("invoice").order_by("date", "pk"))
        )

    def _fresh(self, pk: int) -> Payment:
        return self.get_org_queryset().get(pk=pk)

    @extend_schema(
        request=PaymentInputSerializer,
        parameters=[_IDEMPOTENCY_PARAMETER],
        responses={
            201: PaymentOutputSerializer,
            200: OpenApiResponse(PaymentOutputSerializer, description="Replayed: the payment recorded with this key."),
            **error_responses(400, 401, 403, 404),
        },
        description="Record a payment received and allocate it to invoices of the same client and currency.",
    )
    def create(self, request: Request) -> Response:
        serializer = PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        allocations = [
            {"invoice": _invoice_or_404(self, row["invoice"]), "amount": row["amount"]}
            for row in data.pop("allocations", [])
        ]
        data["company"] = access_or_404(Company, org=self.org, pk=data["company"])
        data["account"] = access_or_404(Account, org=self.org, pk=data["account"])
        payment = payment_record(
            org=self.org,
            actor_membership=self.membership,
            data=data,
            allocations=allocations,
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
        )
        replayed = getattr(payment, "replayed", False)
        return Response(
            PaymentOutputSerializer(self._fresh(payment.pk)).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ApplyCreditInputSerializer,
        responses={201: PaymentAllocationOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Apply the payment's unallocated amount (client credit) to an open invoice.",
    )
    @action(detail=True, methods=["post"])
    def allocations(self, request: Request, pk: str) -> Response:
        payment = self.get_object()
        serializer = ApplyCreditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocation = allocation_create(
            org=self.org,
            actor_membership=self.membership,
            source=payment,
            invoice=_invoice_or_404(self, data["invoice"]),
            amount=data["amount"],
            date=data.get("date"),
        )
        return Response(PaymentAllocationOutputSerializer(allocation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RefundInputSerializer,
        responses={201: PaymentOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Pay back the payment's unallocated amount (or part of it); answers the refund.",
    )
    @action(detail=True, methods=["post"])
    def refunds(self, request: Request, pk: str) -> Response:
        payment = self.get_object()
        serializer = RefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        refund = refund_create(
            org=self.org,
            actor_membership=self.membership,
            source=payment,
            amount=data["amount"],
            date=data.get("date"),
            account=access_or_404(Account, org=self.org, pk=data["account"]),
            method=data.get("method", PaymentMethod.BANK_TRANSFER),
            reference=data.get("reference", ""),
            notes=data.get("notes", ""),
        )
        return Response(PaymentOutputSerializer(self._fresh(refund.pk)).data, status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register("payments", PaymentViewSet, basename="billing-payment")
