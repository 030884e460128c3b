"""/api/v1/billing/invoices/ and /clients/{company_id}/account/.

One collection for invoices and credit notes, like the list page: `?kind=invoice` or
`?kind=credit_note` splits them, and every filter of the page applies (one FilterSet,
mizan.billing.filters.InvoiceFilterSet). POST invoices/ creates an invoice draft; a credit note is
created from its invoice (`POST invoices/{id}/credit-notes/`, a draft, the lines given or all of
them) or by cancelling the invoice (`POST invoices/{id}/cancel/`, a full credit note posted at
once). Drafts of either kind are edited (PATCH), deleted (DELETE) and posted (`POST .../post/`);
posted documents are immutable. `pdf/` and `xml/` download the documents.

Thin: ids resolve inside the organization (another organization's id is a 404), writes go
through mizan.billing.services.invoices, and broken rules come back in the API error format.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.filters import InvoiceFilterSet
from mizan.billing.models import Allocation, DocumentLanguage, Invoice, InvoiceLine, PaymentTerm
from mizan.billing.selectors.clients import CurrencyFigures, client_account_figures, client_company_or_404
from mizan.billing.selectors.invoices import invoice_detail_queryset, invoice_list, invoice_tax_breakdown
from mizan.billing.services.invoices import (
    credit_note_create,
    invoice_cancel,
    invoice_create,
    invoice_delete,
    invoice_post,
    invoice_update,
)
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.crm.models import Company, Contact, Deal
from mizan.ledger.models import AnalyticAccount

_VIEW = Capability.BILLING_VIEW
_EDIT = Capability.BILLING_EDIT
AMOUNT = {"max_digits": 20, "decimal_places": 3}

#: Public ordering names of both lists (an allow-list).
INVOICE_ORDERING = {
    "issue_date": "issue_date",
    "due_date": "due_date",
    "number": "number",
    "total": "total",
    "amount_due": "amount_due",
    "created_at": "created_at",
}


# --- serializers -------------------------------------------------------------------------------


class InvoiceLineInputSerializer(serializers.Serializer):
    """A line; a product fills what is left out (its name, unit, price in the currency, account, tax)."""

    product = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, required=False)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True)
    unit_price = serializers.DecimalField(**AMOUNT, required=False)
    discount_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    tax = serializers.IntegerField(
        required=False, allow_null=True, help_text="A tax id; null for no tax; left out: the product's default tax."
    )
    income_account = serializers.IntegerField(required=False, allow_null=True)


class InvoiceInputSerializer(serializers.Serializer):
    """Header fields and lines of a draft. On update only the fields sent change; `lines`, when
    sent, replaces every line."""

    company = serializers.IntegerField(required=False, help_text="The client (a CRM company id). Required to create.")
    contact = serializers.IntegerField(required=False, allow_null=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    issue_date = serializers.DateField(required=False, help_text="Default: today.")
    due_date = serializers.DateField(required=False, allow_null=True, help_text="Default: from the payment terms.")
    payment_term = serializers.IntegerField(required=False, allow_null=True)
    discount_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    prices_include_tax = serializers.BooleanField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=DocumentLanguage.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    terms = serializers.CharField(required=False, allow_blank=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    saudi_type = serializers.ChoiceField(choices=Invoice.SaudiType.choices, required=False, allow_blank=True)
    exchange_rate = serializers.DecimalField(
        max_digits=20, decimal_places=8, required=False, allow_null=True, help_text="Default: the rate of the date."
    )
    deal = serializers.IntegerField(required=False, allow_null=True)
    cost_center = serializers.IntegerField(required=False, allow_null=True)
    project = serializers.IntegerField(required=False, allow_null=True)
    lines = InvoiceLineInputSerializer(many=True, required=False)


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the invoice is credited (printed and in the XML).")
    issue_date = serializers.DateField(required=False, help_text="Default: today.")
    lines = InvoiceLineInputSerializer(
        many=True, required=False, help_text="The lines credited; left out: the whole invoice."
    )


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


#: What every document line (quote, invoice, recurring schedule) shows in the API.
LINE_OUTPUT_FIELDS = [
    "id",
    "position",
    "product",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_percent",
    "tax",
    "income_account",
    "net_amount",
    "discount_amount",
    "tax_amount",
    "gross_amount",
]


class InvoiceLineOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = LINE_OUTPUT_FIELDS
        read_only_fields = fields


class TaxBreakdownOutputSerializer(serializers.Serializer):
    tax = serializers.IntegerField(allow_null=True, help_text="Null for lines without tax.")
    name = serializers.CharField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    kind = serializers.CharField(allow_blank=True)
    exemption_reason_code = serializers.CharField(allow_blank=True)
    taxable_amount = serializers.DecimalField(**AMOUNT)
    tax_amount = serializers.DecimalField(**AMOUNT)


class AllocationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    amount = serializers.DecimalField(**AMOUNT)
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.display_number")
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    payment_number = serializers.SerializerMethodField()
    credit_note = serializers.IntegerField(source="credit_note_id", allow_null=True)
    credit_note_number = serializers.SerializerMethodField()

    def get_payment_number(self, allocation: Allocation) -> str | None:
        return allocation.payment.display_number if allocation.payment_id else None

    def get_credit_note_number(self, allocation: Allocation) -> str | None:
        return allocation.credit_note.display_number if allocation.credit_note_id else None


class InvoiceOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", help_text="INV-2026-00042; drafts: INV-DRAFT-<id>.")
    sequence_number = serializers.IntegerField(
        source="number", allow_null=True, help_text="The gapless number in its series and fiscal year (null: draft)."
    )
    company_name = serializers.CharField(source="company.display_name")
    original_invoice_number = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    has_pdf = serializers.SerializerMethodField()
    has_xml = serializers.SerializerMethodField()
    exchange_rate = serializers.DecimalField(max_digits=20, decimal_places=8)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "number",
            "series",
            "sequence_number",
            "status",
            "saudi_type",
            "company",
            "company_name",
            "contact",
            "currency",
            "exchange_rate",
            "issue_date",
            "due_date",
            "payment_term",
            "original_invoice",
            "original_invoice_number",
            "reference",
            "language",
            "prices_include_tax",
            "discount_percent",
            "net_total",
            "discount_total",
            "tax_total",
            "total",
            "amount_paid",
            "amount_due",
            "is_overdue",
            "qr_code",
            "has_pdf",
            "has_xml",
            "posted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_original_invoice_number(self, invoice: Invoice) -> str | None:
        return invoice.original_invoice.display_number if invoice.original_invoice_id else None

    def get_is_overdue(self, invoice: Invoice) -> bool:
        today = self.context.get("today")
        return bool(
            today is not None
            and invoice.kind == Invoice.Kind.INVOICE
            and invoice.status in Invoice.OPEN_STATUSES
            and invoice.due_date < today
        )

    def get_has_pdf(self, invoice: Invoice) -> bool:
        return bool(invoice.pdf)

    def get_has_xml(self, invoice: Invoice) -> bool:
        return bool(invoice.ubl_xml)


def extend_schema_field_list(serializer_class: type[serializers.Serializer]) -> Any:
    return extend_schema_field(serializer_class(many=True))


class InvoiceDetailOutputSerializer(InvoiceOutputSerializer):
    notes = serializers.CharField()
    terms = serializers.CharField()
    lines = InvoiceLineOutputSerializer(many=True)
    tax_breakdown = serializers.SerializerMethodField()
    allocations = serializers.SerializerMethodField(
        help_text="Invoice: the payments and credit notes settling it. Credit note: the invoices it settles."
    )

    class Meta(InvoiceOutputSerializer.Meta):
        fields = [*InvoiceOutputSerializer.Meta.fields, "notes", "terms", "lines", "tax_breakdown", "allocations"]
        read_only_fields = fields

    @extend_schema_field_list(TaxBreakdownOutputSerializer)
    def get_tax_breakdown(self, invoice: Invoice) -> list[dict[str, Any]]:
        rows = [
            {
                "tax": row.tax.pk if row.tax is not None else None,
                "name": row.tax.display_name() if row.tax is not None else _("No tax"),
                "rate": row.rate,
                "kind": row.tax.kind if row.tax is not None else "",
                "exemption_reason_code": row.tax.exemption_reason_code if row.tax is not None else "",
                "taxable_amount": row.net,
                "tax_amount": row.tax_amount,
            }
            for row in invoice_tax_breakdown(lines=invoice.lines.all())
        ]
        return TaxBreakdownOutputSerializer(rows, many=True).data

    @extend_schema_field_list(AllocationOutputSerializer)
    def get_allocations(self, invoice: Invoice) -> list[dict[str, Any]]:
        rows = invoice.credit_allocations.all() if invoice.is_credit_note else invoice.allocations.all()
        return AllocationOutputSerializer(rows, many=True).data


class CancelOutputSerializer(serializers.Serializer):
    invoice = InvoiceDetailOutputSerializer()
    credit_note = InvoiceDetailOutputSerializer()


class CurrencyFiguresOutputSerializer(serializers.Serializer):
    currency = serializers.CharField()
    invoiced = serializers.DecimalField(**AMOUNT, help_text="Posted invoices, cancelled ones included.")
    credited = serializers.DecimalField(**AMOUNT, help_text="Posted credit notes.")
    received = serializers.DecimalField(**AMOUNT, help_text="Payments received.")
    refunded = serializers.DecimalField(**AMOUNT, help_text="Refunds paid back.")
    balance_due = serializers.DecimalField(**AMOUNT, help_text="What the open invoices still ask for.")
    overdue = serializers.DecimalField(**AMOUNT, help_text="The part of the balance due past its due date.")
    unallocated_payments = serializers.DecimalField(**AMOUNT)
    unused_credit_notes = serializers.DecimalField(**AMOUNT)
    credit = serializers.DecimalField(
        **AMOUNT, help_text="The client's credit: unallocated payments plus unused credit notes."
    )
    net_balance = serializers.DecimalField(
        **AMOUNT, help_text="Balance due minus credit: positive, the client owes it; negative, we owe it."
    )


class ClientAccountOutputSerializer(serializers.Serializer):
    company = serializers.IntegerField()
    company_name = serializers.CharField()
    today = serializers.DateField()
    currencies = CurrencyFiguresOutputSerializer(many=True, help_text="One entry per currency the client deals in.")


# --- helpers --------------------------------------------------------------------------------------


def _detail_queryset(org: Any) -> QuerySet[Invoice]:
    allocations = Allocation.objects.select_related("invoice", "payment", "credit_note").order_by("date", "pk")
    return invoice_detail_queryset(org=org).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("tax").order_by("position", "pk")),
        Prefetch("allocations", queryset=allocations),
        Prefetch("credit_allocations", queryset=allocations),
    )


class PdfRenderer(renderers.BaseRenderer):
    """Lets `Accept: application/pdf` through content negotiation; errors still come out as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data, default=str).encode()


class XmlRenderer(PdfRenderer):
    media_type = "application/xml"
    format = "xml"


def _file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored(field: Any) -> bytes | None:
    if not field or not field.name or not default_storage.exists(field.name):
        return None
    with field.open("rb") as handle:
        return handle.read()


_DETAIL = {200: InvoiceDetailOutputSerializer, **error_responses(400, 401, 403, 404)}


# --- viewsets ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: InvoiceOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: InvoiceDetailOutputSerializer, **error_responses(401, 403, 404)}),
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Invoices and credit notes (`?kind=`). Drafts are edited, deleted and posted; posted documents
    are corrected by a credit note."""

    serializer_class = InvoiceOutputSerializer
    queryset = Invoice.objects.none()
    filterset_class = InvoiceFilterSet
    ordering_fields = INVOICE_ORDERING
    ordering = ["-issue_date", "-number", "-pk"]
    required_capability = _EDIT
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW, "pdf": _VIEW, "xml": _VIEW}

    def get_org_queryset(self) -> QuerySet[Invoice]:
        return invoice_list(org=self.org) if self.action == "list" else _detail_queryset(self.org)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return InvoiceOutputSerializer if self.action == "list" else InvoiceDetailOutputSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["today"] = self.org.today()
        return context

    def _detail(self, invoice: Invoice, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = _detail_queryset(self.org).get(pk=invoice.pk)
        return Response(InvoiceDetailOutputSerializer(fresh, context=self.get_serializer_context()).data, status_code)

    def _resolve(self, validated: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        """Ids of the header -> records of this organization (else 404); lines keep their ids for the service."""
        data = {name: value for name, value in validated.items() if name != "lines"}
        for name, model in (
            ("company", Company),
            ("contact", Contact),
            ("deal", Deal),
            ("payment_term", PaymentTerm),
            ("cost_center", AnalyticAccount),
            ("project", AnalyticAccount),
        ):
            if data.get(name) is not None:
                data[name] = access_or_404(model, org=self.org, pk=data[name])
        for name in ("language", "saudi_type"):
            if data.get(name) == "":
                data.pop(name)
        lines = [dict(line) for line in validated["lines"]] if "lines" in validated else None
        return data, lines

    @extend_schema(request=InvoiceInputSerializer(partial=True), responses=_DETAIL)
    def partial_update(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        serializer = InvoiceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        invoice_update(org=self.org, actor_membership=self.membership, invoice=invoice, data=data, lines=lines)
        return self._detail(invoice)

    @extend_schema(request=None, responses={204: None, **error_responses(400, 401, 403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        invoice_delete(org=self.org, actor_membership=self.membership, invoice=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses=_DETAIL,
        description="Post the draft: number it, freeze its totals and write its journal entry.",
    )
    @action(detail=True, methods=["post"], url_path="post")
    def post_document(self, request: Request, pk: str) -> Response:
        invoice = invoice_post(org=self.org, actor_membership=self.membership, invoice=self.get_object())
        return self._detail(invoice)

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **error_responses(401, 403, 404),
        },
        description="The stored PDF of a posted document, or one rendered now (drafts are marked as drafts).",
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        invoice = self.get_object()
        content = _stored(invoice.pdf)
        if content is None:
            from mizan.billing.pdf import invoice_pdf

            content = invoice_pdf(invoice)
        return _file_response(content, content_type="application/pdf", filename=f"{invoice.display_number}.pdf")

    @extend_schema(
        request=None,
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="ZATCA UBL 2.1 XML."),
            **error_responses(400, 401, 403, 404),
        },
        description="The ZATCA UBL 2.1 XML of a posted document of a Saudi organization.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, XmlRenderer])
    def xml(self, request: Request, pk: str) -> HttpResponse:
        invoice = self.get_object()
        if self.org.country != "SA":
            raise DomainError("billing.xml_saudi_only", _("The UBL XML is made for Saudi organizations only."))
        content = _stored(invoice.ubl_xml)
        if content is None:
            from mizan.billing.zatca import invoice_ubl_xml

            content = invoice_ubl_xml(invoice)
        return _file_response(content, content_type="application/xml", filename=f"{invoice.display_number}.xml")

    @extend_schema(
        request=InvoiceInputSerializer,
        responses={201: InvoiceDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        serializer = InvoiceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        invoice = invoice_create(org=self.org, actor_membership=self.membership, data=data, lines=lines or [])
        return self._detail(invoice, status.HTTP_201_CREATED)

    @extend_schema(
        request=CancelInputSerializer,
        responses={200: CancelOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Cancel a posted invoice by a full credit note, posted at once.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        serializer = CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credit_note = invoice_cancel(
            org=self.org, actor_membership=self.membership, invoice=invoice, reason=serializer.validated_data["reason"]
        )
        documents = _detail_queryset(self.org).in_bulk([invoice.pk, credit_note.pk])
        context = self.get_serializer_context()
        body = {
            "invoice": InvoiceDetailOutputSerializer(documents[invoice.pk], context=context).data,
            "credit_note": InvoiceDetailOutputSerializer(documents[credit_note.pk], context=context).data,
        }
        return Response(body)

    @extend_schema(
        request=CreditNoteInputSerializer,
        responses={201: InvoiceDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="A draft credit note for this posted invoice: the lines given, or all of it.",
    )
    @action(detail=True, methods=["post"], url_path="credit-notes")
    def credit_notes(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        serializer = CreditNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validated = serializer.validated_data
        credit_note = credit_note_create(
            org=self.org,
            actor_membership=self.membership,
            invoice=invoice,
            lines=[dict(line) for line in validated["lines"]] if validated.get("lines") else None,
            reason=validated["reason"],
            issue_date=validated.get("issue_date"),
        )
        return self._detail(credit_note, status.HTTP_201_CREATED)


class ClientAccountViewSet(OrganizationViewSet):
    """A client's account: balances, overdue amount and credit, per currency."""

    queryset = Company.objects.none()
    lookup_url_kwarg = "company_id"
    required_capability = _VIEW
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(responses={200: ClientAccountOutputSerializer, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["get"])
    def account(self, request: Request, company_id: str) -> Response:
        company = client_company_or_404(org=self.org, membership=self.membership, pk=company_id)
        today = self.org.today()
        figures = client_account_figures(org=self.org, company=company, today=today)
        body = {
            "company": company.pk,
            "company_name": company.display_name(),
            "today": today,
            "currencies": [_figures(row) for row in figures],
        }
        return Response(ClientAccountOutputSerializer(body).data)


def _figures(row: CurrencyFigures) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CurrencyFiguresOutputSerializer().fields}


def register(router: SimpleRouter) -> None:
    router.register("invoices", InvoiceViewSet, basename="billing-invoice")
    router.register("clients", ClientAccountViewSet, basename="billing-client")
