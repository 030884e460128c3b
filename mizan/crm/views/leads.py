"""Lead pages (list, record, create, edit, disqualify, convert) and the lead sources admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, run_action
from mizan.crm.filters.clients import LeadFilterSet
from mizan.crm.forms.clients import NEW, LeadConvertForm, LeadDisqualifyForm, LeadForm, LeadSourceForm
from mizan.crm.models import Company, Contact, Lead, LeadSource
from mizan.crm.selectors.leads import LEAD_ORDERING, lead_detail_queryset, lead_list, lead_source_list
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.leads import (
    Match,
    lead_conversion_matches,
    lead_convert,
    lead_create,
    lead_disqualify,
    lead_source_create,
    lead_source_deactivate,
    lead_source_update,
    lead_update,
)
from mizan.crm.views.editing import posted, record_form_page
from mizan.crm.views.listing import list_page, url_exists


def _lead(request: HttpRequest, pk: int) -> Lead:
    return crm_visible_or_404(
        lead_detail_queryset(org=request.org, membership=request.membership),
        org=request.org,
        membership=request.membership,
        pk=pk,
    )


@org_view(capability=Capability.CRM_VIEW)
def lead_list_view(request: HttpRequest) -> HttpResponse:
    listing = list_page(
        request,
        queryset=lead_list(org=request.org, membership=request.membership),
        filterset_class=LeadFilterSet,
        ordering_map=LEAD_ORDERING,
        default_ordering="-created_at",
    )
    context = {
        "listing": listing,
        "leads": listing.page.object_list,
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
    }
    return render(request, "crm/clients/lead_list.html", context)


@org_view(capability=Capability.CRM_VIEW)
def lead_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    is_open = lead.status not in (Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED)
    context = {
        "lead": lead,
        "is_open": is_open,
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
        "disqualify_form": LeadDisqualifyForm(),
        "audit_entries": audit_entries_for(org=request.org, instance=lead),
        "deal_links": url_exists("crm:deal_detail", 1),
    }
    return render(request, "crm/clients/lead_detail.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def lead_create_view(request: HttpRequest) -> HttpResponse:
    form = LeadForm(posted(request), org=request.org, membership=request.membership)
    return record_form_page(
        request,
        form,
        save=lambda form: _lead_create(request, form.service_data()),
        success=_("The lead was added."),
        then=lambda lead: redirect("crm:lead_detail", pk=lead.pk),
        title=_("New lead"),
        cancel_href=reverse("crm:lead_list"),
    )


def _lead_create(request: HttpRequest, data: dict[str, Any]) -> Lead:
    """The form's source is a separate argument of the service, not a field of the lead's data."""
    source = data.pop("source", None)
    return lead_create(org=request.org, actor_membership=request.membership, data=data, source=source)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def lead_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if lead.status == Lead.Status.CONVERTED:
        messages.error(request, _("This lead has already been converted."))
        return redirect("crm:lead_detail", pk=lead.pk)
    form = LeadForm(posted(request), initial=LeadForm.initial_for(lead), org=request.org, membership=request.membership)
    return record_form_page(
        request,
        form,
        save=lambda form: lead_update(
            org=request.org, actor_membership=request.membership, lead=lead, data=form.service_data()
        ),
        success=_("The lead was saved."),
        then=lambda lead: redirect("crm:lead_detail", pk=lead.pk),
        title=_("Edit {name}").format(name=lead),
        cancel_href=reverse("crm:lead_detail", args=[lead.pk]),
    )


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def lead_disqualify_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = LeadDisqualifyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_action(
        request,
        lambda: lead_disqualify(org=request.org, actor_membership=request.membership, lead=lead, reason=reason),
        success=_("The lead was disqualified."),
    )
    return redirect("crm:lead_detail", pk=lead.pk)


def _chosen(request: HttpRequest, name: str, model: type, matches: list[Match]) -> Any:
    """The record picked on the convert page ("new" -> None); any id outside what the member may see is a 404."""
    value = request.POST.get(name, NEW)
    if value == NEW:
        return None
    record = crm_visible_or_404(model.objects.all(), org=request.org, membership=request.membership, pk=value)
    if all(match.record.pk != record.pk for match in matches):
        matches.append(Match(record, []))
    return record


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def lead_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Existing matches come first (use existing / create new), then the deal's details."""
    lead = _lead(request, pk)
    if lead.status == Lead.Status.CONVERTED:
        messages.error(request, _("This lead has already been converted."))
        return redirect("crm:lead_detail", pk=lead.pk)
    matches = lead_conversion_matches(org=request.org, lead=lead, membership=request.membership)
    company = contact = None
    if request.method == "POST":
        company = _chosen(request, "company_choice", Company, matches.companies)
        contact = _chosen(request, "contact_choice", Contact, matches.contacts)
    form = LeadConvertForm(
        request.POST if request.method == "POST" else None,
        org=request.org,
        lead=lead,
        company_matches=matches.companies,
        contact_matches=matches.contacts,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deal_data = {
            "title": data["deal_title"],
            "value": data["deal_value"],
            "currency": data["deal_currency"],
            "pipeline": data["pipeline"],
            "expected_close_date": data["expected_close_date"],
        }
        try:
            _company, _contact, deal = lead_convert(
                org=request.org,
                actor_membership=request.membership,
                lead=lead,
                company=company,
                contact=contact,
                deal_data=deal_data,
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The lead was converted into the deal “{deal}”.").format(deal=deal.title))
            if url_exists("crm:deal_detail", deal.pk):
                return redirect("crm:deal_detail", pk=deal.pk)
            return redirect("crm:lead_detail", pk=lead.pk)
    context = {"lead": lead, "form": form, "matches": matches}
    return render(request, "crm/clients/lead_convert.html", context, status=400 if form.errors else 200)


# --- lead sources --------------------------------------------------------------------------------


@org_view(capability=Capability.CRM_MANAGE)
def lead_source_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/clients/lead_source_list.html", {"sources": lead_source_list(org=request.org)})


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def lead_source_create_view(request: HttpRequest) -> HttpResponse:
    return record_form_page(
        request,
        LeadSourceForm(posted(request)),
        save=lambda form: lead_source_create(
            org=request.org, actor_membership=request.membership, data=form.cleaned_data
        ),
        success=_("The lead source was added."),
        then=lambda _source: redirect("crm:lead_source_list"),
        title=_("New lead source"),
        cancel_href=reverse("crm:lead_source_list"),
    )


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def lead_source_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    source = access_or_404(LeadSource, org=request.org, pk=pk)
    return record_form_page(
        request,
        LeadSourceForm(posted(request), initial=LeadSourceForm.initial_for(source)),
        save=lambda form: lead_source_update(
            org=request.org, actor_membership=request.membership, source=source, data=form.cleaned_data
        ),
        success=_("The lead source was saved."),
        then=lambda _source: redirect("crm:lead_source_list"),
        title=_("Edit {name}").format(name=source),
        cancel_href=reverse("crm:lead_source_list"),
    )


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def lead_source_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    source = access_or_404(LeadSource, org=request.org, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        if active:
            lead_source_update(
                org=request.org, actor_membership=request.membership, source=source, data={"is_active": True}
            )
        else:
            lead_source_deactivate(org=request.org, actor_membership=request.membership, source=source)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(
            request, _("The lead source is active again.") if active else _("The lead source was deactivated.")
        )
    return redirect("crm:lead_source_list")
