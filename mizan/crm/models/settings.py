"""CRM configuration an admin edits: lead scoring rules and saved list views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel


class LeadScoringRule(OrganizationOwnedModel):
    """Points a lead earns when a condition holds; the score shows its reasons."""

    class Condition(models.TextChoices):
        FIELD_PRESENT = "field_present", _("A field is filled in")
        SOURCE_IS = "source_is", _("The lead came from a source")
        ACTIVITY_COUNT_AT_LEAST = "activity_count_at_least", _("At least N activities")
        EMAIL_DOMAIN_BUSINESS = "email_domain_business", _("The e-mail is on a business domain")
        EMAIL_DOMAIN_FREE = "email_domain_free", _("The e-mail is on a free provider (Gmail, Hotmail...)")
        COUNTRY_IS = "country_is", _("The lead is in a country")

    label = models.CharField(_("label"), max_length=150)
    condition = models.CharField(_("condition"), max_length=40, choices=Condition.choices)
    #: The field name, source id, N, or country code the condition compares with.
    argument = models.CharField(_("argument"), max_length=100, blank=True)
    points = models.IntegerField(_("points"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead scoring rule")
        verbose_name_plural = _("lead scoring rules")

    def __str__(self) -> str:
        return self.label


class SavedView(OrganizationOwnedModel):
    """A named set of list filters (deals, contacts, companies, leads), private or shared."""

    class ListName(models.TextChoices):
        DEALS = "deals", _("Deals")
        COMPANIES = "companies", _("Companies")
        CONTACTS = "contacts", _("Contacts")
        LEADS = "leads", _("Leads")

    list_name = models.CharField(_("list"), max_length=20, choices=ListName.choices)
    name = models.CharField(_("name"), max_length=100)
    #: The list's query string, validated against the list's filter set when used.
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_shared = models.BooleanField(_("shared with the team"), default=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
