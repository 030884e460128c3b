"""Reads of quotes for the list, the record page, the public page and the API (one organization)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from mizan.billing.models import Quote, QuoteLine
from mizan.core.access import access_or_404
from mizan.core.arabic import normalize_arabic

#: A list filter beside the statuses: sent, and past its validity date.
EXPIRED = "expired"


@dataclass
class QuoteFilters:
    status: str = ""
    company: Any = None
    deal: Any = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    search: str = ""


@dataclass
class CurrencyTotal:
    currency: str
    count: int
    total: Decimal


def quote_lines_queryset() -> QuerySet[QuoteLine]:
    return QuoteLine.objects.select_related("product", "tax", "income_account").order_by("position", "pk")


def quote_list(*, org: Any, filters: QuoteFilters | None = None) -> QuerySet[Quote]:
    """The organization's quotes, newest first, with what a list row shows (no query per row)."""
    filters = filters or QuoteFilters()
    quotes = Quote.objects.filter(organization=org).select_related("company", "contact", "deal", "invoice")
    if filters.status == EXPIRED:
        quotes = quotes.filter(status=Quote.Status.SENT, valid_until__lt=org.today())
    elif filters.status:
        quotes = quotes.filter(status=filters.status)
    if filters.company is not None:
        quotes = quotes.filter(company=filters.company)
    if filters.deal is not None:
        quotes = quotes.filter(deal=filters.deal)
    if filters.date_from is not None:
        quotes = quotes.filter(issue_date__gte=filters.date_from)
    if filters.date_to is not None:
        quotes = quotes.filter(issue_date__lte=filters.date_to)
    search = (filters.search or "").strip()
    if search:
        condition = Q(title__icontains=search) | Q(company__search_name__icontains=normalize_arabic(search))
        digits = search.upper().removeprefix("Q-").split("/")[0]
        if digits.isdigit():
            condition |= Q(number=int(digits))
        quotes = quotes.filter(condition)
    return quotes.order_by("-issue_date", "-number", "-version")


def quote_totals(quotes: QuerySet[Quote]) -> list[CurrencyTotal]:
    """Count and sum of the listed quotes per currency (never added across currencies): one query."""
    rows = quotes.order_by().values("currency").annotate(count=Count("pk"), total=Sum("total")).order_by("currency")
    return [CurrencyTotal(row["currency"], row["count"], row["total"] or Decimal("0")) for row in rows]


def quote_export_rows(*, quotes: QuerySet[Quote], today: datetime.date) -> Iterator[dict[str, Any]]:
    """The filtered list as rows for `mizan.core.exports.export_response` (streamed, one query);
    a sent quote past its validity date is "Expired", as on the page."""
    for quote in quotes.iterator(chunk_size=500):
        yield {
            "number": quote.display_number,
            "status": _("Expired") if quote_is_expired(quote, today=today) else quote.get_status_display(),
            "issue_date": quote.issue_date,
            "valid_until": quote.valid_until,
            "client": quote.company.display_name(),
            "vat_number": quote.company.vat_number,
            "title": quote.title,
            "deal": quote.deal.title if quote.deal else "",
            "currency": quote.currency,
            "net_total": quote.net_total,
            "discount_total": quote.discount_total,
            "tax_total": quote.tax_total,
            "total": quote.total,
            "invoice": quote.invoice.display_number if quote.invoice else "",
        }


def quote_detail(*, org: Any, pk: Any) -> Quote:
    """One quote with its lines, client, deal, invoice and version links; another org's is 404."""
    queryset = Quote.objects.select_related(
        "organization", "company", "contact", "deal", "invoice", "previous_version", "created_by"
    ).prefetch_related(Prefetch("lines", queryset=quote_lines_queryset()))
    return access_or_404(queryset, org=org, pk=pk)


def quote_versions(*, quote: Quote) -> list[Quote]:
    """Every version of the quote's number, the newest first."""
    return list(
        Quote.objects.filter(organization_id=quote.organization_id, number=quote.number)
        .only("pk", "number", "version", "status", "issue_date", "total", "currency")
        .order_by("-version")
    )


def quote_is_expired(quote: Quote, *, today: datetime.date) -> bool:
    return quote.status == Quote.Status.SENT and quote.valid_until < today


def quote_public(*, quote: Quote) -> Quote:
    """The quote for its public page: lines and client loaded (the token already chose the quote)."""
    return (
        Quote.objects.select_related("organization", "company", "contact")
        .prefetch_related(Prefetch("lines", queryset=quote_lines_queryset()))
        .get(pk=quote.pk)
    )
