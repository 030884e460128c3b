"""The client record shared by sales, projects and finance: companies and their contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel


class Tag(OrganizationOwnedModel):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="crm_tag_unique_name",
                violation_error_message=_("A tag with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Company(OrganizationOwnedModel):
    """A client or prospect organization; invoices, projects and ledger lines point here."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_latin = models.CharField(_("name in Latin script"), max_length=200, blank=True)
    #: normalize_arabic() of both names, kept in step by the services; indexed for search and dedupe.
    search_name = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164, e.g. +966501234567"))
    website = models.URLField(_("website"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    commercial_registration = models.CharField(_("commercial registration"), max_length=30, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    #: The language quotes, invoices and reminders are written in for this client; empty: the organization's.
    language = models.CharField(_("language of documents"), max_length=5, choices=settings.LANGUAGES, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies", verbose_name=_("tags"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_latin=""),
                name="crm_company_has_a_name",
                violation_error_message=_("A company needs a name in Arabic or in Latin script."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner"], name="crm_company_owner_idx"),
            # Pickers and lists in name order read the first rows from the index (docs/benchmarks.md).
            models.Index(fields=["organization", "name_latin", "name_ar", "id"], name="crm_company_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = language or get_language() or "ar"
        if language.startswith("ar"):
            return self.name_ar or self.name_latin
        return self.name_latin or self.name_ar


class Contact(OrganizationOwnedModel):
    """A person; belongs to a company or stands alone."""

    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts", verbose_name=_("company")
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_latin = models.CharField(_("name in Latin script"), max_length=200, blank=True)
    search_name = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164, e.g. +201001234567"))
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts", verbose_name=_("tags"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_latin=""),
                name="crm_contact_has_a_name",
                violation_error_message=_("A contact needs a name in Arabic or in Latin script."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "email"], name="crm_contact_email_idx"),
            models.Index(fields=["organization", "phone"], name="crm_contact_phone_idx"),
            models.Index(fields=["organization", "owner"], name="crm_contact_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = language or get_language() or "ar"
        if language.startswith("ar"):
            return self.name_ar or self.name_latin
        return self.name_latin or self.name_ar
