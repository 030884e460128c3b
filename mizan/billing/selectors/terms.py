"""Reads of payment terms for pages, forms and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mizan.billing.models import PaymentTerm


def payment_term_list(*, org: Any, active_only: bool = False) -> QuerySet[PaymentTerm]:
    terms = PaymentTerm.objects.filter(organization=org).order_by("days", "pk")
    return terms.filter(is_active=True) if active_only else terms
