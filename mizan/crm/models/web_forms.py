"""Public web-to-lead forms an organization embeds in its website."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel
from mizan.crm.models.pipeline import LeadSource


def web_form_key() -> str:
    return secrets.token_urlsafe(24)


class WebForm(OrganizationOwnedModel):
    """A public web-to-lead form, embeddable in the organization's website by its secret key."""

    class Field(models.TextChoices):
        PERSON_NAME = "person_name", _("Name")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        COMPANY_NAME = "company_name", _("Company")
        JOB_TITLE = "job_title", _("Job title")
        WEBSITE = "website", _("Website")
        COUNTRY = "country", _("Country")
        MESSAGE = "message", _("Message")

    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(_("key"), max_length=64, unique=True, default=web_form_key, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("lead source")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner of new leads"),
    )
    thank_you_message = models.TextField(_("thank-you message"), blank=True)
    #: Which of `Field` the form shows, in this order; the name is always asked for.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    submission_count = models.PositiveIntegerField(_("submissions"), default=0)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
