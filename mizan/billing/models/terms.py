"""Payment terms: how many days after the invoice date it falls due."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.models.base import OrganizationOwnedModel


class PaymentTerm(OrganizationOwnedModel):
    name_ar = models.CharField(_("name in Arabic"), max_length=120, blank=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    days = models.PositiveSmallIntegerField(_("days after the invoice date"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["days", "pk"]
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(is_default=True), name="billing_paymentterm_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self) -> str:
        language = get_language() or "ar"
        first, second = (self.name_ar, self.name_en) if language.startswith("ar") else (self.name_en, self.name_ar)
        return first or second

    def due_date_for(self, issue_date: datetime.date) -> datetime.date:
        return issue_date + datetime.timedelta(days=self.days)
