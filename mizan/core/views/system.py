"""The installation's status page: database, task backend, workers, queued/running/failed tasks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.selectors.system import system_status, task_run_visible_or_404
from mizan.core.services.background import task_run_retry
from mizan.core.views.base import apply_domain_error, org_view


@org_view(capability=Capability.SYSTEM_STATUS_VIEW)
def system_status_view(request: HttpRequest) -> HttpResponse:
    status = system_status(org=request.org, membership=request.membership)
    return render(request, "core/system/status.html", {"status": status})


@org_view(capability=Capability.SYSTEM_STATUS_VIEW)
@require_POST
def task_run_retry_view(request: HttpRequest, pk: str) -> HttpResponse:
    run = task_run_visible_or_404(org=request.org, membership=request.membership, pk=pk)
    try:
        task_run_retry(run_id=run.pk, actor_membership=request.membership)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The task was queued again."))
    return redirect("core:system_status")
