"""Reads for fiscal years, periods and exchange rates."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from mizan.ledger.models import ExchangeRate, FiscalYear, Period


def fiscal_year_list(*, org: Any) -> QuerySet[FiscalYear]:
    periods = Period.objects.select_related("closed_by").order_by("start_date")
    return (
        FiscalYear.objects.filter(organization=org)
        .select_related("closed_by", "closing_entry__journal", "closing_entry__fiscal_year")
        .prefetch_related(Prefetch("periods", queryset=periods))
        .order_by("-start_date")
    )


def exchange_rate_list(*, org: Any, currency: str | None = None) -> QuerySet[ExchangeRate]:
    rates = ExchangeRate.objects.filter(organization=org).order_by("-date", "currency")
    if currency:
        rates = rates.filter(currency=currency)
    return rates
