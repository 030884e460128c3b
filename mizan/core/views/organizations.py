"""Organization pages: create another organization, settings, and switching between them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.errors import DomainError
from mizan.core.forms.organizations import OrganizationCreateForm, OrganizationSettingsForm
from mizan.core.middleware import ORGANIZATION_SESSION_KEY
from mizan.core.models import Organization
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.services.organizations import organization_create, organization_switch, organization_update
from mizan.core.views.base import apply_domain_error, org_view


@login_required
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    """Not an org_view: people without any organization are sent here to make their first."""
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = organization_create(
                owner=request.user,
                name_ar=data["name_ar"],
                name_en=data["name_en"],
                country=data["country"],
                base_currency=data["base_currency"] or None,
                timezone_name=data["timezone"] or None,
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            request.session[ORGANIZATION_SESSION_KEY] = org.pk
            messages.success(request, _("{name} is ready.").format(name=org.display_name()))
            return redirect("core:home")
    status = 400 if form.errors else 200
    return render(request, "core/organizations/create.html", {"form": form}, status=status)


@org_view(capability=Capability.ORGANIZATION_MANAGE)
@require_http_methods(["GET", "POST"])
def organization_settings(request: HttpRequest) -> HttpResponse:
    """The organization's settings; the form only checks shape, organization_update decides."""
    # The form gets its own copy: a ModelForm writes into its instance while validating.
    form = OrganizationSettingsForm(
        request.POST or None, request.FILES or None, instance=Organization.objects.get(pk=request.org.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(org=request.org, actor_membership=request.membership, data=form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("core:organization_settings")
    context = {
        "form": form,
        "audit_entries": audit_entries_for(org=request.org, instance=request.org),
    }
    return render(request, "core/organizations/settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def organization_switch_view(request: HttpRequest) -> HttpResponse:
    """Make another of the user's organizations current; someone else's organization is a 404."""
    try:
        org = organization_switch(user=request.user, organization_id=request.POST.get("organization_id"))
    except DomainError:
        raise Http404(_("Not found.")) from None
    request.session[ORGANIZATION_SESSION_KEY] = org.pk
    messages.success(request, _("You are now working in {name}.").format(name=org.display_name()))
    return redirect("core:home")
