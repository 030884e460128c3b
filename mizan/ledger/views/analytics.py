"""Departments, cost centers and projects: the dimensions journal lines and the per cost center /
per project reports use. Every write goes through the analytic account services."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, submit_form
from mizan.ledger.analytic_forms import AnalyticAccountForm, AnalyticFilterForm
from mizan.ledger.models import AnalyticAccount, AnalyticKind
from mizan.ledger.selectors.analytics import LINE_FIELD, analytic_account_page_list
from mizan.ledger.services.accounts import analytic_account_create, analytic_account_update

PAGE_SIZE = 50

#: The report segment (ledger:report_analytic) whose columns each kind appears in.
REPORT_SEGMENT = {
    AnalyticKind.DEPARTMENT: "cost-center",
    AnalyticKind.COST_CENTER: "cost-center",
    AnalyticKind.PROJECT: "project",
}

#: Section headings of the list, one per kind.
KIND_HEADINGS = {
    AnalyticKind.DEPARTMENT: gettext_lazy("Departments"),
    AnalyticKind.COST_CENTER: gettext_lazy("Cost centers"),
    AnalyticKind.PROJECT: gettext_lazy("Projects"),
}


@dataclass
class KindGroup:
    kind: str
    label: str
    report_url: str
    accounts: list[AnalyticAccount] = field(default_factory=list)


def report_url(kind: str) -> str:
    """The profit and loss report with one column per analytic account of this kind's dimension."""
    return reverse("ledger:report_analytic", kwargs={"dimension": REPORT_SEGMENT[kind]})


def lines_url(analytic: AnalyticAccount) -> str:
    """The drill-down of the posted lines tagged with this analytic account."""
    return "{}?{}".format(reverse("ledger:line_list"), urlencode({LINE_FIELD[analytic.kind]: analytic.pk}))


def _group_by_kind(accounts: list[AnalyticAccount]) -> list[KindGroup]:
    """The page's rows (already ordered by kind) in one group per kind; no query."""
    groups: dict[str, KindGroup] = {}
    for analytic in accounts:
        group = groups.get(analytic.kind)
        if group is None:
            heading = str(KIND_HEADINGS[analytic.kind])
            group = groups[analytic.kind] = KindGroup(analytic.kind, heading, report_url(analytic.kind))
        analytic.posted_line_count = getattr(analytic, f"{LINE_FIELD[analytic.kind]}_line_count")
        analytic.lines_url = lines_url(analytic)
        group.accounts.append(analytic)
    return list(groups.values())


@org_view(capability=Capability.LEDGER_VIEW)
def analytic_account_list(request: HttpRequest) -> HttpResponse:
    filter_form = AnalyticFilterForm(request.GET)
    kind, is_active = filter_form.selected_kind(), filter_form.selected_is_active()
    accounts = analytic_account_page_list(org=request.org, kind=kind, is_active=is_active)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "groups": _group_by_kind(list(page.object_list)),
        "page_query": query.urlencode(),
        "filtered": kind is not None or is_active is not None,
        "can_manage": has_capability(request.membership, Capability.LEDGER_MANAGE),
    }
    return render(request, "ledger/analytics/list.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def analytic_account_create_view(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in AnalyticKind.values else {}
    form = AnalyticAccountForm(request.POST or None, initial=initial)
    done = submit_form(
        request,
        form,
        save=lambda: analytic_account_create(
            org=request.org, actor_membership=request.membership, data=form.cleaned_data
        ),
        success=lambda analytic: _("The analytic account {account} was added.").format(account=analytic),
        then=lambda _analytic: redirect("ledger:analytic_account_list"),
    )
    if done is not None:
        return done
    return render(request, "ledger/analytics/form.html", {"form": form, "analytic": None})


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def analytic_account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    analytic = access_or_404(AnalyticAccount, org=request.org, pk=pk)
    form = AnalyticAccountForm(request.POST or None, instance=analytic)
    done = submit_form(
        request,
        form,
        save=lambda: analytic_account_update(
            org=request.org, actor_membership=request.membership, analytic_account=analytic, data=form.cleaned_data
        ),
        success=_("The analytic account was saved."),
        then=lambda _analytic: redirect("ledger:analytic_account_list"),
    )
    if done is not None:
        return done
    context = {
        "form": form,
        "analytic": analytic,
        "report_url": report_url(analytic.kind),
        "lines_url": lines_url(analytic),
        "audit_entries": audit_entries_for(org=request.org, instance=analytic),
    }
    return render(request, "ledger/analytics/form.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def analytic_account_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (no longer offered on new lines; history and reports keep it) or reactivate."""
    analytic = access_or_404(AnalyticAccount, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        analytic_account_update(
            org=request.org,
            actor_membership=request.membership,
            analytic_account=analytic,
            data={"is_active": is_active},
        )
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        message = (
            _("The analytic account was reactivated.") if is_active else _("The analytic account was deactivated.")
        )
        messages.success(request, message)
    return redirect("ledger:analytic_account_list")
