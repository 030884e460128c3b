"""Gapless document numbering: one counter row per organization, series and period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """A counter row locked (SELECT ... FOR UPDATE) by the transaction that takes a number.

    A PostgreSQL sequence is never used for document numbers: it is not transactional, so a
    rolled-back transaction would leave a gap. Lock the row as late as possible (the last write
    before commit) so it is held briefly.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    #: The series, e.g. "journal:12" or "invoice:SA".
    key = models.CharField(_("series"), max_length=100)
    #: The numbering period inside the series, e.g. the fiscal year id; "" when the series never restarts.
    period_key = models.CharField(_("period"), max_length=40, blank=True, default="")
    next_value = models.PositiveBigIntegerField(_("next number"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("numbering sequence")
        verbose_name_plural = _("numbering sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "period_key"],
                name="core_sequence_unique_series_period",
                violation_error_message=_("This numbering series already exists for the period."),
            ),
            models.CheckConstraint(
                condition=models.Q(next_value__gte=1),
                name="core_sequence_next_value_positive",
                violation_error_message=_("The next number must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}/{self.period_key}: {self.next_value}"
