"""Recurring invoices (retainers, subscriptions) and the payment reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.billing.models.documents import DocumentLine, DocumentTotals
from mizan.core.models.base import OrganizationOwnedModel


class RecurringSchedule(OrganizationOwnedModel, DocumentTotals):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}

    name = models.CharField(_("name"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    start_date = models.DateField(_("first invoice date"))
    end_date = models.DateField(_("last invoice date"), null=True, blank=True)
    #: The date of the next invoice to generate; it also names the period it bills.
    next_date = models.DateField(_("next invoice date"))
    payment_term = models.ForeignKey(
        "billing.PaymentTerm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment terms"),
    )
    auto_post = models.BooleanField(_("post the invoices automatically"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_generated_at = models.DateTimeField(_("last generated at"), null=True, blank=True)

    class Meta:
        ordering = ["next_date", "pk"]
        verbose_name = _("recurring invoice")
        verbose_name_plural = _("recurring invoices")
        indexes = [models.Index(fields=["is_active", "next_date"], name="billing_recurring_due_idx")]

    def __str__(self) -> str:
        return self.name


class RecurringLine(DocumentLine):
    schedule = models.ForeignKey(
        RecurringSchedule, on_delete=models.CASCADE, related_name="lines", verbose_name=_("recurring invoice")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("recurring invoice line")
        verbose_name_plural = _("recurring invoice lines")


class PaymentReminder(models.Model):
    """One reminder sent for an invoice at one step; the unique step makes sending once-only."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("invoice")
    )
    #: Days relative to the due date: -3 is three days before, 7 is a week overdue; empty when sent by hand.
    offset_days = models.SmallIntegerField(_("days from the due date"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    email_to = models.CharField(_("to"), max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "offset_days"], name="billing_reminder_once_per_step")
        ]

    def __str__(self) -> str:
        if self.offset_days is None:  # sent by hand
            return str(self.invoice)
        return f"{self.invoice} {self.offset_days:+d}"

    @property
    def step_days(self) -> int | None:
        """The days between the step and the due date, without the sign (the wording says before or after)."""
        return None if self.offset_days is None else abs(self.offset_days)
