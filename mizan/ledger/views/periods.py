"""Fiscal years and periods: create a year, close and reopen periods, close the year."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.ledger.forms import ReopenForm
from mizan.ledger.models import FiscalYear, Period
from mizan.ledger.selectors.periods import fiscal_year_list
from mizan.ledger.services.periods import fiscal_year_close, fiscal_year_create, period_close, period_reopen


@org_view(capability=Capability.LEDGER_VIEW)
def period_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    context = {
        "fiscal_years": fiscal_year_list(org=request.org),
        "can_manage": has_capability(membership, Capability.LEDGER_MANAGE),
        "can_close": has_capability(membership, Capability.LEDGER_CLOSE_PERIOD),
        "can_reopen": has_capability(membership, Capability.LEDGER_REOPEN_PERIOD),
        "reopen_form": ReopenForm(),
    }
    return render(request, "ledger/periods/list.html", context)


@org_view(capability=Capability.LEDGER_CLOSE_PERIOD)
@require_POST
def period_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = access_or_404(Period, org=request.org, pk=pk)
    try:
        period_close(org=request.org, actor_membership=request.membership, period=period)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The period {period} was closed.").format(period=period))
    return redirect("ledger:period_list")


@org_view(capability=Capability.LEDGER_REOPEN_PERIOD)
@require_POST
def period_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = access_or_404(Period, org=request.org, pk=pk)
    form = ReopenForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        period_reopen(org=request.org, actor_membership=request.membership, period=period, reason=reason)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The period {period} was reopened.").format(period=period))
    return redirect("ledger:period_list")


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def fiscal_year_create_view(request: HttpRequest) -> HttpResponse:
    start_date = None
    if request.POST.get("start_date"):
        try:
            start_date = datetime.date.fromisoformat(request.POST["start_date"])
        except ValueError:
            messages.error(request, _("Enter a valid start date."))
            return redirect("ledger:period_list")
    try:
        year = fiscal_year_create(org=request.org, actor_membership=request.membership, start_date=start_date)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The fiscal year {year} was created.").format(year=year))
    return redirect("ledger:period_list")


@org_view(capability=Capability.LEDGER_CLOSE_PERIOD)
@require_POST
def fiscal_year_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    year = access_or_404(FiscalYear, org=request.org, pk=pk)
    try:
        fiscal_year_close(org=request.org, actor_membership=request.membership, fiscal_year=year)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The fiscal year {year} was closed.").format(year=year))
    return redirect("ledger:period_list")
