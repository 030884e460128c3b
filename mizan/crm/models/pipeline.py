"""Leads, pipelines, stages and deals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models import OrganizationOwnedModel
from mizan.crm.models.clients import Company, Contact

MONEY = {"max_digits": 20, "decimal_places": 3}


class BilingualNameMixin(models.Model):
    name_ar = models.CharField(_("name in Arabic"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        language = get_language() or "ar"
        if language.startswith("ar"):
            return self.name_ar or self.name_en
        return self.name_en or self.name_ar


class LeadSource(BilingualNameMixin, OrganizationOwnedModel):
    """Where a lead came from (website form, referral, exhibition, import, ...)."""

    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")


class Lead(OrganizationOwnedModel):
    """An unqualified opportunity; qualifying converts it into company + contact + deal."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    title = models.CharField(_("title"), max_length=200, blank=True)
    person_name = models.CharField(_("person's name"), max_length=200, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    search_name = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads", verbose_name=_("source")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    estimated_value = models.DecimalField(_("estimated value"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, blank=True)
    message = models.TextField(_("message"), blank=True)
    score = models.IntegerField(_("score"), default=0)
    #: [{"rule": id, "label": "...", "points": n}, ...] as last computed by the scoring service.
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    converted_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    converted_deal = models.ForeignKey("crm.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["organization", "status"], name="crm_lead_status_idx"),
            models.Index(fields=["organization", "owner"], name="crm_lead_owner_idx"),
            models.Index(fields=["organization", "email"], name="crm_lead_email_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.company_name or self.person_name or self.email


class Pipeline(BilingualNameMixin, OrganizationOwnedModel):
    position = models.PositiveIntegerField(_("position"), default=0)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]


class Stage(BilingualNameMixin, OrganizationOwnedModel):
    """An ordered step of a pipeline with a win probability; won and lost stages end a deal."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline"))
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OPEN)
    #: A deal with no activity for this many days in this stage is flagged as going cold (0 = never).
    cold_after_days = models.PositiveSmallIntegerField(_("going cold after (days)"), default=14)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0, probability__lte=100),
                name="crm_stage_probability_range",
                violation_error_message=_("The probability must be between 0 and 100."),
            )
        ]


class LostReason(BilingualNameMixin, OrganizationOwnedModel):
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")


class Deal(OrganizationOwnedModel):
    """An opportunity moving through a pipeline's stages."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="deals", verbose_name=_("company")
    )
    contacts = models.ManyToManyField(Contact, blank=True, related_name="deals", verbose_name=_("contacts"))
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage"))
    #: Order of the card inside its kanban column.
    position = models.PositiveIntegerField(_("position on the board"), default=0)
    value = models.DecimalField(_("value"), default=Decimal("0"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals", verbose_name=_("source")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("lost reason")
    )
    lost_note = models.TextField(_("why it was lost"), blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    #: Newest activity on the deal; kept by the activity services, drives "going cold".
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    #: Due time of the earliest open follow-up; null means the deal has no next step.
    next_step_due_at = models.DateTimeField(_("next step due"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["organization", "pipeline", "status", "stage", "position"], name="crm_deal_board_idx"),
            models.Index(fields=["organization", "owner", "status"], name="crm_deal_owner_idx"),
            models.Index(fields=["organization", "expected_close_date"], name="crm_deal_close_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0),
                name="crm_deal_value_not_negative",
                violation_error_message=_("A deal's value cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class DealStageChange(OrganizationOwnedModel):
    """One move of a deal between stages; `seconds_in_previous` keeps the time spent in each stage."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()
    seconds_in_previous = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="crm_stage_change_deal_idx")]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"
