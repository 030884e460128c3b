"""Mizan's own record of background work: leases, attempts, effects done, workers seen.

The task backends (database, RQ) only know one attempt each; a `TaskRun` spans every attempt of
one logical piece of work, so a worker killed mid-task can be noticed and the work re-queued.
See docs/adr/0002-background-work-leases.md.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: `TaskRun.last_error` of work whose worker stopped (killed, crashed, lost power) mid-task.
WORKER_LOST = "worker lost"


class TaskRun(models.Model):
    """One logical task across its attempts; running work holds a lease its heartbeat extends."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_path = models.CharField(_("task"), max_length=255)
    args = models.JSONField(_("arguments"), default=list)
    kwargs = models.JSONField(_("keyword arguments"), default=dict)
    #: Optional business key (e.g. "email:invitation:42"), shown on the status page.
    key = models.CharField(_("business key"), max_length=200, blank=True, db_index=True)
    #: The organization the work is for, when known: its owners and admins see the details.
    organization = models.ForeignKey(
        "core.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=5)
    backend = models.CharField(_("task backend"), max_length=32, default="default")
    queue_name = models.CharField(_("queue"), max_length=32, default="default")
    #: The backend's result id of the current attempt (a DBTaskResult id or an RQ job id).
    result_id = models.CharField(max_length=64, blank=True, db_index=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    worker_id = models.CharField(_("worker"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"], name="taskrun_status_lease_idx"),
            models.Index(fields=["organization", "status"], name="taskrun_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.task_path.rsplit(".", 1)[-1] + (f" ({self.key})" if self.key else "")

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def error_display(self) -> str:
        if self.last_error == WORKER_LOST:
            return gettext("The worker running this task stopped before it finished (worker lost).")
        return self.last_error


class TaskEffect(models.Model):
    """A business key whose effect has happened; written in the same transaction as the effect."""

    key = models.CharField(_("business key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task effect")
        verbose_name_plural = _("task effects")

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A worker process, seen alive at `last_seen` (written every few seconds by run_worker)."""

    worker_id = models.CharField(_("worker"), max_length=100, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    backend = models.CharField(_("task backend"), max_length=32)
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.worker_id
