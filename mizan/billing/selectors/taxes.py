"""Reads of taxes for pages, forms and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from mizan.billing.models import Tax


def tax_list(*, org: Any, active_only: bool = False) -> QuerySet[Tax]:
    taxes = Tax.objects.filter(organization=org).select_related("account")
    return taxes.filter(is_active=True) if active_only else taxes


def taxes_valid_on(*, org: Any, day: datetime.date) -> QuerySet[Tax]:
    """Active taxes whose effective dates include `day` (Saudi 5% before 2020-07-01, 15% after)."""
    return tax_list(org=org, active_only=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def tax_export_rows(*, taxes: QuerySet[Tax]) -> Iterator[dict[str, Any]]:
    """The list as rows for `mizan.core.exports.export_response` (one query); the rate as a plain
    number of percent (15, 7.5)."""
    for tax in taxes.iterator(chunk_size=500):
        yield {
            "name_ar": tax.name_ar,
            "name_en": tax.name_en,
            "rate": _plain(tax.rate),
            "kind": tax.get_kind_display(),
            "reason_code": tax.exemption_reason_code,
            "reason": tax.exemption_reason,
            "account": str(tax.account),
            "valid_from": tax.valid_from,
            "valid_to": tax.valid_to,
            "is_active": tax.is_active,
        }


def _plain(number: Decimal) -> Decimal:
    """15.0000 -> 15, 7.5000 -> 7.5 (never 1E+2)."""
    normalized = number.normalize()
    return normalized.quantize(Decimal(1)) if normalized.as_tuple().exponent > 0 else normalized
