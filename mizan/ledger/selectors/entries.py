"""Reads for journal entries: the filtered list (no query per row) and one entry with its lines."""

from __future__ import annotations

from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mizan.ledger.models import JournalEntry, JournalLine

_AMOUNT = DecimalField(max_digits=20, decimal_places=3)


def journal_entry_list(*, org: Any) -> QuerySet[JournalEntry]:
    """Entries with their journal, fiscal year and total debit; newest first."""
    totals = (
        JournalLine.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(total=Sum("debit"))
        .values("total")
    )
    return (
        JournalEntry.objects.filter(organization=org)
        .select_related("journal", "fiscal_year", "source_type")
        .annotate(
            total_debit=Coalesce(Subquery(totals, output_field=_AMOUNT), Value(0), output_field=_AMOUNT),
            is_reversed=Exists(JournalEntry.objects.filter(reversal_of=OuterRef("pk"))),
        )
        .order_by("-date", "-id")
    )


def journal_entry_detail_queryset(*, org: Any) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(organization=org).select_related(
        "journal",
        "fiscal_year",
        "posted_by",
        "created_by",
        "reversal_of__journal",
        "reversal_of__fiscal_year",
        "source_type",
    )


def journal_entry_lines(*, entry: JournalEntry) -> QuerySet[JournalLine]:
    return (
        JournalLine.objects.filter(entry=entry)
        .select_related("account", "partner", "cost_center", "project")
        .order_by("position", "pk")
    )


def journal_entry_reversed_by(*, entry: JournalEntry) -> JournalEntry | None:
    return (
        JournalEntry.objects.filter(organization_id=entry.organization_id, reversal_of=entry)
        .select_related("journal", "fiscal_year")
        .first()
    )


def journal_entries_for_source(*, org: Any, source: Any) -> QuerySet[JournalEntry]:
    """The entries posted from one document (an invoice, a payment...)."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
    return journal_entry_list(org=org).filter(source_type=content_type, source_id=source.pk)
