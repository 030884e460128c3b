"""/api/v1/ledger/reports/: the financial reports, read-only, from the same selectors as the pages.

Every figure carries `lines`: the URL of the journal lines it is the sum of (the drill-down).
Ids in the path or the query resolve inside the organization; another organization's id is 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mizan.api.base import OrganizationScopedMixin, error_responses
from mizan.core.access import access_or_404
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.roles import Capability
from mizan.ledger.models import Account, AnalyticAccount, AnalyticKind
from mizan.ledger.report_forms import default_period, line_filters_from_params
from mizan.ledger.selectors.report_lines import LINE_PAGE_SIZE, line_list
from mizan.ledger.selectors.reports import (
    AGING_KINDS,
    AGING_PAGE_SIZE,
    Comparison,
    ReportFilters,
    aging,
    balance_sheet,
    general_ledger,
    profit_and_loss,
    profit_and_loss_by_analytic,
    trial_balance,
)

AMOUNT = {"max_digits": 20, "decimal_places": 3}
MAX_PAGE_SIZE = 500
ANALYTIC_SEGMENTS = {"cost-center": "cost_center", "project": "project"}


# --- Input ----------------------------------------------------------------------------------


class PeriodInputSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="Start of the period (default: fiscal year start).")
    date_to = serializers.DateField(required=False, help_text="End of the period (default: today).")
    currency = serializers.ChoiceField(
        choices=CURRENCY_CHOICES, required=False, help_text="Only lines in this transaction currency."
    )
    cost_center = serializers.IntegerField(required=False, help_text="Department or cost center id.")
    project = serializers.IntegerField(required=False, help_text="Project id.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = default_period(self.context["org"])
        attrs.setdefault("date_from", start)
        attrs.setdefault("date_to", end)
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": gettext("The end date must not be before the start date.")})
        return attrs


class ProfitAndLossInputSerializer(PeriodInputSerializer):
    comparison = serializers.ChoiceField(
        choices=[Comparison.PREVIOUS_PERIOD, Comparison.PREVIOUS_YEAR],
        required=False,
        help_text="Compare with the previous period or the same period last year.",
    )


class PagedPeriodInputSerializer(PeriodInputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class AsOfInputSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="The date of the report (default: today).")


class AgingInputSerializer(AsOfInputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Partners per page (default {AGING_PAGE_SIZE}).",
    )


class LinesInputSerializer(serializers.Serializer):
    """Documents the drill-down filters (they are parsed by the same function as the web page)."""

    account = serializers.IntegerField(required=False)
    account_type = serializers.CharField(required=False, help_text="asset, liability, equity, income or expense.")
    account_role = serializers.CharField(required=False)
    partner = serializers.CharField(required=False, help_text="A company id, or `none` for lines without one.")
    cost_center = serializers.CharField(required=False, help_text="An id, or `none`.")
    project = serializers.CharField(required=False, help_text="An id, or `none`.")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    due_from = serializers.DateField(required=False, help_text="On the due date, else the entry date.")
    due_to = serializers.DateField(required=False)
    currency = serializers.CharField(required=False)
    exclude_closing = serializers.BooleanField(required=False)
    side = serializers.ChoiceField(choices=["debit", "credit"], required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


# --- Output ---------------------------------------------------------------------------------


class ReportFigureOutputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**AMOUNT)
    lines = serializers.SerializerMethodField(help_text="The journal lines this figure is the sum of.")

    def get_lines(self, figure: Any) -> str:
        return f"{reverse('api:ledger_report_lines')}?{figure.query}"


class ReportAccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()


class ReportFiltersOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    currency = serializers.CharField(allow_null=True)
    cost_center_id = serializers.IntegerField(allow_null=True)
    project_id = serializers.IntegerField(allow_null=True)


class TrialBalanceRowOutputSerializer(serializers.Serializer):
    account = ReportAccountOutputSerializer()
    opening = ReportFigureOutputSerializer()
    debit = ReportFigureOutputSerializer()
    credit = ReportFigureOutputSerializer()
    closing = ReportFigureOutputSerializer()
    amount_currency = serializers.DecimalField(**AMOUNT, allow_null=True)


class TrialBalanceOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    filters = ReportFiltersOutputSerializer()
    rows = TrialBalanceRowOutputSerializer(many=True)
    opening = serializers.DecimalField(**AMOUNT)
    debit = serializers.DecimalField(**AMOUNT)
    credit = serializers.DecimalField(**AMOUNT)
    closing = serializers.DecimalField(**AMOUNT)
    is_balanced = serializers.BooleanField()


class ReportLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    date = serializers.DateField()
    entry_number = serializers.CharField()
    journal = serializers.CharField()
    account_code = serializers.CharField()
    account_name = serializers.CharField()
    partner = serializers.CharField()
    description = serializers.CharField()
    currency = serializers.CharField()
    amount_currency = serializers.DecimalField(**AMOUNT)
    debit = serializers.DecimalField(**AMOUNT)
    credit = serializers.DecimalField(**AMOUNT)
    balance = serializers.DecimalField(**AMOUNT, allow_null=True, help_text="Running balance (general ledger).")


class GeneralLedgerOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    account = ReportAccountOutputSerializer()
    filters = ReportFiltersOutputSerializer()
    opening = ReportFigureOutputSerializer()
    debit = ReportFigureOutputSerializer()
    credit = ReportFigureOutputSerializer()
    closing = ReportFigureOutputSerializer()
    brought_forward = serializers.DecimalField(**AMOUNT, help_text="Running balance before this page's first line.")
    count = serializers.IntegerField()
    page = serializers.IntegerField(source="number")
    num_pages = serializers.IntegerField()
    rows = ReportLineOutputSerializer(many=True)


class ProfitAndLossRowOutputSerializer(serializers.Serializer):
    account = ReportAccountOutputSerializer()
    current = ReportFigureOutputSerializer()
    previous = ReportFigureOutputSerializer(allow_null=True)
    difference = serializers.DecimalField(**AMOUNT, allow_null=True)


class ProfitAndLossSectionOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()
    rows = ProfitAndLossRowOutputSerializer(many=True)
    current = ReportFigureOutputSerializer()
    previous = ReportFigureOutputSerializer(allow_null=True)
    difference = serializers.DecimalField(**AMOUNT, allow_null=True)


class ProfitAndLossOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    filters = ReportFiltersOutputSerializer()
    comparison = serializers.CharField()
    previous_from = serializers.DateField(allow_null=True)
    previous_to = serializers.DateField(allow_null=True)
    income = ProfitAndLossSectionOutputSerializer()
    expense = ProfitAndLossSectionOutputSerializer()
    net = ReportFigureOutputSerializer()
    previous_net = ReportFigureOutputSerializer(allow_null=True)
    net_difference = serializers.DecimalField(**AMOUNT, allow_null=True)


class BalanceSheetLineOutputSerializer(serializers.Serializer):
    account = ReportAccountOutputSerializer()
    balance = ReportFigureOutputSerializer()


class BalanceSheetSectionOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()
    rows = BalanceSheetLineOutputSerializer(many=True)
    total = serializers.DecimalField(**AMOUNT)


class BalanceSheetOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    as_of = serializers.DateField()
    assets = BalanceSheetSectionOutputSerializer()
    liabilities = BalanceSheetSectionOutputSerializer()
    equity = BalanceSheetSectionOutputSerializer()
    result = ReportFigureOutputSerializer(help_text="Income minus expenses not yet closed to retained earnings.")
    total_assets = serializers.DecimalField(**AMOUNT)
    total_liabilities_and_equity = serializers.DecimalField(**AMOUNT)
    is_balanced = serializers.BooleanField()


class AgingBucketsOutputSerializer(serializers.Serializer):
    current = serializers.DecimalField(**AMOUNT)
    days_1_30 = serializers.DecimalField(**AMOUNT)
    days_31_60 = serializers.DecimalField(**AMOUNT)
    days_61_90 = serializers.DecimalField(**AMOUNT)
    over_90 = serializers.DecimalField(**AMOUNT)


class AgingRowOutputSerializer(serializers.Serializer):
    partner_id = serializers.IntegerField(allow_null=True)
    partner = serializers.CharField()
    buckets = AgingBucketsOutputSerializer()
    total = ReportFigureOutputSerializer()


class AgingOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    kind = serializers.CharField()
    as_of = serializers.DateField()
    count = serializers.IntegerField(help_text="Partners with something open.")
    page = serializers.IntegerField(source="number")
    num_pages = serializers.IntegerField()
    rows = AgingRowOutputSerializer(many=True)
    totals = AgingBucketsOutputSerializer(help_text="Of every partner, not only this page's.")
    total = ReportFigureOutputSerializer()


class AnalyticColumnOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: lines without this dimension.")
    code = serializers.CharField()
    name = serializers.CharField()


class AnalyticRowOutputSerializer(serializers.Serializer):
    account = ReportAccountOutputSerializer()
    cells = ReportFigureOutputSerializer(many=True, help_text="One per column, in the order of `columns`.")
    total = ReportFigureOutputSerializer()


class AnalyticProfitAndLossOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    dimension = serializers.CharField()
    filters = ReportFiltersOutputSerializer()
    columns = AnalyticColumnOutputSerializer(many=True)
    income_rows = AnalyticRowOutputSerializer(many=True)
    expense_rows = AnalyticRowOutputSerializer(many=True)
    income = ReportFigureOutputSerializer(many=True, help_text="Per column, then the total.")
    expense = ReportFigureOutputSerializer(many=True, help_text="Per column, then the total.")
    net = ReportFigureOutputSerializer(many=True, help_text="Per column, then the total.")


class LinesOutputSerializer(serializers.Serializer):
    base_currency = serializers.CharField()
    count = serializers.IntegerField()
    page = serializers.IntegerField(source="number")
    num_pages = serializers.IntegerField()
    total_debit = serializers.DecimalField(**AMOUNT)
    total_credit = serializers.DecimalField(**AMOUNT)
    balance = serializers.DecimalField(**AMOUNT)
    rows = ReportLineOutputSerializer(many=True)


# --- Views ----------------------------------------------------------------------------------


class ReportView(OrganizationScopedMixin, APIView):
    required_capability = Capability.LEDGER_VIEW

    def input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.query_params, context={"org": self.org})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def period(self, data: dict[str, Any]) -> ReportFilters:
        analytic = AnalyticAccount.objects.filter(organization=self.org)
        cost_center = data.get("cost_center")
        project = data.get("project")
        if cost_center is not None:
            cost_center = access_or_404(
                analytic.filter(kind__in=[AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER]),
                org=self.org,
                pk=cost_center,
            ).pk
        if project is not None:
            project = access_or_404(analytic.filter(kind=AnalyticKind.PROJECT), org=self.org, pk=project).pk
        return ReportFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            currency=data.get("currency") or None,
            cost_center_id=cost_center,
            project_id=project,
        )

    def answer(self, serializer_class: type[serializers.Serializer], report: Any, **extra: Any) -> Response:
        return Response(serializer_class(_Wrapped(report, base_currency=self.org.base_currency, **extra)).data)


def _read(summary: str, output: Any, parameters: list[Any]) -> Any:
    return extend_schema(
        summary=summary,
        parameters=parameters,
        responses={200: output, **error_responses(400, 401, 403, 404)},
        tags=["ledger reports"],
    )


class _Wrapped:
    """Attribute access over a report plus the extra keys the output needs."""

    def __init__(self, report: Any, **extra: Any) -> None:
        self._report = report
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._report, name)


class TrialBalanceView(ReportView):
    @_read("Trial balance", TrialBalanceOutputSerializer, [PeriodInputSerializer])
    def get(self, request: Request) -> Response:
        report = trial_balance(org=self.org, filters=self.period(self.input(PeriodInputSerializer)))
        return self.answer(TrialBalanceOutputSerializer, report)


class GeneralLedgerView(ReportView):
    @_read(
        "General ledger of one account, with its running balance",
        GeneralLedgerOutputSerializer,
        [PagedPeriodInputSerializer, OpenApiParameter("account_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    def get(self, request: Request, account_id: int) -> Response:
        account = access_or_404(Account, org=self.org, pk=account_id)
        data = self.input(PagedPeriodInputSerializer)
        report = general_ledger(
            org=self.org,
            account=account,
            filters=self.period(data),
            page=data.get("page", 1),
            page_size=data.get("page_size", 100),
        )
        ref = {"id": account.pk, "code": account.code, "name": account.display_name(), "type": account.type}
        return self.answer(GeneralLedgerOutputSerializer, report, account=ref)


class ProfitAndLossView(ReportView):
    @_read(
        "Profit and loss, with an optional comparison period",
        ProfitAndLossOutputSerializer,
        [ProfitAndLossInputSerializer],
    )
    def get(self, request: Request) -> Response:
        data = self.input(ProfitAndLossInputSerializer)
        report = profit_and_loss(org=self.org, filters=self.period(data), comparison=data.get("comparison", ""))
        return self.answer(ProfitAndLossOutputSerializer, report)


class BalanceSheetView(ReportView):
    @_read("Balance sheet at a date", BalanceSheetOutputSerializer, [AsOfInputSerializer])
    def get(self, request: Request) -> Response:
        as_of = self.input(AsOfInputSerializer).get("as_of") or self.org.today()
        report = balance_sheet(org=self.org, as_of=as_of)
        sections = {
            name: {
                "type": section.type,
                "label": section.label,
                "total": section.total,
                "rows": [{"account": account, "balance": figure} for account, figure in section.rows],
            }
            for name, section in (
                ("assets", report.assets),
                ("liabilities", report.liabilities),
                ("equity", report.equity),
            )
        }
        return self.answer(BalanceSheetOutputSerializer, report, **sections)


class AgingView(ReportView):
    @_read(
        "Receivables or payables aging per partner",
        AgingOutputSerializer,
        [
            AgingInputSerializer,
            OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(AGING_KINDS)),
        ],
    )
    def get(self, request: Request, kind: str) -> Response:
        if kind not in AGING_KINDS:
            raise Http404
        data = self.input(AgingInputSerializer)
        as_of: datetime.date = data.get("as_of") or self.org.today()
        report = aging(
            org=self.org,
            kind=kind,
            as_of=as_of,
            page=data.get("page", 1),
            page_size=data.get("page_size", AGING_PAGE_SIZE),
        )
        return self.answer(AgingOutputSerializer, report)


class AnalyticProfitAndLossView(ReportView):
    @_read(
        "Profit and loss per cost center or per project",
        AnalyticProfitAndLossOutputSerializer,
        [
            PeriodInputSerializer,
            OpenApiParameter("dimension", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ANALYTIC_SEGMENTS)),
        ],
    )
    def get(self, request: Request, dimension: str) -> Response:
        if dimension not in ANALYTIC_SEGMENTS:
            raise Http404
        filters = self.period(self.input(PeriodInputSerializer))
        report = profit_and_loss_by_analytic(org=self.org, dimension=ANALYTIC_SEGMENTS[dimension], filters=filters)
        return self.answer(AnalyticProfitAndLossOutputSerializer, report)


class LinesView(ReportView):
    @_read("Posted journal lines under a report figure (the drill-down)", LinesOutputSerializer, [LinesInputSerializer])
    def get(self, request: Request) -> Response:
        data = self.input(LinesInputSerializer)
        filters = line_filters_from_params(request.query_params, org=self.org)
        page = line_list(
            org=self.org, filters=filters, page=data.get("page", 1), page_size=data.get("page_size", LINE_PAGE_SIZE)
        )
        return self.answer(LinesOutputSerializer, page)


urlpatterns = [
    path("trial-balance/", TrialBalanceView.as_view(), name="ledger_report_trial_balance"),
    path("general-ledger/<int:account_id>/", GeneralLedgerView.as_view(), name="ledger_report_general_ledger"),
    path("profit-and-loss/", ProfitAndLossView.as_view(), name="ledger_report_profit_and_loss"),
    path(
        "profit-and-loss/by/<slug:dimension>/",
        AnalyticProfitAndLossView.as_view(),
        name="ledger_report_analytic",
    ),
    path("balance-sheet/", BalanceSheetView.as_view(), name="ledger_report_balance_sheet"),
    path("aging/<slug:kind>/", AgingView.as_view(), name="ledger_report_aging"),
    path("lines/", LinesView.as_view(), name="ledger_report_lines"),
]
