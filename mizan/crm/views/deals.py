"""Deal pages: the list with filters and saved views, the record page, forms, the kanban board
with its move endpoint, and the weighted forecast. Thin: services decide, selectors read."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter, is_arabic
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view
from mizan.crm.filters.deals import DEAL_DEFAULT_ORDERING, DEAL_ORDERING, DEAL_VIEW_KEYS, DealFilterSet
from mizan.crm.forms.deals import DealForm, DealLostForm, DealMoveForm, ForecastFilterForm, SavedViewForm
from mizan.crm.models import Deal, LostReason, SavedView, Stage
from mizan.crm.selectors.deals import (
    BOARD_CARDS_PER_COLUMN,
    BoardColumn,
    board_column_cards,
    board_column_summaries,
    board_columns,
    deal_detail,
    deal_queryset,
    deal_stage_history,
    duration_text,
    lost_reason_list,
    pipeline_for_board,
    pipeline_list,
    stage_list,
)
from mizan.crm.selectors.forecast import add_months, forecast_build, forecast_grouped_rows, month_start
from mizan.crm.selectors.saved_views import saved_views_for
from mizan.crm.services.deals import (
    deal_create,
    deal_mark_lost,
    deal_mark_won,
    deal_move,
    deal_reopen,
    deal_update,
)
from mizan.crm.services.saved_views import saved_view_create, saved_view_delete, saved_view_query

DEAL_LIST_PAGE_SIZE = 50


# --- List and saved views ------------------------------------------------------------------------


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    queryset = deal_queryset(org=request.org, membership=request.membership)
    filterset = DealFilterSet(request.GET or None, queryset=queryset, request=request)
    ordering_key = request.GET.get("ordering", "")
    ordering = _ordering(ordering_key)
    deals = filterset.qs.order_by(*ordering, "-pk")
    page = Paginator(deals, DEAL_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_ordering = query.copy()
    without_ordering.pop("ordering", None)
    context = {
        "filter": filterset,
        "page": page,
        "deals": page.object_list,
        "filter_query": query.urlencode(),
        "query_without_ordering": without_ordering.urlencode(),
        "ordering": ordering_key if ordering_key.lstrip("-") in DEAL_ORDERING else "",
        "saved_views": saved_views_for(org=request.org, membership=request.membership, list_name="deals"),
        "saved_view_form": SavedViewForm(initial={"query": saved_view_query(request.GET, allowed_keys=DEAL_VIEW_KEYS)}),
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
    }
    return render(request, "crm/deals/list.html", context)


def _ordering(key: str) -> list[str]:
    name = key.lstrip("-")
    if name not in DEAL_ORDERING:
        return list(DEAL_DEFAULT_ORDERING)
    return [("-" if key.startswith("-") else "") + DEAL_ORDERING[name]]


@org_view(capability=Capability.CRM_VIEW)
@require_POST
def saved_view_create_view(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if form.is_valid():
        query = saved_view_query(_query_dict(form.cleaned_data["query"]), allowed_keys=DEAL_VIEW_KEYS)
        try:
            view = saved_view_create(
                org=request.org,
                actor_membership=request.membership,
                list_name=SavedView.ListName.DEALS,
                name=form.cleaned_data["name"],
                query=query,
                is_shared=form.cleaned_data["is_shared"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The view “{name}” was saved.").format(name=view.name))
            return redirect(reverse("crm:deal_list") + (f"?{view.query}" if view.query else ""))
    else:
        messages.error(request, _("Give the view a name."))
    return redirect("crm:deal_list")


@org_view(capability=Capability.CRM_VIEW)
@require_POST
def saved_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = access_or_404(
        SavedView.objects.filter(owner_id=request.user.pk, list_name=SavedView.ListName.DEALS), org=request.org, pk=pk
    )
    saved_view_delete(org=request.org, actor_membership=request.membership, view=view)
    messages.success(request, _("The view was deleted."))
    return redirect("crm:deal_list")


def _query_dict(query: str) -> Any:
    from django.http import QueryDict

    return QueryDict(query or "")


# --- Record page and forms ----------------------------------------------------------------------


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def deal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    history = deal_stage_history(org=request.org, deal=deal)
    context = {
        "deal": deal,
        "stays": [(stay, duration_text(stay.seconds)) for stay in history["stays"]],
        "per_stage": [(stage, duration_text(seconds)) for stage, seconds in history["per_stage"]],
        "stages": stage_list(org=request.org, pipeline=deal.pipeline),
        "move_form": DealMoveForm(org=request.org, initial={"stage": deal.stage_id}),
        "lost_form": DealLostForm(org=request.org),
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
        "audit_entries": audit_entries_for(org=request.org, instance=deal),
    }
    return render(request, "crm/deals/detail.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def deal_create_view(request: HttpRequest) -> HttpResponse:
    initial = {"currency": request.org.base_currency, "owner": request.user.pk, "value": 0}
    for name in ("pipeline", "stage", "company"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = DealForm(request.POST or None, org=request.org, membership=request.membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal = deal_create(org=request.org, actor_membership=request.membership, data=dict(form.cleaned_data))
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The deal was created."))
            return redirect("crm:deal_detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form, "deal": None}, status=400 if form.errors else 200)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def deal_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    initial = {
        "title": deal.title,
        "company": deal.company_id,
        "contacts": [contact.pk for contact in deal.contacts.all()],
        "value": deal.value,
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date,
        "owner": deal.owner_id,
        "source": deal.source_id,
    }
    form = DealForm(request.POST or None, org=request.org, membership=request.membership, deal=deal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal_update(org=request.org, actor_membership=request.membership, deal=deal, data=dict(form.cleaned_data))
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The deal was saved."))
            return redirect("crm:deal_detail", pk=deal.pk)
    return render(request, "crm/deals/form.html", {"form": form, "deal": deal}, status=400 if form.errors else 200)


# --- Moves: the board's endpoint and the record page's buttons ---------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _move_response(request: HttpRequest, deal: Deal, message: str, touched: list[Stage]) -> HttpResponse:
    if _wants_json(request):
        columns = board_column_summaries(org=request.org, membership=request.membership, stages=touched)
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "deal": {"id": deal.pk, "stage": deal.stage_id, "status": deal.status, "position": deal.position},
                "columns": [_column_json(column, Formatter.for_org(request.org)) for column in columns],
            }
        )
    messages.success(request, message)
    return redirect("crm:deal_detail", pk=deal.pk)


def _error_response(request: HttpRequest, deal: Deal, error: DomainError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "code": error.code, "message": error.message, "field": error.field}, status=400
        )
    messages.error(request, error.message)
    return redirect("crm:deal_detail", pk=deal.pk)


def _column_json(column: BoardColumn, formatter: Formatter) -> dict[str, Any]:
    return {
        "stage": column.stage.pk,
        "count": formatter.number(column.count),
        "totals": " · ".join(formatter.money(total, currency) for currency, total in column.totals) or "—",
    }


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def deal_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST stage (and position, 0-based in the column): the board's drag and drop, or the Move form."""
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    stage = access_or_404(Stage.objects.select_related("pipeline"), org=request.org, pk=request.POST.get("stage"))
    position = request.POST.get("position") or None
    old_stage = deal.stage
    try:
        deal_move(org=request.org, actor_membership=request.membership, deal=deal, stage=stage, position=position)
    except DomainError as error:
        return _error_response(request, deal, error)
    message = _("“{deal}” is now in “{stage}”.").format(deal=deal.title, stage=stage)
    return _move_response(request, deal, message, [old_stage, stage] if old_stage.pk != stage.pk else [stage])


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def deal_won_view(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    old_stage = deal.stage
    try:
        deal_mark_won(org=request.org, actor_membership=request.membership, deal=deal)
    except DomainError as error:
        return _error_response(request, deal, error)
    return _move_response(request, deal, _("“{deal}” was won.").format(deal=deal.title), [old_stage])


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def deal_lost_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the reason form (without JavaScript); POST reason (+ note): mark the deal lost."""
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    form = DealLostForm(request.POST or None, org=request.org)
    if request.method == "POST":
        reason_id = request.POST.get("reason")
        reason = access_or_404(LostReason, org=request.org, pk=reason_id) if reason_id else None
        old_stage = deal.stage
        try:
            deal_mark_lost(
                org=request.org,
                actor_membership=request.membership,
                deal=deal,
                reason=reason,
                note=request.POST.get("note", ""),
            )
        except DomainError as error:
            if _wants_json(request):
                return _error_response(request, deal, error)
            apply_domain_error(form, request, error)
        else:
            return _move_response(request, deal, _("“{deal}” was lost.").format(deal=deal.title), [old_stage])
    context = {"deal": deal, "form": form}
    return render(request, "crm/deals/lost.html", context, status=400 if form.errors else 200)


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def deal_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_detail(org=request.org, membership=request.membership, pk=pk)
    try:
        deal_reopen(org=request.org, actor_membership=request.membership, deal=deal)
    except DomainError as error:
        return _error_response(request, deal, error)
    return _move_response(request, deal, _("“{deal}” was reopened.").format(deal=deal.title), [deal.stage])


# --- The board ----------------------------------------------------------------------------------


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def deal_board(request: HttpRequest) -> HttpResponse:
    pipeline = pipeline_for_board(org=request.org, pk=request.GET.get("pipeline"))
    owner = request.GET.get("owner") if request.GET.get("owner", "").isdigit() else None
    columns = board_columns(org=request.org, membership=request.membership, pipeline=pipeline, owner=owner)
    closing_stages = {
        stage.kind: stage
        for stage in reversed(list(stage_list(org=request.org, pipeline=pipeline)))
        if stage.kind != "open"
    }
    context = {
        "pipeline": pipeline,
        "pipelines": pipeline_list(org=request.org, active_only=True),
        "columns": columns,
        "owner": owner,
        "won_stage": closing_stages.get(Stage.Kind.WON),
        "lost_stage": closing_stages.get(Stage.Kind.LOST),
        "lost_reasons": lost_reason_list(org=request.org, active_only=True),
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
        "per_column": BOARD_CARDS_PER_COLUMN,
    }
    return render(request, "crm/deals/board.html", context)


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def deal_board_column(request: HttpRequest) -> HttpResponse:
    """htmx "load more" for one column: the next cards and, if any remain, a new button."""
    stage = access_or_404(Stage.objects.select_related("pipeline"), org=request.org, pk=request.GET.get("stage"))
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    owner = request.GET.get("owner") if request.GET.get("owner", "").isdigit() else None
    cards = board_column_cards(org=request.org, membership=request.membership, stage=stage, offset=offset, owner=owner)
    context = {
        "cards": cards,
        "stage": stage,
        "next_offset": offset + len(cards),
        "has_more": len(cards) == BOARD_CARDS_PER_COLUMN,
        "owner": owner,
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
    }
    return render(request, "crm/deals/board.html#more_cards", context)


# --- Forecast -----------------------------------------------------------------------------------


def _chart_locale(formatter: Formatter) -> str:
    """The BCP 47 locale Chart.js formats axis ticks and tooltips with, digits included."""
    language = formatter.active_language
    if not is_arabic(language):
        return "en"
    region = f"-{formatter.country}" if formatter.country else ""
    return f"ar{region}-u-nu-{'arab' if formatter.arabic_indic_digits else 'latn'}"


@org_view(capability=Capability.CRM_VIEW)
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    first = month_start(request.org.today())
    default_to = add_months(first, 12) - datetime.timedelta(days=1)
    form = ForecastFilterForm(request.GET or None, org=request.org, initial={"date_from": first, "date_to": default_to})
    filters: dict[str, Any] = {"date_from": first, "date_to": default_to}
    if form.is_bound and form.is_valid():
        filters = {
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
            "pipeline": form.cleaned_data["pipeline"],
            "owner": form.cleaned_data["owner"],
        }
    result = forecast_build(org=request.org, membership=request.membership, **filters)
    formatter = Formatter.for_org(request.org)  # no template has activated it yet
    tables = [
        {
            "table": table,
            "months": [(month, table.by_month[month]) for month in table.months],
            "by_pipeline": forecast_grouped_rows(result, table, by="pipeline"),
            "by_owner": forecast_grouped_rows(result, table, by="owner"),
        }
        for table in result.tables
    ]
    base = next((table for table in result.tables if table.currency == result.base_currency), None)
    chart = {
        "label": _("Weighted value ({currency})").format(currency=result.base_currency),
        "labels": [formatter.date(month, date_format="MMM y") for month in base.months] if base else [],
        "values": [str(base.by_month[month].weighted) for month in base.months] if base else [],
        "locale": _chart_locale(formatter),
    }
    context = {"form": form, "forecast": result, "tables": tables, "chart": chart}
    return render(request, "crm/deals/forecast.html", context, status=400 if form.errors else 200)
