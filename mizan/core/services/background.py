"""Operator actions on background work (the status page's Retry button)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.background import task_run_requeue
from mizan.core.errors import DomainError
from mizan.core.models import AuditEntry, TaskRun
from mizan.core.roles import Capability
from mizan.core.selectors.system import task_runs_visible
from mizan.core.services.audit import audit_record


def task_run_retry(*, run_id: Any, actor_membership: Any) -> TaskRun:
    """Queue a failed task again with a fresh attempt budget; audited in the actor's organization."""
    require_capability(actor_membership, Capability.SYSTEM_STATUS_VIEW)
    org = actor_membership.organization
    with transaction.atomic():
        visible = task_runs_visible(org=org, membership=actor_membership).select_for_update(of=("self",))
        run = visible.filter(pk=run_id).first()
        if run is None:
            raise DomainError("not_found", _("Not found."))
        if run.status != TaskRun.Status.FAILED:
            raise DomainError("not_failed", _("Only a failed task can be retried."))
        before = {"status": run.status, "attempts": str(run.attempts)}
        run.status = TaskRun.Status.QUEUED
        run.attempts = 0
        run.worker_id = ""
        run.lease_expires_at = None
        run.finished_at = None
        run.queued_at = timezone.now()
        run.save(update_fields=["status", "attempts", "worker_id", "lease_expires_at", "finished_at", "queued_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=run,
            action=AuditEntry.Action.UPDATE,
            changes={"status": [before["status"], run.status], "attempts": [before["attempts"], "0"]},
        )
        task_run_requeue(run)
    return run
