"""Lead imports: an uploaded CSV/XLSX file, its column mapping, and the background run's progress."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel
from mizan.crm.models.pipeline import LeadSource


def import_upload_path(instance: ImportJob, filename: str) -> str:
    """An unguessable folder per upload: MEDIA_ROOT may be served by the web server."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"crm/imports/{instance.organization_id}/{secrets.token_urlsafe(16)}/upload.{extension}"


class ImportJob(OrganizationOwnedModel):
    """One uploaded file of leads: its column mapping, then the background run's progress.

    `processed` is the number of data rows already handled; the worker advances it in the same
    transaction as the leads of each chunk, so a re-run after a crash continues where it stopped
    and never creates a row's lead twice.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for the column mapping")
        MAPPED = "mapped", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped by an error")

    class FileFormat(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    #: Detected for CSV files: "utf-8-sig", "utf-16" or "cp1256"; empty for XLSX.
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    #: {lead field: column index}, chosen on the mapping page.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    default_source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("source")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    #: [{"row": spreadsheet row number, "messages": ["...", ...]}, ...]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="crm_import_org_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)
