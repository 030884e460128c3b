"""The timeline: activities on companies, contacts, deals and leads, and follow-up tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel
from mizan.crm.models.clients import Company, Contact
from mizan.crm.models.pipeline import Deal, Lead


class Activity(OrganizationOwnedModel):
    """One thing that happened with a client. It shows on the timeline of every record it names."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        STAGE_CHANGE = "stage_change", _("Stage change")
        SYSTEM = "system", _("System event")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    #: For calls: answered, no answer, busy...; for e-mails: sent, logged, failed.
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    email_to = models.CharField(_("to"), max_length=500, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="activities", verbose_name=_("company")
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="activities", verbose_name=_("contact")
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="activities", verbose_name=_("deal")
    )
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="activities", verbose_name=_("lead")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-occurred_at"], name="crm_activity_company_idx"),
            models.Index(fields=["contact", "-occurred_at"], name="crm_activity_contact_idx"),
            models.Index(fields=["deal", "-occurred_at"], name="crm_activity_deal_idx"),
            models.Index(fields=["lead", "-occurred_at"], name="crm_activity_lead_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class FollowUp(OrganizationOwnedModel):
    """A dated next step with an assignee; the worker sends its reminder once."""

    title = models.CharField(_("title"), max_length=250)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crm_follow_ups", verbose_name=_("assignee")
    )
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["organization", "assignee", "completed_at", "due_at"], name="crm_followup_day_idx"),
            models.Index(fields=["remind_at", "reminder_sent_at"], name="crm_followup_remind_idx"),
        ]

    def __str__(self) -> str:
        return self.title
