"""/api/v1/ledger/: accounts, journals, entries (create, post, reverse), fiscal years, periods,
exchange rates and analytic accounts. Thin: the same selectors and services as the web pages;
ids in the path or the payload resolve inside the organization (another one's id is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mizan.api.base import OrganizationViewSet, error_responses
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.roles import Capability
from mizan.ledger.filters import JournalEntryFilter
from mizan.ledger.models import (
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
    ExchangeRate,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
    Period,
)
from mizan.ledger.selectors.accounts import account_list, analytic_account_list, journal_list
from mizan.ledger.selectors.entries import journal_entry_lines, journal_entry_list
from mizan.ledger.selectors.periods import exchange_rate_list, fiscal_year_list
from mizan.ledger.services.accounts import (
    account_create,
    account_delete,
    account_set_active,
    account_update,
    analytic_account_create,
    analytic_account_update,
    journal_create,
    journal_update,
)
from mizan.ledger.services.currencies import exchange_rate_delete, exchange_rate_set, exchange_rates_import
from mizan.ledger.services.entries import (
    journal_entry_create,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_update,
)
from mizan.ledger.services.periods import fiscal_year_close, fiscal_year_create, period_close, period_reopen

_VIEW = Capability.LEDGER_VIEW
_MANAGE = Capability.LEDGER_MANAGE
_POST = Capability.LEDGER_POST


def _resolve(model: Any, org: Any, pk: Any) -> Any:
    return None if pk is None else access_or_404(model, org=org, pk=pk)


# --- accounts ------------------------------------------------------------------------------------


class AccountOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    parent_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "code",
            "display_name",
            "name_ar",
            "name_en",
            "type",
            "role",
            "parent_id",
            "reconcile",
            "is_active",
        ]
        read_only_fields = fields


class AccountInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=AccountType.choices)
    role = serializers.ChoiceField(choices=AccountRole.choices, required=False, allow_null=True, allow_blank=True)
    parent_id = serializers.IntegerField(required=False, allow_null=True)
    reconcile = serializers.BooleanField(required=False)


def _account_data(org: Any, validated: dict[str, Any]) -> dict[str, Any]:
    data = dict(validated)
    if "parent_id" in data:
        data["parent"] = _resolve(Account, org, data.pop("parent_id"))
    return data


@extend_schema_view(
    list=extend_schema(
        description="The chart of accounts, by code.", responses={200: AccountOutputSerializer(many=True)}
    ),
    retrieve=extend_schema(responses={200: AccountOutputSerializer, **error_responses(401, 403, 404)}),
)
class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = AccountOutputSerializer
    queryset = Account.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[Account]:
        return account_list(org=self.org)

    @extend_schema(
        request=AccountInputSerializer, responses={201: AccountOutputSerializer, **error_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = AccountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account = account_create(
            org=self.org, actor_membership=self.membership, data=_account_data(self.org, serializer.validated_data)
        )
        return Response(AccountOutputSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AccountInputSerializer(partial=True),
        responses={200: AccountOutputSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        serializer = AccountInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        account = account_update(
            org=self.org,
            actor_membership=self.membership,
            account=account,
            data=_account_data(self.org, serializer.validated_data),
        )
        return Response(AccountOutputSerializer(account).data)

    @extend_schema(request=None, responses={204: None, **error_responses(400, 403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        account_delete(org=self.org, actor_membership=self.membership, account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: AccountOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        account = account_set_active(
            org=self.org, actor_membership=self.membership, account=self.get_object(), is_active=False
        )
        return Response(AccountOutputSerializer(account).data)

    @extend_schema(request=None, responses={200: AccountOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        account = account_set_active(
            org=self.org, actor_membership=self.membership, account=self.get_object(), is_active=True
        )
        return Response(AccountOutputSerializer(account).data)


# --- journals ------------------------------------------------------------------------------------


class JournalOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    default_account_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Journal
        fields = ["id", "code", "display_name", "name_ar", "name_en", "kind", "default_account_id", "is_active"]
        read_only_fields = fields


class JournalInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10)
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=JournalKind.choices)
    default_account_id = serializers.IntegerField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


def _journal_data(org: Any, validated: dict[str, Any]) -> dict[str, Any]:
    data = dict(validated)
    if "default_account_id" in data:
        data["default_account"] = _resolve(Account, org, data.pop("default_account_id"))
    return data


@extend_schema_view(
    list=extend_schema(responses={200: JournalOutputSerializer(many=True)}),
    retrieve=extend_schema(responses={200: JournalOutputSerializer, **error_responses(401, 403, 404)}),
)
class JournalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = JournalOutputSerializer
    queryset = Journal.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[Journal]:
        return journal_list(org=self.org)

    @extend_schema(
        request=JournalInputSerializer, responses={201: JournalOutputSerializer, **error_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = JournalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        journal = journal_create(
            org=self.org, actor_membership=self.membership, data=_journal_data(self.org, serializer.validated_data)
        )
        return Response(JournalOutputSerializer(journal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=JournalInputSerializer(partial=True),
        responses={200: JournalOutputSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        journal = self.get_object()
        serializer = JournalInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        journal = journal_update(
            org=self.org,
            actor_membership=self.membership,
            journal=journal,
            data=_journal_data(self.org, serializer.validated_data),
        )
        return Response(JournalOutputSerializer(journal).data)


# --- journal entries -----------------------------------------------------------------------------


class JournalLineOutputSerializer(serializers.ModelSerializer):
    account_id = serializers.IntegerField(read_only=True)
    account_code = serializers.CharField(source="account.code", read_only=True)
    partner_id = serializers.IntegerField(read_only=True, allow_null=True)
    cost_center_id = serializers.IntegerField(read_only=True, allow_null=True)
    project_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "position",
            "account_id",
            "account_code",
            "description",
            "debit",
            "credit",
            "partner_id",
            "currency",
            "amount_currency",
            "exchange_rate",
            "cost_center_id",
            "project_id",
        ]
        read_only_fields = fields


class JournalEntryOutputSerializer(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    journal_id = serializers.IntegerField(read_only=True)
    journal_code = serializers.CharField(source="journal.code", read_only=True)
    fiscal_year = serializers.CharField(source="fiscal_year.name", read_only=True)
    reversal_of_id = serializers.IntegerField(read_only=True, allow_null=True)
    is_reversed = serializers.BooleanField(read_only=True)
    source_type = serializers.SerializerMethodField()
    total_debit = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "number",
            "display_number",
            "journal_id",
            "journal_code",
            "fiscal_year",
            "date",
            "reference",
            "memo",
            "kind",
            "state",
            "currency",
            "total_debit",
            "posted_at",
            "reversal_of_id",
            "is_reversed",
            "source_type",
            "source_id",
        ]
        read_only_fields = fields

    def get_source_type(self, entry: JournalEntry) -> str | None:
        return f"{entry.source_type.app_label}.{entry.source_type.model}" if entry.source_type_id else None


class JournalEntryDetailOutputSerializer(JournalEntryOutputSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(JournalEntryOutputSerializer.Meta):
        fields = [*JournalEntryOutputSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(JournalLineOutputSerializer(many=True))
    def get_lines(self, entry: JournalEntry) -> list[dict[str, Any]]:
        return JournalLineOutputSerializer(journal_entry_lines(entry=entry), many=True).data


class JournalLineInputSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    debit = serializers.DecimalField(max_digits=20, decimal_places=3, required=False, default=0)
    credit = serializers.DecimalField(max_digits=20, decimal_places=3, required=False, default=0)
    partner = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False, allow_null=True)
    exchange_rate = serializers.DecimalField(max_digits=20, decimal_places=8, required=False, allow_null=True)
    cost_center = serializers.IntegerField(required=False, allow_null=True)
    project = serializers.IntegerField(required=False, allow_null=True)


class JournalEntryInputSerializer(serializers.Serializer):
    journal = serializers.IntegerField()
    date = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    memo = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False, allow_null=True)
    lines = JournalLineInputSerializer(many=True)
    post = serializers.BooleanField(required=False, default=False, help_text="Post at once (else a draft).")


class ReverseInputSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Default: today in the organization's time zone.")
    memo = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _entry_arguments(org: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Payload ids -> records of this organization (another organization's id answers 404)."""
    from mizan.crm.models import Company

    lines = [
        {
            "account": access_or_404(Account, org=org, pk=line["account"]),
            "debit": line.get("debit") or 0,
            "credit": line.get("credit") or 0,
            "partner": _resolve(Company, org, line.get("partner")),
            "description": line.get("description", ""),
            "currency": line.get("currency"),
            "exchange_rate": line.get("exchange_rate"),
            "cost_center": _resolve(AnalyticAccount, org, line.get("cost_center")),
            "project": _resolve(AnalyticAccount, org, line.get("project")),
        }
        for line in data["lines"]
    ]
    return {
        "journal": access_or_404(Journal, org=org, pk=data["journal"]),
        "date": data["date"],
        "reference": data.get("reference", ""),
        "memo": data.get("memo", ""),
        "currency": data.get("currency"),
        "lines": lines,
    }


@extend_schema_view(
    list=extend_schema(
        description="Journal entries, newest first; filter by journal, state, date_from, date_to, account, partner, q.",
        responses={200: JournalEntryOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: JournalEntryDetailOutputSerializer, **error_responses(401, 403, 404)}),
)
class JournalEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = JournalEntryOutputSerializer
    queryset = JournalEntry.objects.none()
    filterset_class = JournalEntryFilter
    ordering_fields = ["date", "number", "created_at"]
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _POST

    def get_org_queryset(self) -> QuerySet[JournalEntry]:
        if self.action == "list":
            return journal_entry_list(org=self.org)
        return journal_entry_list(org=self.org).select_related("reversal_of")

    def get_serializer_class(self) -> Any:
        return JournalEntryDetailOutputSerializer if self.action != "list" else JournalEntryOutputSerializer

    def _detail(self, entry: JournalEntry, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = access_or_404(journal_entry_list(org=self.org), org=self.org, pk=entry.pk)
        return Response(JournalEntryDetailOutputSerializer(fresh).data, status=status_code)

    @extend_schema(
        request=JournalEntryInputSerializer,
        responses={201: JournalEntryDetailOutputSerializer, **error_responses(400, 403, 404)},
        description="Create a draft, or post at once with `post: true`. Amounts are in each line's currency.",
    )
    def create(self, request: Request) -> Response:
        serializer = JournalEntryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = _entry_arguments(self.org, serializer.validated_data)
        entry = journal_entry_create(
            org=self.org, actor_membership=self.membership, post=serializer.validated_data["post"], **arguments
        )
        return self._detail(entry, status.HTTP_201_CREATED)

    @extend_schema(
        request=JournalEntryInputSerializer,
        responses={200: JournalEntryDetailOutputSerializer, **error_responses(400, 403, 404)},
        description="Replace a draft. A posted entry is refused (400 `ledger.entry_posted`): reverse it instead.",
    )
    def update(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        serializer = JournalEntryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = journal_entry_update(
            org=self.org,
            actor_membership=self.membership,
            entry=entry,
            **_entry_arguments(self.org, serializer.validated_data),
        )
        if serializer.validated_data["post"]:
            entry = journal_entry_post(org=self.org, actor_membership=self.membership, entry=entry)
        return self._detail(entry)

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(400, 403, 404)},
        description="Delete a draft. A posted entry is refused (400 `ledger.entry_posted`).",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        journal_entry_delete(org=self.org, actor_membership=self.membership, entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: JournalEntryDetailOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: str) -> Response:
        entry = journal_entry_post(org=self.org, actor_membership=self.membership, entry=self.get_object())
        return self._detail(entry)

    @extend_schema(
        request=ReverseInputSerializer,
        responses={201: JournalEntryDetailOutputSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        serializer = ReverseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reversal = journal_entry_reverse(
            org=self.org,
            actor_membership=self.membership,
            entry=entry,
            date=serializer.validated_data.get("date"),
            memo=serializer.validated_data.get("memo", ""),
        )
        return self._detail(reversal, status.HTTP_201_CREATED)


# --- fiscal years and periods --------------------------------------------------------------------


class PeriodOutputSerializer(serializers.ModelSerializer):
    fiscal_year_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Period
        fields = ["id", "fiscal_year_id", "start_date", "end_date", "state", "closed_at"]
        read_only_fields = fields


class FiscalYearOutputSerializer(serializers.ModelSerializer):
    periods = PeriodOutputSerializer(many=True, read_only=True)
    closing_entry_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = FiscalYear
        fields = ["id", "name", "start_date", "end_date", "state", "closed_at", "closing_entry_id", "periods"]
        read_only_fields = fields


class FiscalYearInputSerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False, help_text="Default: the day after the latest year.")


class ReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_view(list=extend_schema(responses={200: FiscalYearOutputSerializer(many=True)}))
class FiscalYearViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = FiscalYearOutputSerializer
    queryset = FiscalYear.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW, "create": _MANAGE, "close": Capability.LEDGER_CLOSE_PERIOD}

    def get_org_queryset(self) -> QuerySet[FiscalYear]:
        return fiscal_year_list(org=self.org)

    @extend_schema(
        request=FiscalYearInputSerializer, responses={201: FiscalYearOutputSerializer, **error_responses(400, 403)}
    )
    def create(self, request: Request) -> Response:
        serializer = FiscalYearInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = fiscal_year_create(
            org=self.org, actor_membership=self.membership, start_date=serializer.validated_data.get("start_date")
        )
        return Response(FiscalYearOutputSerializer(fiscal_year_list(org=self.org).get(pk=year.pk)).data, status=201)

    @extend_schema(request=None, responses={200: FiscalYearOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        year = fiscal_year_close(org=self.org, actor_membership=self.membership, fiscal_year=self.get_object())
        return Response(FiscalYearOutputSerializer(fiscal_year_list(org=self.org).get(pk=year.pk)).data)


@extend_schema_view(list=extend_schema(responses={200: PeriodOutputSerializer(many=True)}))
class PeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = PeriodOutputSerializer
    queryset = Period.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {
        "list": _VIEW,
        "retrieve": _VIEW,
        "close": Capability.LEDGER_CLOSE_PERIOD,
        "reopen": Capability.LEDGER_REOPEN_PERIOD,
    }

    def get_org_queryset(self) -> QuerySet[Period]:
        return Period.objects.filter(organization=self.org).order_by("start_date")

    @extend_schema(request=None, responses={200: PeriodOutputSerializer, **error_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        period = period_close(org=self.org, actor_membership=self.membership, period=self.get_object())
        return Response(PeriodOutputSerializer(period).data)

    @extend_schema(
        request=ReopenInputSerializer, responses={200: PeriodOutputSerializer, **error_responses(400, 403, 404)}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        period = self.get_object()
        serializer = ReopenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = period_reopen(
            org=self.org, actor_membership=self.membership, period=period, reason=serializer.validated_data["reason"]
        )
        return Response(PeriodOutputSerializer(period).data)


# --- exchange rates ------------------------------------------------------------------------------


class ExchangeRateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate"]
        read_only_fields = fields


class ExchangeRateInputSerializer(serializers.Serializer):
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    date = serializers.DateField()
    rate = serializers.DecimalField(max_digits=20, decimal_places=8)


class ExchangeRateImportInputSerializer(serializers.Serializer):
    csv = serializers.CharField(help_text="Rows of currency,date,rate (header optional).", max_length=500_000)


class ExchangeRateImportOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


@extend_schema_view(list=extend_schema(responses={200: ExchangeRateOutputSerializer(many=True)}))
class ExchangeRateViewSet(mixins.ListModelMixin, OrganizationViewSet):
    serializer_class = ExchangeRateOutputSerializer
    queryset = ExchangeRate.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[ExchangeRate]:
        return exchange_rate_list(org=self.org, currency=self.request.query_params.get("currency") or None)

    @extend_schema(
        request=ExchangeRateInputSerializer,
        responses={201: ExchangeRateOutputSerializer, **error_responses(400, 403)},
        description="Enter a rate; a rate already entered for the currency and date is replaced.",
    )
    def create(self, request: Request) -> Response:
        serializer = ExchangeRateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rate = exchange_rate_set(org=self.org, actor_membership=self.membership, **serializer.validated_data)
        return Response(ExchangeRateOutputSerializer(rate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **error_responses(403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        exchange_rate_delete(org=self.org, actor_membership=self.membership, exchange_rate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ExchangeRateImportInputSerializer,
        responses={200: ExchangeRateImportOutputSerializer, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        serializer = ExchangeRateImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = exchange_rates_import(
            org=self.org, actor_membership=self.membership, text=serializer.validated_data["csv"]
        )
        return Response({"created": result.created, "updated": result.updated})


# --- analytic accounts ---------------------------------------------------------------------------


class AnalyticAccountOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = AnalyticAccount
        fields = ["id", "kind", "code", "display_name", "name_ar", "name_en", "is_active"]
        read_only_fields = fields


class AnalyticAccountInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnalyticKind.choices)
    code = serializers.CharField(max_length=30)
    name_ar = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


@extend_schema_view(list=extend_schema(responses={200: AnalyticAccountOutputSerializer(many=True)}))
class AnalyticAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    serializer_class = AnalyticAccountOutputSerializer
    queryset = AnalyticAccount.objects.none()
    filter_backends: list[Any] = []
    action_capabilities = {"list": _VIEW, "retrieve": _VIEW}
    required_capability = _MANAGE

    def get_org_queryset(self) -> QuerySet[AnalyticAccount]:
        return analytic_account_list(org=self.org, kind=self.request.query_params.get("kind") or None)

    @extend_schema(
        request=AnalyticAccountInputSerializer,
        responses={201: AnalyticAccountOutputSerializer, **error_responses(400, 403)},
    )
    def create(self, request: Request) -> Response:
        serializer = AnalyticAccountInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        analytic = analytic_account_create(
            org=self.org, actor_membership=self.membership, data=serializer.validated_data
        )
        return Response(AnalyticAccountOutputSerializer(analytic).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AnalyticAccountInputSerializer(partial=True),
        responses={200: AnalyticAccountOutputSerializer, **error_responses(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        analytic = self.get_object()
        serializer = AnalyticAccountInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "kind"}
        analytic = analytic_account_update(
            org=self.org, actor_membership=self.membership, analytic_account=analytic, data=data
        )
        return Response(AnalyticAccountOutputSerializer(analytic).data)


def register(router: SimpleRouter) -> None:
    router.register("accounts", AccountViewSet, basename="ledger-account")
    router.register("journals", JournalViewSet, basename="ledger-journal")
    router.register("entries", JournalEntryViewSet, basename="ledger-entry")
    router.register("fiscal-years", FiscalYearViewSet, basename="ledger-fiscal-year")
    router.register("periods", PeriodViewSet, basename="ledger-period")
    router.register("exchange-rates", ExchangeRateViewSet, basename="ledger-exchange-rate")
    router.register("analytic-accounts", AnalyticAccountViewSet, basename="ledger-analytic-account")
