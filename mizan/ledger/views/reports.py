"""Financial report pages: each also downloads as CSV/XLSX (?export=csv|xlsx) and prints
(a print stylesheet hides the shell). Every figure links to the journal lines it sums."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.exports import FORMATS, export_response
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.ledger.models import Account
from mizan.ledger.report_forms import (
    AnalyticReportForm,
    AsOfForm,
    GeneralLedgerForm,
    PeriodForm,
    ProfitAndLossForm,
    line_filters_from_params,
)
from mizan.ledger.selectors.report_lines import LINE_PAGE_SIZE, LineFilters, line_list
from mizan.ledger.selectors.reports import (
    AGING_BUCKETS,
    AGING_KINDS,
    AGING_PAGE_SIZE,
    aging,
    aging_bucket_labels,
    balance_sheet,
    general_ledger,
    profit_and_loss,
    profit_and_loss_by_analytic,
    trial_balance,
)
from mizan.ledger.views import report_tables

#: URL segment -> selector dimension, for the per cost center / per project report.
ANALYTIC_SEGMENTS = {"cost-center": "cost_center", "project": "project"}


def _export_format(request: HttpRequest) -> str | None:
    value = request.GET.get("export")
    return value if value in FORMATS else None


def _download(request: HttpRequest, name: str, title: str, table: report_tables.Table) -> HttpResponse:
    """The report as a file; `title` names the workbook's sheet."""
    columns, rows = table
    return export_response(
        filename=name,
        columns=columns,
        rows=rows,
        file_format=_export_format(request) or "csv",
        timezone_name=request.org.timezone,
        sheet_title=title,
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("base_currency", request.org.base_currency)
    context.setdefault("lines_url", reverse("ledger:line_list"))
    context.setdefault("export_query", _query_without(request, "export", "page"))
    return render(request, template, context)


def _report_view(
    request: HttpRequest,
    *,
    form: Any,
    build: Callable[[Any], Any],
    table: Callable[..., report_tables.Table],
    name: str,
    title: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validate the filters, build the report, then download it or render the page."""
    report = build(form) if form.is_valid() else None
    if report is not None and _export_format(request):
        return _download(request, name, title, table(report, currency=request.org.base_currency))
    return _page(request, template, {"form": form, "report": report, **(context or {})})


@org_view(capability=Capability.LEDGER_VIEW)
def report_index(request: HttpRequest) -> HttpResponse:
    return _page(request, "ledger/reports/index.html", {})


@org_view(capability=Capability.LEDGER_VIEW)
def trial_balance_report(request: HttpRequest) -> HttpResponse:
    return _report_view(
        request,
        form=PeriodForm(request.GET, org=request.org),
        build=lambda form: trial_balance(org=request.org, filters=form.report_filters()),
        table=report_tables.trial_balance_table,
        name="trial-balance",
        title=_("Trial balance"),
        template="ledger/reports/trial_balance.html",
    )


@org_view(capability=Capability.LEDGER_VIEW)
def general_ledger_report(request: HttpRequest) -> HttpResponse:
    raw_account = request.GET.get("account")
    account = access_or_404(Account, org=request.org, pk=raw_account) if raw_account else None
    form = GeneralLedgerForm(request.GET, org=request.org)
    export = _export_format(request)

    def build(form: GeneralLedgerForm) -> Any:
        if account is None:
            return None
        return general_ledger(
            org=request.org,
            account=account,
            filters=form.report_filters(),
            page=request.GET.get("page"),
            page_size=None if export else 100,
        )

    return _report_view(
        request,
        form=form,
        build=build,
        table=report_tables.general_ledger_table,
        name=f"general-ledger-{account.code}" if account else "general-ledger",
        title=_("General ledger"),
        template="ledger/reports/general_ledger.html",
        context={"account": account, "page_query": _query_without(request, "page", "export")},
    )


@org_view(capability=Capability.LEDGER_VIEW)
def profit_and_loss_report(request: HttpRequest) -> HttpResponse:
    return _report_view(
        request,
        form=ProfitAndLossForm(request.GET, org=request.org),
        build=lambda form: profit_and_loss(
            org=request.org, filters=form.report_filters(), comparison=form.cleaned_data.get("comparison") or ""
        ),
        table=report_tables.profit_and_loss_table,
        name="profit-and-loss",
        title=_("Profit and loss"),
        template="ledger/reports/profit_and_loss.html",
    )


@org_view(capability=Capability.LEDGER_VIEW)
def balance_sheet_report(request: HttpRequest) -> HttpResponse:
    return _report_view(
        request,
        form=AsOfForm(request.GET, org=request.org),
        build=lambda form: balance_sheet(org=request.org, as_of=form.as_of_date()),
        table=report_tables.balance_sheet_table,
        name="balance-sheet",
        title=_("Balance sheet"),
        template="ledger/reports/balance_sheet.html",
    )


@org_view(capability=Capability.LEDGER_VIEW)
def aging_report(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in AGING_KINDS:
        raise Http404(_("Not found."))
    return _report_view(
        request,
        form=AsOfForm(request.GET, org=request.org),
        build=lambda form: aging(
            org=request.org,
            kind=kind,
            as_of=form.as_of_date(),
            page=request.GET.get("page"),
            page_size=None if _export_format(request) else AGING_PAGE_SIZE,
        ),
        table=report_tables.aging_table,
        name=f"{kind}-aging",
        title=_("Receivables aging") if kind == "receivable" else _("Payables aging"),
        template="ledger/reports/aging.html",
        context={
            "kind": kind,
            "bucket_labels": [aging_bucket_labels()[name] for name in AGING_BUCKETS],
            "page_query": _query_without(request, "page", "export"),
        },
    )


@org_view(capability=Capability.LEDGER_VIEW)
def analytic_report(request: HttpRequest, dimension: str) -> HttpResponse:
    if dimension not in ANALYTIC_SEGMENTS:
        raise Http404(_("Not found."))
    return _report_view(
        request,
        form=AnalyticReportForm(request.GET, org=request.org),
        build=lambda form: profit_and_loss_by_analytic(
            org=request.org, dimension=ANALYTIC_SEGMENTS[dimension], filters=form.report_filters()
        ),
        table=report_tables.analytic_table,
        name=f"profit-and-loss-by-{dimension}",
        title=_("Profit and loss by cost center") if dimension == "cost-center" else _("Profit and loss by project"),
        template="ledger/reports/analytic.html",
        context={"dimension": dimension},
    )


def _entry_url(entry_id: int) -> str | None:
    """The entry's own page, once the ledger core provides one."""
    try:
        return reverse("ledger:entry_detail", kwargs={"pk": entry_id})
    except NoReverseMatch:
        return None


@org_view(capability=Capability.LEDGER_VIEW)
def line_list_view(request: HttpRequest) -> HttpResponse:
    """The posted lines under a report figure; its totals equal the figure."""
    filters: LineFilters | None
    try:
        filters = line_filters_from_params(request.GET, org=request.org)
    except DomainError as error:
        apply_domain_error(None, request, error)
        filters = None
    export = _export_format(request)
    page = None
    if filters is not None:
        page = line_list(
            org=request.org,
            filters=filters,
            page=request.GET.get("page"),
            page_size=None if export else LINE_PAGE_SIZE,
        )
        if export:
            table = report_tables.line_list_table(page, currency=request.org.base_currency)
            return _download(request, "journal-lines", _("Journal lines"), table)
    account = Account.objects.filter(organization=request.org, pk=filters.account_id).first() if filters else None
    rows = [(row, _entry_url(row.entry_id)) for row in page.rows] if page else []
    return _page(
        request,
        "ledger/reports/line_list.html",
        {
            "page": page,
            "rows": rows,
            "filter_account": account,
            "page_query": _query_without(request, "page", "export"),
        },
    )
