"""Reads of taxes for pages, forms and the API."""

from __future__ import annotations

import datetime
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
