"""Taxes and billing settings pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mizan.billing.forms.taxes import BillingSettingsForm, TaxForm
from mizan.billing.models import Tax
from mizan.billing.selectors.taxes import tax_export_rows, tax_list
from mizan.billing.services.taxes import (
    billing_settings_for,
    billing_settings_update,
    tax_create,
    tax_set_active,
    tax_update,
)
from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.exports import list_export_response
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, submit_form

EXPORT_COLUMNS = [
    ("name_ar", gettext_lazy("Name in Arabic")),
    ("name_en", gettext_lazy("Name in English")),
    ("rate", gettext_lazy("Rate (%)")),
    ("kind", gettext_lazy("Kind")),
    ("reason_code", gettext_lazy("Reason code")),
    ("reason", gettext_lazy("Exemption reason")),
    ("account", gettext_lazy("Account")),
    ("valid_from", gettext_lazy("Valid from")),
    ("valid_to", gettext_lazy("Valid until")),
    ("is_active", gettext_lazy("Active")),
]


@org_view(capability=Capability.BILLING_VIEW)
def tax_list_view(request: HttpRequest) -> HttpResponse:
    taxes = tax_list(org=request.org)
    if "export" in request.GET:
        return list_export_response(
            request, filename="taxes", columns=EXPORT_COLUMNS, rows=tax_export_rows(taxes=taxes), sheet_title=_("Taxes")
        )
    context = {
        "taxes": taxes,
        "settings_row": billing_settings_for(request.org),
        "can_manage": has_capability(request.membership, Capability.BILLING_MANAGE_TAXES),
    }
    return render(request, "billing/taxes/list.html", context)


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_http_methods(["GET", "POST"])
def tax_create_view(request: HttpRequest) -> HttpResponse:
    form = TaxForm(request.POST or None, org=request.org)
    done = submit_form(
        request,
        form,
        save=lambda: tax_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=lambda tax: _("The tax {tax} was added.").format(tax=tax),
        then=lambda _tax: redirect("billing:tax_list"),
    )
    if done is not None:
        return done
    return render(request, "billing/taxes/form.html", {"form": form, "tax": None})


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_http_methods(["GET", "POST"])
def tax_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    tax = access_or_404(Tax, org=request.org, pk=pk)
    form = TaxForm(request.POST or None, org=request.org, instance=tax)
    done = submit_form(
        request,
        form,
        save=lambda: tax_update(org=request.org, actor_membership=request.membership, tax=tax, data=form.cleaned_data),
        success=_("The tax was saved."),
        then=lambda _tax: redirect("billing:tax_list"),
    )
    if done is not None:
        return done
    context = {"form": form, "tax": tax, "audit_entries": audit_entries_for(org=request.org, instance=tax)}
    return render(request, "billing/taxes/form.html", context)


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_POST
def tax_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    tax = access_or_404(Tax, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        tax_set_active(org=request.org, actor_membership=request.membership, tax=tax, is_active=is_active)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The tax was reactivated.") if is_active else _("The tax was deactivated."))
    return redirect("billing:tax_list")


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_http_methods(["GET", "POST"])
def billing_settings_view(request: HttpRequest) -> HttpResponse:
    row = billing_settings_for(request.org)
    initial = BillingSettingsForm.initial_for(row)
    form = BillingSettingsForm(BillingSettingsForm.posted_data(request.POST, initial), initial=initial)
    done = submit_form(
        request,
        form,
        save=lambda: billing_settings_update(
            org=request.org, actor_membership=request.membership, data=form.cleaned_data
        ),
        success=_("The billing settings were saved."),
        then=lambda _row: redirect("billing:settings"),
    )
    if done is not None:
        return done
    return render(request, "billing/settings.html", {"form": form})
