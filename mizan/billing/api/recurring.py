"""/api/v1/billing/recurring-schedules/ and /api/v1/billing/invoice-emails/.

Recurring schedules: list (`?status=active|paused|finished`), create, read (with their lines and
the invoices generated), change (PATCH; `lines` replaces every line), delete, `pause/`, `resume/`
and `generate/` (every due period now). Invoice e-mails: the e-mails sent for invoices, by hand
or as automatic payment reminders (`?invoice=<id>`); POST sends an invoice by e-mail.

Thin: ids resolve inside the organization (another organization's id is a 404) and writes go
through mizan.billing.services.recurring and services.reminders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.api.invoices import LINE_OUTPUT_FIELDS, InvoiceLineInputSerializer
from mizan.billing.models import (
    DocumentLanguage,
    Invoice,
    PaymentReminder,
    PaymentTerm,
    RecurringLine,
    RecurringSchedule,
)
from mizan.billing.selectors.recurring import STATUS_FILTERS, recurring_schedule_list
from mizan.billing.services.recurring import (
    recurring_schedule_create,
    recurring_schedule_delete,
    recurring_schedule_generate_due,
    recurring_schedule_set_active,
    recurring_schedule_update,
    schedule_is_finished,
)
from mizan.billing.services.reminders import invoice_email_send
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.crm.models import Company, Contact

_VIEW = Capability.BILLING_VIEW
_EDIT = Capability.BILLING_EDIT
AMOUNT = {"max_digits": 20, "decimal_places": 3}


# --- Recurring schedules -----------------------------------------------------------------------------


class RecurringScheduleInputSerializer(serializers.Serializer):
    """On update only the fields sent change; `lines`, when sent, replaces every line."""

    name = serializers.CharField(max_length=200, required=False)
    company = serializers.IntegerField(required=False, help_text="The client (a CRM company id). Required to create.")
    contact = serializers.IntegerField(required=False, allow_null=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    frequency = serializers.ChoiceField(choices=RecurringSchedule.Frequency.choices, required=False)
    start_date = serializers.DateField(
        required=False, help_text="The first invoice date; the next ones keep its day of the month. Required to create."
    )
    end_date = serializers.DateField(required=False, allow_null=True, help_text="The last invoice date; null: open.")
    next_date = serializers.DateField(
        required=False, help_text="The next invoice date (default: the start date); move it forward to skip periods."
    )
    payment_term = serializers.IntegerField(
        required=False, allow_null=True, help_text="Left out: the default term; null: due on the invoice date."
    )
    auto_post = serializers.BooleanField(required=False, help_text="Post each invoice at once (else a draft).")
    discount_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    prices_include_tax = serializers.BooleanField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=DocumentLanguage.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    terms = serializers.CharField(required=False, allow_blank=True)
    lines = InvoiceLineInputSerializer(many=True, required=False)


class RecurringLineOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecurringLine
        fields = LINE_OUTPUT_FIELDS
        read_only_fields = fields


class GeneratedInvoiceOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", help_text="INV-2026-00042; drafts: INV-DRAFT-<id>.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "recurring_period",
            "issue_date",
            "due_date",
            "currency",
            "total",
            "amount_due",
        ]
        read_only_fields = fields


class RecurringScheduleOutputSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.display_name")
    is_finished = serializers.SerializerMethodField(help_text="Every period up to the last invoice date is billed.")
    invoice_count = serializers.IntegerField(help_text="How many invoices it generated.")

    class Meta:
        model = RecurringSchedule
        fields = [
            "id",
            "name",
            "company",
            "company_name",
            "contact",
            "currency",
            "frequency",
            "start_date",
            "end_date",
            "next_date",
            "payment_term",
            "auto_post",
            "is_active",
            "is_finished",
            "discount_percent",
            "prices_include_tax",
            "language",
            "net_total",
            "discount_total",
            "tax_total",
            "total",
            "invoice_count",
            "last_generated_at",
        ]
        read_only_fields = fields

    def get_is_finished(self, schedule: RecurringSchedule) -> bool:
        return schedule_is_finished(schedule)


class RecurringScheduleDetailOutputSerializer(RecurringScheduleOutputSerializer):
    notes = serializers.CharField()
    terms = serializers.CharField()
    lines = RecurringLineOutputSerializer(many=True)
    invoices = GeneratedInvoiceOutputSerializer(many=True, help_text="The invoices generated, latest period first.")

    class Meta(RecurringScheduleOutputSerializer.Meta):
        fields = [*RecurringScheduleOutputSerializer.Meta.fields, "notes", "terms", "lines", "invoices"]
        read_only_fields = fields


class GenerateOutputSerializer(serializers.Serializer):
    invoices = GeneratedInvoiceOutputSerializer(many=True, help_text="The invoices generated now.")
    schedule = RecurringScheduleDetailOutputSerializer()


def _detail_queryset(org: Any) -> QuerySet[RecurringSchedule]:
    return recurring_schedule_list(org=org).prefetch_related(
        Prefetch("lines", queryset=RecurringLine.objects.order_by("position", "pk")),
        Prefetch("invoices", queryset=Invoice.objects.order_by("-recurring_period", "-pk")),
    )


_DETAIL = {200: RecurringScheduleDetailOutputSerializer, **error_responses(400, 401, 403, 404)}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(STATUS_FILTERS), description="Only these schedules.")
        ],
        responses={200: RecurringScheduleOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: RecurringScheduleDetailOutputSerializer, **error_responses(401, 403, 404)}),
)
class RecurringScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Recurring invoices: each period's invoice is generated on its date by the background worker."""

    serializer_class = RecurringScheduleOutputSerializer
    queryset = RecurringSchedule.objects.none()
    filter_backends: list[Any] = []
    required_capability = _EDIT
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}

    def get_org_queryset(self) -> QuerySet[RecurringSchedule]:
        if self.action == "list":
            status_filter = self.request.query_params.get("status", "")
            if status_filter and status_filter not in STATUS_FILTERS:
                raise DomainError(
                    "billing.status_invalid",
                    _("Choose one of: {choices}.").format(choices=", ".join(STATUS_FILTERS)),
                    field="status",
                )
            return recurring_schedule_list(org=self.org, status=status_filter)
        return _detail_queryset(self.org)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RecurringScheduleOutputSerializer if self.action == "list" else RecurringScheduleDetailOutputSerializer

    def _detail(self, schedule: RecurringSchedule, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = _detail_queryset(self.org).get(pk=schedule.pk)
        return Response(RecurringScheduleDetailOutputSerializer(fresh).data, status=status_code)

    def _resolve(self, validated: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        data = {name: value for name, value in validated.items() if name != "lines"}
        for name, model in (("company", Company), ("contact", Contact), ("payment_term", PaymentTerm)):
            if data.get(name) is not None:
                data[name] = access_or_404(model, org=self.org, pk=data[name])
        if data.get("language") == "":
            data.pop("language")
        lines = [dict(line) for line in validated["lines"]] if "lines" in validated else None
        return data, lines

    @extend_schema(
        request=RecurringScheduleInputSerializer,
        responses={201: RecurringScheduleDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        serializer = RecurringScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        schedule = recurring_schedule_create(
            org=self.org, actor_membership=self.membership, data=data, lines=lines or []
        )
        return self._detail(schedule, status.HTTP_201_CREATED)

    @extend_schema(request=RecurringScheduleInputSerializer(partial=True), responses=_DETAIL)
    def partial_update(self, request: Request, pk: str) -> Response:
        schedule = self.get_object()
        serializer = RecurringScheduleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        recurring_schedule_update(
            org=self.org, actor_membership=self.membership, schedule=schedule, data=data, lines=lines
        )
        return self._detail(schedule)

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(401, 403, 404)},
        description="Delete the schedule; the invoices it generated stay.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        recurring_schedule_delete(org=self.org, actor_membership=self.membership, schedule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=_DETAIL, description="Stop generating invoices until resumed.")
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        schedule = recurring_schedule_set_active(
            org=self.org, actor_membership=self.membership, schedule=self.get_object(), is_active=False
        )
        return self._detail(schedule)

    @extend_schema(
        request=None,
        responses=_DETAIL,
        description="Generate again; periods missed while paused are caught up from the next date.",
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        schedule = recurring_schedule_set_active(
            org=self.org, actor_membership=self.membership, schedule=self.get_object(), is_active=True
        )
        return self._detail(schedule)

    @extend_schema(
        request=None,
        responses={200: GenerateOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Generate the invoice of every period due up to today now, one per period.",
    )
    @action(detail=True, methods=["post"])
    def generate(self, request: Request, pk: str) -> Response:
        schedule = self.get_object()
        invoices = recurring_schedule_generate_due(org=self.org, actor_membership=self.membership, schedule=schedule)
        fresh = _detail_queryset(self.org).get(pk=schedule.pk)
        body = {
            "invoices": GeneratedInvoiceOutputSerializer(invoices, many=True).data,
            "schedule": RecurringScheduleDetailOutputSerializer(fresh).data,
        }
        return Response(body)


# --- Invoice e-mails ------------------------------------------------------------------------------------


class InvoiceEmailInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="A posted invoice or credit note.")
    to = serializers.EmailField(
        required=False, allow_blank=True, help_text="Left out: the invoice's contact, else the client's address."
    )


class InvoiceEmailOutputSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.display_number")
    kind = serializers.SerializerMethodField(help_text="`invoice` (sent by hand) or `reminder` (automatic).")

    class Meta:
        model = PaymentReminder
        fields = ["id", "invoice", "invoice_number", "kind", "offset_days", "email_to", "sent_at", "sent_by"]
        read_only_fields = fields

    def get_kind(self, reminder: PaymentReminder) -> str:
        return "invoice" if reminder.offset_days is None else "reminder"


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("invoice", OpenApiTypes.INT, description="Only the e-mails of this invoice.")],
        responses={200: InvoiceEmailOutputSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
)
class InvoiceEmailViewSet(mixins.ListModelMixin, OrganizationViewSet):
    """The e-mails sent for invoices: by hand, and the automatic payment reminders (`offset_days`:
    days from the due date, negative before it)."""

    serializer_class = InvoiceEmailOutputSerializer
    queryset = PaymentReminder.objects.none()
    filter_backends: list[Any] = []
    required_capability = _EDIT
    action_capabilities = {"list": _VIEW}

    def get_org_queryset(self) -> QuerySet[PaymentReminder]:
        reminders = PaymentReminder.objects.filter(organization=self.org).select_related("invoice")
        invoice_id = self.request.query_params.get("invoice")
        if invoice_id:
            reminders = reminders.filter(invoice=access_or_404(Invoice, org=self.org, pk=invoice_id))
        return reminders.order_by("-sent_at", "-pk")

    @extend_schema(
        request=InvoiceEmailInputSerializer,
        responses={201: InvoiceEmailOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Send a posted invoice by e-mail in the client's language, PDF attached, with its public link.",
    )
    def create(self, request: Request) -> Response:
        serializer = InvoiceEmailInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = access_or_404(Invoice, org=self.org, pk=serializer.validated_data["invoice"])
        reminder = invoice_email_send(
            org=self.org,
            actor_membership=self.membership,
            invoice=invoice,
            to=serializer.validated_data.get("to") or None,
        )
        return Response(InvoiceEmailOutputSerializer(reminder).data, status=status.HTTP_201_CREATED)


def register(router: SimpleRouter) -> None:
    router.register("recurring-schedules", RecurringScheduleViewSet, basename="billing-recurring-schedule")
    router.register("invoice-emails", InvoiceEmailViewSet, basename="billing-invoice-email")
