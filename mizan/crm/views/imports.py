"""Lead import pages: upload, column mapping, preview, and the progress of the background run."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.crm.forms.tools import ImportMappingForm, ImportUploadForm
from mizan.crm.models import ImportJob
from mizan.crm.selectors.tools import import_job_list
from mizan.crm.services.imports import (
    IMPORT_FIELDS,
    import_job_create,
    import_job_set_mapping,
    import_job_start,
    import_preview,
)

#: Cells written left to right whatever the page language (a phone's "+" must stay in front).
_LTR_FIELDS = frozenset({"email", "phone", "website"})


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return access_or_404(import_job_list(org=request.org, membership=request.membership), org=request.org, pk=pk)


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def import_list_view(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_job_create(
                    org=request.org, actor_membership=request.membership, upload=form.cleaned_data["file"]
                )
            except DomainError as error:
                apply_domain_error(form, request, error)
            else:
                return redirect("crm:import_map", pk=job.pk)
    page = Paginator(import_job_list(org=request.org, membership=request.membership), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "crm/tools/import_list.html", {"form": form, "page": page, "jobs": page.object_list})


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def import_map_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
        return redirect("crm:import_detail", pk=job.pk)
    form = ImportMappingForm(request.POST or None, job=job, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            import_job_set_mapping(
                org=request.org,
                actor_membership=request.membership,
                job=job,
                mapping=form.mapping(),
                default_source=form.cleaned_data["default_source"],
            )
        except DomainError as error:
            if error.field in IMPORT_FIELDS:
                error.field = f"column_{error.field}"
            apply_domain_error(form, request, error)
        else:
            return redirect("crm:import_preview", pk=job.pk)
    return render(request, "crm/tools/import_map.html", {"job": job, "form": form})


@org_view(capability=Capability.CRM_EDIT)
@require_http_methods(["GET", "POST"])
def import_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The first rows with their problems; POST starts the background import."""
    job = _job(request, pk)
    if request.method == "POST":
        try:
            import_job_start(org=request.org, actor_membership=request.membership, job=job)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The import has started. You can leave this page; it continues."))
        return redirect("crm:import_detail", pk=job.pk)
    if job.status == ImportJob.Status.UPLOADED:
        return redirect("crm:import_map", pk=job.pk)
    rows = import_preview(org=request.org, job=job)
    fields = [(name, label) for name, label in IMPORT_FIELDS.items() if name in job.mapping]
    context = {
        "job": job,
        "rows": [(row, [(row.values.get(name, ""), name in _LTR_FIELDS) for name, _label in fields]) for row in rows],
        "fields": fields,
        "row_count_with_errors": sum(1 for row in rows if row.errors),
    }
    return render(request, "crm/tools/import_preview.html", context)


@org_view(capability=Capability.CRM_EDIT)
@require_GET
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress; htmx asks for the `progress` fragment every second while the import runs."""
    job = _job(request, pk)
    template = "crm/tools/import_detail.html"
    if request.headers.get("HX-Request"):
        template += "#progress"
    return render(request, template, {"job": job})
