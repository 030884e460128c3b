"""Company and contact pages: lists with search and filters, record pages, create and edit forms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import has_capability
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import org_view, run_action
from mizan.crm.filters.clients import CompanyFilterSet, ContactFilterSet
from mizan.crm.forms.clients import CompanyForm, ContactForm
from mizan.crm.models import Company, Contact
from mizan.crm.selectors.clients import (
    COMPANY_ORDERING,
    CONTACT_ORDERING,
    client_deals,
    company_contacts,
    company_list,
    contact_list,
)
from mizan.crm.selectors.visibility import crm_visible_or_404
from mizan.crm.services.clients import (
    company_create,
    company_deactivate,
    company_reactivate,
    company_update,
    contact_create,
    contact_deactivate,
    contact_reactivate,
    contact_update,
)
from mizan.crm.views.editing import posted, record_form_page
from mizan.crm.views.listing import list_page, url_exists

#: At most this many contacts / deals on a record page (the lists have the rest).
RELATED_LIMIT = 100


def _company(request: HttpRequest, pk: int) -> Company:
    queryset = Company.objects.select_related("owner").prefetch_related("tags")
    return crm_visible_or_404(queryset, org=request.org, membership=request.membership, pk=pk)


def _contact(request: HttpRequest, pk: int) -> Contact:
    queryset = Contact.objects.select_related("owner", "company").prefetch_related("tags")
    return crm_visible_or_404(queryset, org=request.org, membership=request.membership, pk=pk)


def _record_context(request: HttpRequest, record: Any) -> dict[str, Any]:
    return {
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
        "audit_entries": audit_entries_for(org=request.org, instance=record),
        "deal_links": url_exists("crm:deal_detail", 1),
    }


# --- companies -----------------------------------------------------------------------------------


@org_view(capability=Capability.CRM_VIEW)
def company_list_view(request: HttpRequest) -> HttpResponse:
    listing = list_page(
        request,
        queryset=company_list(org=request.org, membership=request.membership),
        filterset_class=CompanyFilterSet,
        ordering_map=COMPANY_ORDERING,
        default_ordering="name",
    )
    context = {
        "listing": listing,
        "companies": listing.page.object_list,
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
    }
    return render(request, "crm/clients/company_list.html", context)


@org_view(capability=Capability.CRM_VIEW)
def company_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company(request, pk)
    context = {
        "company": company,
        "contacts": company_contacts(org=request.org, membership=request.membership, company=company)[:RELATED_LIMIT],
        "deals": client_deals(org=request.org, membership=request.membership, company=company)[:RELATED_LIMIT],
        **_record_context(request, company),
    }
    return render(request, "crm/clients/company_detail.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def company_create_view(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(posted(request), org=request.org, membership=request.membership)
    return record_form_page(
        request,
        form,
        save=lambda form: company_create(
            org=request.org, actor_membership=request.membership, data=form.service_data()
        ),
        success=_("The company was added."),
        then=lambda company: redirect("crm:company_detail", pk=company.pk),
        title=_("New company"),
        cancel_href=reverse("crm:company_list"),
    )


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def company_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company(request, pk)
    form = CompanyForm(
        posted(request), initial=CompanyForm.initial_for(company), org=request.org, membership=request.membership
    )
    return record_form_page(
        request,
        form,
        save=lambda form: company_update(
            org=request.org, actor_membership=request.membership, company=company, data=form.service_data()
        ),
        success=_("The company was saved."),
        then=lambda company: redirect("crm:company_detail", pk=company.pk),
        title=_("Edit {name}").format(name=company),
        cancel_href=reverse("crm:company_detail", args=[company.pk]),
    )


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def company_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company(request, pk)
    _run(request, company_deactivate, _("The company was deactivated."), company=company)
    return redirect("crm:company_detail", pk=company.pk)


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def company_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company(request, pk)
    _run(request, company_reactivate, _("The company is active again."), company=company)
    return redirect("crm:company_detail", pk=company.pk)


def _run(request: HttpRequest, service: Any, success: str, **records: Any) -> None:
    run_action(
        request, lambda: service(org=request.org, actor_membership=request.membership, **records), success=success
    )


# --- contacts ------------------------------------------------------------------------------------


@org_view(capability=Capability.CRM_VIEW)
def contact_list_view(request: HttpRequest) -> HttpResponse:
    listing = list_page(
        request,
        queryset=contact_list(org=request.org, membership=request.membership),
        filterset_class=ContactFilterSet,
        ordering_map=CONTACT_ORDERING,
        default_ordering="name",
    )
    context = {
        "listing": listing,
        "contacts": listing.page.object_list,
        "can_edit": has_capability(request.membership, Capability.CRM_EDIT),
    }
    return render(request, "crm/clients/contact_list.html", context)


@org_view(capability=Capability.CRM_VIEW)
def contact_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    context = {
        "contact": contact,
        "deals": client_deals(org=request.org, membership=request.membership, contact=contact)[:RELATED_LIMIT],
        **_record_context(request, contact),
    }
    return render(request, "crm/clients/contact_detail.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def contact_create_view(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("company", "").isdigit():
        initial["company"] = int(request.GET["company"])
    form = ContactForm(posted(request), initial=initial, org=request.org, membership=request.membership)
    return record_form_page(
        request,
        form,
        save=lambda form: contact_create(
            org=request.org, actor_membership=request.membership, data=form.service_data()
        ),
        success=_("The contact was added."),
        then=lambda contact: redirect("crm:contact_detail", pk=contact.pk),
        title=_("New contact"),
        cancel_href=reverse("crm:contact_list"),
    )


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def contact_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    form = ContactForm(
        posted(request),
        initial=ContactForm.initial_for(contact),
        org=request.org,
        membership=request.membership,
        contact=contact,
    )
    return record_form_page(
        request,
        form,
        save=lambda form: contact_update(
            org=request.org, actor_membership=request.membership, contact=contact, data=form.service_data()
        ),
        success=_("The contact was saved."),
        then=lambda contact: redirect("crm:contact_detail", pk=contact.pk),
        title=_("Edit {name}").format(name=contact),
        cancel_href=reverse("crm:contact_detail", args=[contact.pk]),
    )


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def contact_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    _run(request, contact_deactivate, _("The contact was deactivated."), contact=contact)
    return redirect("crm:contact_detail", pk=contact.pk)


@org_view(capability=Capability.CRM_EDIT)
@require_POST
def contact_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    _run(request, contact_reactivate, _("The contact is active again."), contact=contact)
    return redirect("crm:contact_detail", pk=contact.pk)
