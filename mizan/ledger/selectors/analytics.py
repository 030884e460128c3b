"""Reads for the cost center and project pages: one query for a page, whatever its size."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from mizan.ledger.models import AnalyticAccount, AnalyticKind, JournalEntry, JournalLine

#: The list shows kinds in the order of their choices (department, cost center, project).
KIND_ORDER = Case(
    *[When(kind=value, then=Value(index)) for index, value in enumerate(AnalyticKind.values)],
    output_field=IntegerField(),
)

#: Which journal-line field each kind tags: departments and cost centers share `cost_center`.
LINE_FIELD = {
    AnalyticKind.DEPARTMENT: "cost_center",
    AnalyticKind.COST_CENTER: "cost_center",
    AnalyticKind.PROJECT: "project",
}


def _posted_line_count(field: str) -> Coalesce:
    """Posted lines tagged with the outer analytic account through `field`, as a subquery."""
    lines = (
        JournalLine.objects.filter(**{field: OuterRef("pk")}, entry__state=JournalEntry.State.POSTED)
        .order_by()
        .values(field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=IntegerField()), Value(0))


def analytic_account_page_list(
    *, org: Any, kind: str | None = None, is_active: bool | None = None
) -> QuerySet[AnalyticAccount]:
    """The organization's analytic accounts by kind then code, each with `posted_line_count`
    (the lines the drill-down lists), filtered by kind and active state when given."""
    accounts = AnalyticAccount.objects.filter(organization=org)
    if kind:
        accounts = accounts.filter(kind=kind)
    if is_active is not None:
        accounts = accounts.filter(is_active=is_active)
    return accounts.annotate(
        kind_order=KIND_ORDER,
        cost_center_line_count=_posted_line_count("cost_center"),
        project_line_count=_posted_line_count("project"),
    ).order_by("kind_order", "code", "pk")
