"""Reads of pipelines and deals for the board, the list, the record page and the API.

Every deal read goes through `crm_visible` (sales members may only see their own deals).
The board runs a fixed number of queries whatever the number of deals: one aggregate for the
column totals and one windowed query for the first cards of every column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mizan.core.access import access_or_404
from mizan.core.formatting import active_formatter, round_money
from mizan.core.models import Membership, Organization, User
from mizan.crm.models import Contact, Deal, DealStageChange, LostReason, Pipeline, Stage
from mizan.crm.selectors.timeline import deal_is_cold
from mizan.crm.selectors.visibility import crm_visible, crm_visible_or_404

#: Cards loaded per board column; "load more" fetches the next page of a column. 25 fill a
#: column on a large screen; 50 doubled the board's rendering time (docs/benchmarks.md).
BOARD_CARDS_PER_COLUMN = 25


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    #: [(currency, sum of values)], the base currency first; never added across currencies.
    totals: list[tuple[str, Decimal]] = field(default_factory=list)
    cards: list[Deal] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return len(self.cards) < self.count


# --- Pipelines, stages, lost reasons ------------------------------------------------------------


def pipeline_list(*, org: Organization, active_only: bool = False) -> QuerySet[Pipeline]:
    pipelines = Pipeline.objects.filter(organization=org).order_by("-is_default", "position", "id")
    return pipelines.filter(is_active=True) if active_only else pipelines


def pipeline_with_stages(*, org: Organization) -> QuerySet[Pipeline]:
    """Pipelines with their stages in order (two queries)."""
    stages = Stage.objects.filter(organization=org).order_by("position", "id")
    return pipeline_list(org=org).prefetch_related(Prefetch("stages", queryset=stages))


def pipeline_for_board(*, org: Organization, pk: Any = None) -> Pipeline:
    """The requested pipeline, else the default (or first active) one; 404 if there is none."""
    if pk not in (None, ""):
        return access_or_404(Pipeline, org=org, pk=pk)
    pipeline = pipeline_list(org=org, active_only=True).first()
    if pipeline is None:
        raise Http404(_("Not found."))
    return pipeline


def stage_list(*, org: Organization, pipeline: Pipeline | None = None) -> QuerySet[Stage]:
    stages = Stage.objects.filter(organization=org).select_related("pipeline").order_by("pipeline", "position", "id")
    return stages.filter(pipeline=pipeline) if pipeline is not None else stages


def lost_reason_list(*, org: Organization, active_only: bool = False) -> QuerySet[LostReason]:
    reasons = LostReason.objects.filter(organization=org).order_by("-is_active", "name_en", "name_ar", "id")
    return reasons.filter(is_active=True) if active_only else reasons


# --- Deals --------------------------------------------------------------------------------------


def deal_queryset(*, org: Organization, membership: Membership) -> QuerySet[Deal]:
    """The deals this member may see, with what a row or card shows (no query per row)."""
    return crm_visible(
        Deal.objects.select_related("company", "owner", "stage", "pipeline", "source", "lost_reason"),
        org=org,
        membership=membership,
    )


def deal_detail(*, org: Organization, membership: Membership, pk: Any) -> Deal:
    contacts = Contact.objects.filter(organization=org).order_by("name_latin", "name_ar", "id")
    queryset = deal_queryset(org=org, membership=membership).prefetch_related(Prefetch("contacts", queryset=contacts))
    return crm_visible_or_404(queryset, org=org, membership=membership, pk=pk)


@dataclass
class StageStay:
    """One period a deal spent in a stage (the current one has no end)."""

    stage: Stage
    entered_at: datetime
    left_at: datetime | None
    seconds: int
    changed_by: User | None


def deal_stage_history(*, org: Organization, deal: Deal, now: datetime | None = None) -> dict[str, Any]:
    """Every stay in a stage, oldest first, and the total time per stage (current stay included)."""
    now = now or timezone.now()
    changes = list(
        DealStageChange.objects.filter(organization=org, deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )
    stays: list[StageStay] = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        seconds = following.seconds_in_previous if following else max(0, int((now - change.changed_at).total_seconds()))
        stays.append(
            StageStay(
                stage=change.to_stage,
                entered_at=change.changed_at,
                left_at=following.changed_at if following else None,
                seconds=seconds,
                changed_by=change.changed_by,
            )
        )
    totals: dict[int, int] = defaultdict(int)
    stages: dict[int, Stage] = {}
    for stay in stays:
        totals[stay.stage.pk] += stay.seconds
        stages[stay.stage.pk] = stay.stage
    per_stage = sorted(
        ((stages[pk], seconds) for pk, seconds in totals.items()), key=lambda item: (item[0].position, item[0].pk)
    )
    return {"stays": list(reversed(stays)), "per_stage": per_stage}


def duration_text(seconds: int) -> str:
    """ "3 days 4 hours", "25 minutes": the two largest units, translated with plurals."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(count)s day", "%(count)s days", days) % {"count": active_formatter().number(days)})
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": active_formatter().number(hours)})
    if minutes and not days:
        parts.append(
            ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": active_formatter().number(minutes)}
        )
    if not parts:
        return _("less than a minute")
    return " ".join(parts[:2])


# --- The board ----------------------------------------------------------------------------------


def board_columns(
    *,
    org: Organization,
    membership: Membership,
    pipeline: Pipeline,
    per_column: int = BOARD_CARDS_PER_COLUMN,
    owner: Any = None,
) -> list[BoardColumn]:
    """The pipeline's open stages as columns: count and totals for all cards, the first cards shown.

    Four queries: stages, one grouped aggregate, one windowed query for every column's first cards,
    and those cards with their companies and owners.
    """
    stages = list(
        Stage.objects.filter(organization=org, pipeline=pipeline, kind=Stage.Kind.OPEN).order_by("position", "id")
    )
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    if not columns:
        return []
    deals = _board_deals(org=org, membership=membership, pipeline=pipeline, owner=owner)
    _fill_totals(columns, deals.filter(stage__in=list(columns)), base_currency=org.base_currency)
    # Rank the deals alone, then read the shown cards with their companies and owners by id:
    # joining before ranking (or in the same statement, where PostgreSQL cannot foresee how few
    # rows the ranking keeps) read every company of the organization (docs/benchmarks.md).
    first_cards = list(
        deals.filter(stage__in=list(columns))
        .select_related(None)
        .annotate(
            board_row=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("position").asc(), F("id").asc()])
        )
        .filter(board_row__lte=per_column)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    shown = Deal.objects.filter(pk__in=first_cards).select_related("company", "owner")
    for deal in shown.order_by("stage_id", "position", "id"):
        column = columns[deal.stage_id]
        deal.stage = column.stage
        _decorate_card(deal, now=now)
        column.cards.append(deal)
    return list(columns.values())


def board_column_cards(
    *,
    org: Organization,
    membership: Membership,
    stage: Stage,
    offset: int,
    limit: int = BOARD_CARDS_PER_COLUMN,
    owner: Any = None,
) -> list[Deal]:
    """The next cards of one column ("load more"): one query."""
    deals = _board_deals(org=org, membership=membership, pipeline=stage.pipeline, owner=owner).filter(stage=stage)
    cards = list(deals.order_by("position", "id")[offset : offset + limit])
    now = timezone.now()
    for deal in cards:
        deal.stage = stage
        _decorate_card(deal, now=now)
    return cards


def board_column_summaries(
    *, org: Organization, membership: Membership, stages: list[Stage], owner: Any = None
) -> list[BoardColumn]:
    """Count and totals of some columns (after a move), without cards: one query."""
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages if stage.kind == Stage.Kind.OPEN}
    if columns:
        pipeline = stages[0].pipeline
        deals = _board_deals(org=org, membership=membership, pipeline=pipeline, owner=owner)
        _fill_totals(columns, deals.filter(stage__in=list(columns)), base_currency=org.base_currency)
    return list(columns.values())


def _board_deals(*, org: Organization, membership: Membership, pipeline: Pipeline, owner: Any) -> QuerySet[Deal]:
    deals = crm_visible(Deal.objects.select_related("company", "owner"), org=org, membership=membership).filter(
        pipeline=pipeline, status=Deal.Status.OPEN
    )
    if owner not in (None, ""):
        deals = deals.filter(owner_id=owner)
    return deals


def _fill_totals(columns: dict[int, BoardColumn], deals: QuerySet[Deal], *, base_currency: str) -> None:
    rows = (
        deals.order_by()
        .values("stage_id", "currency")
        .annotate(count=Count("id"), total=Sum("value"))
        .order_by("stage_id", "currency")
    )
    for row in rows:
        column = columns[row["stage_id"]]
        column.count += row["count"]
        column.totals.append((row["currency"], round_money(row["total"] or Decimal("0"), row["currency"])))
    for column in columns.values():
        column.totals.sort(key=lambda item: (item[0] != base_currency, item[0]))


def _decorate_card(deal: Deal, *, now: datetime) -> None:
    deal.is_cold = deal_is_cold(deal, now=now)
    deal.has_no_next_step = deal.next_step_due_at is None
