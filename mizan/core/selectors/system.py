"""The installation's health for the status page: database, task backend, workers, task runs.

TaskRuns belong to the installation, not to one organization. Counts are shown to every viewer
with SYSTEM_STATUS_VIEW; a failed run's details (task, key, error) only to those who may see
its data: owners and admins of the run's organization, and for runs without one, the
installation's operators (staff users, or the owners and admins when only one organization exists).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.access import has_capability
from mizan.core.models import Organization, TaskRun, WorkerHeartbeat
from mizan.core.roles import Capability

WORKER_SILENCE = timedelta(minutes=1)


@dataclass
class SystemStatus:
    database_vendor: str
    database_ok: bool
    task_backend: str
    needs_worker: bool
    workers: list[WorkerHeartbeat]
    worker_seen_recently: bool
    queued: int
    running: int
    failed: int
    failed_visible: int
    failed_runs: list[TaskRun] = field(default_factory=list)

    @property
    def failed_hidden(self) -> int:
        return self.failed - self.failed_visible


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def is_installation_operator(user: Any) -> bool:
    """Who may see work that belongs to no organization."""
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return Organization.objects.count() == 1


def task_runs_visible(*, org: Organization, membership: Any) -> QuerySet[TaskRun]:
    if not has_capability(membership, Capability.SYSTEM_STATUS_VIEW):
        return TaskRun.objects.none()
    visible = Q(organization=org)
    if is_installation_operator(membership.user):
        visible |= Q(organization__isnull=True)
    return TaskRun.objects.filter(visible)


def task_run_visible_or_404(*, org: Organization, membership: Any, pk: Any) -> TaskRun:
    try:
        return task_runs_visible(org=org, membership=membership).get(pk=pk)
    except (TaskRun.DoesNotExist, ValueError, TypeError, DatabaseError):
        raise Http404(_("Not found.")) from None


def system_status(*, org: Organization, membership: Any, failed_limit: int = 50) -> SystemStatus:
    now = timezone.now()
    failed_visible = task_runs_visible(org=org, membership=membership).filter(status=TaskRun.Status.FAILED)
    counts = {status: 0 for status in TaskRun.Status.values}
    for row in TaskRun.objects.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return SystemStatus(
        database_vendor=connection.vendor,
        database_ok=database_reachable(),
        task_backend=settings.TASK_BACKEND,
        needs_worker=settings.TASK_BACKEND != "immediate",
        workers=list(WorkerHeartbeat.objects.order_by("-last_seen")[:20]),
        worker_seen_recently=WorkerHeartbeat.objects.filter(last_seen__gte=now - WORKER_SILENCE).exists(),
        queued=counts[TaskRun.Status.QUEUED],
        running=counts[TaskRun.Status.RUNNING],
        failed=counts[TaskRun.Status.FAILED],
        failed_visible=failed_visible.count(),
        failed_runs=list(failed_visible.order_by("-finished_at", "-created_at")[:failed_limit]),
    )
