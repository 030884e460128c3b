"""The organization-wide audit log: who changed what, newest first, with allow-listed filters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mizan.core.forms.organizations import AuditLogFilterForm
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_log_entries, with_display_changes
from mizan.core.views.base import org_view

AUDIT_LOG_PAGE_SIZE = 50


@org_view(capability=Capability.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditLogFilterForm(request.GET or None, org=request.org)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    paginator = Paginator(audit_log_entries(org=request.org, filters=filters), AUDIT_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": with_display_changes(page.object_list),
        "filter_query": query.urlencode(),
    }
    return render(request, "core/audit/log.html", context)
