"""Exchange rates to the organization's base currency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models import OrganizationOwnedModel


class ExchangeRate(OrganizationOwnedModel):
    """1 unit of `currency` = `rate` units of the base currency, from `date` until the next rate."""

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate to the base currency"), max_digits=20, decimal_places=8)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency", "date"],
                name="ledger_exchange_rate_unique_day",
                violation_error_message=_("A rate for this currency and date already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="ledger_exchange_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date}: {self.rate}"
