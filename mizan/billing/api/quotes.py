"""/api/v1/billing/quotes/: quotes, their versions, sending, and the client's answer.

POST quotes/ creates a draft (from a client, or from a deal: `deal` alone fills the client, first
contact, currency and title). Drafts are edited (PATCH; `lines`, when sent, replaces them) and
deleted (DELETE). Actions: `send/` (e-mail with the public link and the PDF), `revise/` (a new
draft version; the quote revised is superseded), `accept/` and `decline/` (a member records the
client's answer on their behalf; acceptance wins the deal and drafts the invoice), `pdf/`.
The client's own answer comes through the public page (no API).

Thin: ids resolve inside the organization (another organization's id is a 404), writes go through
mizan.billing.services.quotes, and broken rules come back in the API error format.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.billing.api.invoices import LINE_OUTPUT_FIELDS, InvoiceLineInputSerializer, PdfRenderer
from mizan.billing.models import DocumentLanguage, Quote, QuoteLine
from mizan.billing.public_links import quote_public_url
from mizan.billing.selectors.quotes import EXPIRED, quote_lines_queryset
from mizan.billing.services.quotes import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_delete,
    quote_revise,
    quote_send,
    quote_update,
)
from mizan.core.access import access_or_404
from mizan.core.arabic import normalize_arabic
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.roles import Capability
from mizan.crm.models import Company, Contact, Deal

_VIEW = Capability.BILLING_VIEW
_EDIT = Capability.BILLING_EDIT
AMOUNT = {"max_digits": 20, "decimal_places": 3}
PERCENT = {"max_digits": 7, "decimal_places": 4}
QUOTE_ORDERING = {
    "issue_date": "issue_date",
    "valid_until": "valid_until",
    "number": "number",
    "total": "total",
    "created_at": "created_at",
}


# --- filters -------------------------------------------------------------------------------------


def _clients(request: Any) -> QuerySet[Company]:
    org = getattr(request, "org", None) if request is not None else None
    if org is None:
        return Company.objects.none()
    return Company.objects.filter(organization=org)


def _deals(request: Any) -> QuerySet[Deal]:
    org = getattr(request, "org", None) if request is not None else None
    if org is None:
        return Deal.objects.none()
    return Deal.objects.filter(organization=org)


class QuoteFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[*Quote.Status.choices, (EXPIRED, _("Expired (sent, past validity)"))],
        method="filter_status",
        label=_("Status"),
    )
    client = django_filters.ModelChoiceFilter(field_name="company", queryset=_clients, label=_("Client"))
    deal = django_filters.ModelChoiceFilter(field_name="deal", queryset=_deals, label=_("Deal"))
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES, label=_("Currency"))
    date_from = django_filters.DateFilter(
        field_name="issue_date", lookup_expr="gte", label=_("From"), widget=forms.DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="issue_date", lookup_expr="lte", label=_("To"), widget=forms.DateInput
    )
    q = django_filters.CharFilter(method="filter_search", label=_("Number, title or client"))

    class Meta:
        model = Quote
        fields = ["status", "client", "deal", "currency", "date_from", "date_to", "q"]

    def filter_status(self, queryset: QuerySet[Quote], name: str, value: str) -> QuerySet[Quote]:
        if value == EXPIRED:
            org = getattr(self.request, "org", None)
            return queryset.filter(status=Quote.Status.SENT, valid_until__lt=org.today()) if org else queryset.none()
        return queryset.filter(status=value)

    def filter_search(self, queryset: QuerySet[Quote], name: str, value: str) -> QuerySet[Quote]:
        text = (value or "").strip()
        if not text:
            return queryset
        condition = Q(title__icontains=text) | Q(company__search_name__icontains=normalize_arabic(text))
        digits = text.upper().removeprefix("Q-").split("/")[0]
        if digits.isdigit():
            condition |= Q(number=int(digits))
        return queryset.filter(condition)


# --- serializers -----------------------------------------------------------------------------------


class QuoteInputSerializer(serializers.Serializer):
    """Header fields and lines of a draft. On update only the fields sent change; `lines`, when sent,
    replaces every line."""

    company = serializers.IntegerField(required=False, help_text="The client (a CRM company id).")
    contact = serializers.IntegerField(required=False, allow_null=True)
    deal = serializers.IntegerField(
        required=False, allow_null=True, help_text="On create, fills the client, contact, currency and title."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    issue_date = serializers.DateField(required=False, help_text="Default: today.")
    valid_until = serializers.DateField(required=False, help_text="Default: the date plus the settings' validity.")
    deposit_percent = serializers.DecimalField(
        **PERCENT, required=False, help_text="Invoiced on acceptance; 0 (default) invoices the whole amount."
    )
    discount_percent = serializers.DecimalField(**PERCENT, required=False)
    prices_include_tax = serializers.BooleanField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=DocumentLanguage.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    terms = serializers.CharField(required=False, allow_blank=True)
    lines = InvoiceLineInputSerializer(many=True, required=False)


class QuoteSendInputSerializer(serializers.Serializer):
    to = serializers.EmailField(
        required=False, allow_blank=True, help_text="Default: the contact's address, else the client's."
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class QuoteAcceptInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="Who accepted, for the client.")


class QuoteDeclineInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class QuoteLineOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = LINE_OUTPUT_FIELDS
        read_only_fields = fields


class QuoteOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", help_text="Q-00042, or Q-00042/2 for version 2.")
    sequence_number = serializers.IntegerField(source="number")
    company_name = serializers.CharField(source="company.display_name")
    is_expired = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "sequence_number",
            "version",
            "previous_version",
            "status",
            "is_expired",
            "company",
            "company_name",
            "contact",
            "deal",
            "title",
            "currency",
            "issue_date",
            "valid_until",
            "deposit_percent",
            "language",
            "prices_include_tax",
            "discount_percent",
            "net_total",
            "discount_total",
            "tax_total",
            "total",
            "sent_at",
            "responded_at",
            "invoice",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_expired(self, quote: Quote) -> bool:
        today = self.context.get("today")
        return bool(today is not None and quote.status == Quote.Status.SENT and quote.valid_until < today)


class QuoteDetailOutputSerializer(QuoteOutputSerializer):
    notes = serializers.CharField()
    terms = serializers.CharField()
    responder_name = serializers.CharField()
    responder_ip = serializers.IPAddressField(allow_null=True)
    responder_user_agent = serializers.CharField()
    decline_reason = serializers.CharField()
    public_url = serializers.SerializerMethodField(help_text="The client's page (sent quotes); null before sending.")
    lines = QuoteLineOutputSerializer(many=True)

    class Meta(QuoteOutputSerializer.Meta):
        fields = [
            *QuoteOutputSerializer.Meta.fields,
            "notes",
            "terms",
            "responder_name",
            "responder_ip",
            "responder_user_agent",
            "decline_reason",
            "public_url",
            "lines",
        ]
        read_only_fields = fields

    def get_public_url(self, quote: Quote) -> str | None:
        return quote_public_url(quote) if quote.public_key else None


_DETAIL = {200: QuoteDetailOutputSerializer, **error_responses(400, 401, 403, 404)}


def _detail_queryset(org: Any) -> QuerySet[Quote]:
    return (
        Quote.objects.filter(organization=org)
        .select_related("organization", "company")
        .prefetch_related(Prefetch("lines", queryset=quote_lines_queryset()))
    )


# --- viewset ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: QuoteOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: QuoteDetailOutputSerializer, **error_responses(401, 403, 404)}),
)
class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Quotes with their versions. Drafts are edited and deleted; a sent quote is changed by a new
    version (`revise/`)."""

    serializer_class = QuoteOutputSerializer
    queryset = Quote.objects.none()
    filterset_class = QuoteFilterSet
    ordering_fields = QUOTE_ORDERING
    ordering = ["-issue_date", "-number", "-version"]
    required_capability = _EDIT
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW, "pdf": _VIEW}

    def get_org_queryset(self) -> QuerySet[Quote]:
        if self.action == "list":
            return Quote.objects.filter(organization=self.org).select_related("company")
        return _detail_queryset(self.org)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return QuoteOutputSerializer if self.action == "list" else QuoteDetailOutputSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["today"] = self.org.today()
        return context

    def _detail(self, quote: Quote, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = _detail_queryset(self.org).get(pk=quote.pk)
        return Response(QuoteDetailOutputSerializer(fresh, context=self.get_serializer_context()).data, status_code)

    def _resolve(self, validated: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        data = {name: value for name, value in validated.items() if name != "lines"}
        for name, model in (("company", Company), ("contact", Contact), ("deal", Deal)):
            if data.get(name) is not None:
                data[name] = access_or_404(model, org=self.org, pk=data[name])
        if data.get("language") == "":
            data.pop("language")
        lines = [dict(line) for line in validated["lines"]] if "lines" in validated else None
        return data, lines

    @extend_schema(
        request=QuoteInputSerializer,
        responses={201: QuoteDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request) -> Response:
        serializer = QuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        quote = quote_create(org=self.org, actor_membership=self.membership, data=data, lines=lines or [])
        return self._detail(quote, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteInputSerializer(partial=True), responses=_DETAIL)
    def partial_update(self, request: Request, pk: str) -> Response:
        quote = self.get_object()
        serializer = QuoteInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data, lines = self._resolve(serializer.validated_data)
        quote_update(org=self.org, actor_membership=self.membership, quote=quote, data=data, lines=lines)
        return self._detail(quote)

    @extend_schema(request=None, responses={204: None, **error_responses(400, 401, 403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        quote_delete(org=self.org, actor_membership=self.membership, quote=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=QuoteSendInputSerializer,
        responses=_DETAIL,
        description="E-mail the quote (link and PDF) in the client's language; a draft becomes sent.",
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        quote = self.get_object()
        serializer = QuoteSendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote_send(
            org=self.org,
            actor_membership=self.membership,
            quote=quote,
            to=data.get("to") or None,
            message=data.get("message") or "",
        )
        return self._detail(quote)

    @extend_schema(
        request=None,
        responses={201: QuoteDetailOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="A new draft version (same number, version + 1); the quote revised becomes superseded.",
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        revision = quote_revise(org=self.org, actor_membership=self.membership, quote=self.get_object())
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(
        request=QuoteAcceptInputSerializer,
        responses=_DETAIL,
        description="Record the client's acceptance: wins the open deal and drafts the invoice (or deposit).",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        quote = self.get_object()
        serializer = QuoteAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote_accept(
            org=self.org,
            quote=quote,
            responder_name=serializer.validated_data["name"],
            actor_membership=self.membership,
        )
        return self._detail(quote)

    @extend_schema(request=QuoteDeclineInputSerializer, responses=_DETAIL, description="Record the client's refusal.")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        quote = self.get_object()
        serializer = QuoteDeclineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote_decline(
            org=self.org,
            quote=quote,
            reason=data.get("reason") or "",
            responder_name=data.get("name") or "",
            actor_membership=self.membership,
        )
        return self._detail(quote)

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        from mizan.billing.pdf import quote_pdf

        quote = self.get_object()
        response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{quote.display_number.replace("/", "-")}.pdf"'
        return response


def register(router: SimpleRouter) -> None:
    router.register("quotes", QuoteViewSet, basename="billing-quote")
