"""The weighted forecast: open deals' value x stage probability, by month of expected close.

Computed in one grouped SQL query (month, pipeline, owner, currency). Amounts are never added
across currencies: there are no exchange rates, so each currency keeps its own totals and the
organization's base currency is listed first. SQLite sums decimals as floating point, so every
amount is re-rounded half up to the currency's minor unit after fetching.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth

from mizan.core.formatting import round_money
from mizan.core.models import Membership, Organization, User
from mizan.crm.models import Deal, Pipeline
from mizan.crm.selectors.visibility import crm_visible

_PRECISE = DecimalField(max_digits=30, decimal_places=6)


@dataclass
class ForecastCell:
    count: int = 0
    value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")

    def add(self, count: int, value: Decimal, weighted: Decimal) -> None:
        self.count += count
        self.value += value
        self.weighted += weighted


@dataclass
class ForecastTable:
    """Rows (months) x a currency; `groups` splits each month by pipeline or owner."""

    currency: str
    months: list[datetime.date] = field(default_factory=list)
    by_month: dict[datetime.date, ForecastCell] = field(default_factory=dict)
    by_pipeline: dict[tuple[datetime.date, Any], ForecastCell] = field(default_factory=dict)
    by_owner: dict[tuple[datetime.date, Any], ForecastCell] = field(default_factory=dict)
    total: ForecastCell = field(default_factory=ForecastCell)


@dataclass
class Forecast:
    base_currency: str
    tables: list[ForecastTable]
    pipelines: dict[int, Pipeline]
    owners: dict[int, User]


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def forecast_rows(
    *,
    org: Organization,
    membership: Membership,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    pipeline: Pipeline | None = None,
    owner: Any = None,
) -> list[dict[str, Any]]:
    """One row per (month, pipeline, owner, currency) of visible open deals with a close date."""
    deals = crm_visible(Deal.objects.all(), org=org, membership=membership).filter(
        status=Deal.Status.OPEN, expected_close_date__isnull=False
    )
    if date_from:
        deals = deals.filter(expected_close_date__gte=date_from)
    if date_to:
        deals = deals.filter(expected_close_date__lte=date_to)
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    if owner not in (None, ""):
        deals = deals.filter(owner_id=getattr(owner, "pk", owner))
    weighted = ExpressionWrapper(F("value") * F("stage__probability"), output_field=_PRECISE)
    return list(
        deals.annotate(month=TruncMonth("expected_close_date"))
        .values("month", "pipeline_id", "owner_id", "currency")
        .annotate(count=Count("id"), value_sum=Sum("value", output_field=_PRECISE), weighted_sum=Sum(weighted))
        .order_by("month", "pipeline_id", "owner_id", "currency")
    )


def forecast_build(
    *,
    org: Organization,
    membership: Membership,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    pipeline: Pipeline | None = None,
    owner: Any = None,
) -> Forecast:
    """The forecast tables, one per currency (base currency first): three queries in all."""
    rows = forecast_rows(
        org=org, membership=membership, date_from=date_from, date_to=date_to, pipeline=pipeline, owner=owner
    )
    tables: dict[str, ForecastTable] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        table = tables.setdefault(row["currency"], ForecastTable(currency=row["currency"]))
        value = Decimal(row["value_sum"] or 0)
        weighted = Decimal(row["weighted_sum"] or 0) / 100
        parts = (row["count"], value, weighted)
        table.by_month.setdefault(month, ForecastCell()).add(*parts)
        table.by_pipeline.setdefault((month, row["pipeline_id"]), ForecastCell()).add(*parts)
        table.by_owner.setdefault((month, row["owner_id"]), ForecastCell()).add(*parts)
        table.total.add(*parts)
    for table in tables.values():
        table.months = sorted(table.by_month)
        cells = [*table.by_month.values(), *table.by_pipeline.values(), *table.by_owner.values(), table.total]
        for cell in cells:
            cell.value = round_money(cell.value, table.currency)
            cell.weighted = round_money(cell.weighted, table.currency)
    ordered = sorted(tables.values(), key=lambda table: (table.currency != org.base_currency, table.currency))
    pipeline_ids = {key[1] for table in ordered for key in table.by_pipeline}
    owner_ids = {key[1] for table in ordered for key in table.by_owner if key[1] is not None}
    pipelines = {item.pk: item for item in Pipeline.objects.filter(organization=org, pk__in=pipeline_ids)}
    owners = {user.pk: user for user in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    return Forecast(base_currency=org.base_currency, tables=ordered, pipelines=pipelines, owners=owners)


def forecast_grouped_rows(forecast: Forecast, table: ForecastTable, *, by: str) -> list[dict[str, Any]]:
    """Flat rows (month, group label, cell) for a template or the API, months in order."""
    source = table.by_pipeline if by == "pipeline" else table.by_owner
    rows = []
    for (month, key), cell in sorted(source.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if by == "pipeline":
            group = forecast.pipelines.get(key)
        else:
            group = forecast.owners.get(key) if key is not None else None
        rows.append({"month": month, "key": key, "group": group, "cell": cell})
    return rows
