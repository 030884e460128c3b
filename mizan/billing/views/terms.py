"""Payment terms pages: list, add, edit, deactivate, choose the default."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.billing.forms.terms import PaymentTermForm
from mizan.billing.models import PaymentTerm
from mizan.billing.selectors.terms import payment_term_list
from mizan.billing.services.terms import (
    payment_term_create,
    payment_term_set_active,
    payment_term_set_default,
    payment_term_update,
)
from mizan.core.access import access_or_404, has_capability
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import org_view, run_action, submit_form


@org_view(capability=Capability.BILLING_VIEW)
def term_list_view(request: HttpRequest) -> HttpResponse:
    context = {
        "terms": payment_term_list(org=request.org),
        "can_manage": has_capability(request.membership, Capability.BILLING_MANAGE_TAXES),
    }
    return render(request, "billing/terms/list.html", context)


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_http_methods(["GET", "POST"])
def term_create_view(request: HttpRequest) -> HttpResponse:
    form = PaymentTermForm(request.POST or None)
    done = submit_form(
        request,
        form,
        save=lambda: payment_term_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=lambda term: _("The payment term {term} was added.").format(term=term),
        then=lambda _term: redirect("billing:term_list"),
    )
    if done is not None:
        return done
    return render(request, "billing/terms/form.html", {"form": form, "term": None})


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_http_methods(["GET", "POST"])
def term_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    term = access_or_404(PaymentTerm, org=request.org, pk=pk)
    form = PaymentTermForm(request.POST or None, instance=term)
    done = submit_form(
        request,
        form,
        save=lambda: payment_term_update(
            org=request.org, actor_membership=request.membership, term=term, data=form.cleaned_data
        ),
        success=_("The payment term was saved."),
        then=lambda _term: redirect("billing:term_list"),
    )
    if done is not None:
        return done
    context = {"form": form, "term": term, "audit_entries": audit_entries_for(org=request.org, instance=term)}
    return render(request, "billing/terms/form.html", context)


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_POST
def term_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    term = access_or_404(PaymentTerm, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    run_action(
        request,
        lambda: payment_term_set_active(
            org=request.org, actor_membership=request.membership, term=term, is_active=is_active
        ),
        success=_("The payment term was reactivated.") if is_active else _("The payment term was deactivated."),
    )
    return redirect("billing:term_list")


@org_view(capability=Capability.BILLING_MANAGE_TAXES)
@require_POST
def term_set_default_view(request: HttpRequest, pk: int) -> HttpResponse:
    term = access_or_404(PaymentTerm, org=request.org, pk=pk)
    run_action(
        request,
        lambda: payment_term_set_default(org=request.org, actor_membership=request.membership, term=term),
        success=_("New invoices now get the payment term {term}.").format(term=term),
    )
    return redirect("billing:term_list")
