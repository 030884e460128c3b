"""Fiscal years and their monthly periods; a closed period accepts no posting."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel


class FiscalYear(OrganizationOwnedModel):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=20)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The year-end entry that moved income and expense to retained earnings.
    closing_entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_fiscal_year",
        verbose_name=_("closing entry"),
    )

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="ledger_fiscal_year_unique_name",
                violation_error_message=_("A fiscal year with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["organization", "start_date"],
                name="ledger_fiscal_year_unique_start",
                violation_error_message=_("A fiscal year already starts on this date."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="ledger_fiscal_year_ends_after_start",
                violation_error_message=_("A fiscal year must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class Period(OrganizationOwnedModel):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.CASCADE, related_name="periods", verbose_name=_("fiscal year")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "start_date"],
                name="ledger_period_unique_start",
                violation_error_message=_("A period already starts on this date."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="ledger_period_ends_after_start",
                violation_error_message=_("A period cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "start_date", "end_date"], name="ledger_period_dates_idx")]

    def __str__(self) -> str:
        return self.start_date.strftime("%Y-%m")

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN
