"""Exchange rates (manual entry, CSV import) and the opening-balance import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.ledger.forms import CsvUploadForm, ExchangeRateForm, OpeningBalanceForm
from mizan.ledger.models import ExchangeRate
from mizan.ledger.selectors.periods import exchange_rate_list
from mizan.ledger.services.currencies import exchange_rate_delete, exchange_rate_set, exchange_rates_import
from mizan.ledger.services.opening import opening_balances_import, opening_balances_parse


@org_view(capability=Capability.LEDGER_VIEW)
@require_http_methods(["GET", "POST"])
def exchange_rate_list_view(request: HttpRequest) -> HttpResponse:
    can_manage = has_capability(request.membership, Capability.LEDGER_MANAGE)
    form = ExchangeRateForm(request.POST or None, initial={"date": request.org.today()})
    if request.method == "POST":
        if not can_manage:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                exchange_rate_set(org=request.org, actor_membership=request.membership, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, request, error)
            else:
                messages.success(request, _("The exchange rate was saved."))
                return redirect("ledger:exchange_rate_list")
    currency = request.GET.get("currency") or None
    page = Paginator(exchange_rate_list(org=request.org, currency=currency), 50).get_page(request.GET.get("page"))
    context = {"form": form, "import_form": CsvUploadForm(), "page": page, "can_manage": can_manage}
    return render(request, "ledger/rates/list.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def exchange_rate_import_view(request: HttpRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect("ledger:exchange_rate_list")
    try:
        result = exchange_rates_import(org=request.org, actor_membership=request.membership, text=form.text())
    except (DomainError, forms.ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
    else:
        messages.success(
            request,
            _("{created} rates added, {updated} updated.").format(
                created=active_formatter().number(result.created), updated=active_formatter().number(result.updated)
            ),
        )
    return redirect("ledger:exchange_rate_list")


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def exchange_rate_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    rate = access_or_404(ExchangeRate, org=request.org, pk=pk)
    try:
        exchange_rate_delete(org=request.org, actor_membership=request.membership, exchange_rate=rate)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The exchange rate was deleted."))
    return redirect("ledger:exchange_rate_list")


@org_view(capability=Capability.LEDGER_POST)
@require_http_methods(["GET", "POST"])
def opening_balance_import(request: HttpRequest) -> HttpResponse:
    """Step 1 (action=preview): parse the file and show the entry; step 2 (action=import): post it."""
    form = OpeningBalanceForm(request.POST or None, request.FILES or None)
    plan = text = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.text()
            if request.POST.get("action") == "import":
                entry = opening_balances_import(
                    org=request.org, actor_membership=request.membership, text=text, date=form.cleaned_data["date"]
                )
                messages.success(
                    request, _("The opening entry {number} was posted.").format(number=entry.display_number())
                )
                return redirect("ledger:entry_detail", pk=entry.pk)
            plan = opening_balances_parse(org=request.org, text=text)
        except forms.ValidationError as error:
            form.add_error("file", error)
        except DomainError as error:
            plan = None
            apply_domain_error(form, request, error)
    context = {"form": form, "plan": plan, "csv_text": text or ""}
    return render(request, "ledger/opening/import.html", context)
