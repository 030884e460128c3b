"""Reads for the timeline, follow-ups, "My day" and going-cold deals.

Visibility follows the one CRM rule (mizan.crm.selectors.visibility): a member who does not see
everyone's records sees an activity or a follow-up when they see the record it is *about* — its
deal if it has one, else its contact, else its lead, else its company (activity_log also fills the
company of a deal's or contact's activity, so the most specific record decides).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from mizan.core.models import Membership, Organization
from mizan.crm.models import Activity, Company, Contact, Deal, FollowUp, Lead, Stage
from mizan.crm.selectors.visibility import crm_visible, sees_all_crm_records

TIMELINE_PAGE_SIZE = 25
MY_DAY_LIMIT = 100

#: The record types a timeline hangs on, by the name used in URLs and templates.
TARGET_MODELS: dict[str, type[Company | Contact | Deal | Lead]] = {
    "company": Company,
    "contact": Contact,
    "deal": Deal,
    "lead": Lead,
}

CrmRecord = Company | Contact | Deal | Lead


def target_type_of(target: CrmRecord) -> str:
    """ "company", "contact", "deal" or "lead"."""
    for name, model in TARGET_MODELS.items():
        if isinstance(target, model):
            return name
    raise TypeError(f"Not a timeline record: {type(target).__name__}")


def target_filter(target: CrmRecord) -> dict[str, CrmRecord]:
    """The keyword that links an activity or follow-up to `target`: {"deal": deal}."""
    return {target_type_of(target): target}


def _about_owner_q(user_id: int, prefix: str = "") -> Q:
    """Rows whose most specific record (deal, contact, lead, company) is owned by the user."""
    return (
        Q(**{f"{prefix}deal__isnull": False, f"{prefix}deal__owner_id": user_id})
        | Q(**{f"{prefix}deal__isnull": True, f"{prefix}contact__isnull": False, f"{prefix}contact__owner_id": user_id})
        | Q(
            **{
                f"{prefix}deal__isnull": True,
                f"{prefix}contact__isnull": True,
                f"{prefix}lead__isnull": False,
                f"{prefix}lead__owner_id": user_id,
            }
        )
        | Q(
            **{
                f"{prefix}deal__isnull": True,
                f"{prefix}contact__isnull": True,
                f"{prefix}lead__isnull": True,
                f"{prefix}company__owner_id": user_id,
            }
        )
    )


def activities_visible(
    queryset: QuerySet[Activity], *, org: Organization, membership: Membership
) -> QuerySet[Activity]:
    """The organization's activities this member may see."""
    scoped = queryset.filter(organization=org)
    if sees_all_crm_records(org=org, membership=membership):
        return scoped
    return scoped.filter(_about_owner_q(membership.user_id))


def follow_ups_visible(
    queryset: QuerySet[FollowUp], *, org: Organization, membership: Membership
) -> QuerySet[FollowUp]:
    """The organization's follow-ups this member may see: their own, and those on records they see."""
    scoped = queryset.filter(organization=org)
    if sees_all_crm_records(org=org, membership=membership):
        return scoped
    return scoped.filter(Q(assignee_id=membership.user_id) | _about_owner_q(membership.user_id))


def _target_q(*, org: Organization, membership: Membership, target: CrmRecord) -> Q:
    """Activities on the record; a company's include those of its (visible) contacts and deals."""
    if not isinstance(target, Company):
        return Q(**{f"{target_type_of(target)}_id": target.pk})
    contact_ids = crm_visible(Contact.objects.filter(company_id=target.pk), org=org, membership=membership)
    deal_ids = crm_visible(Deal.objects.filter(company_id=target.pk), org=org, membership=membership)
    return Q(company_id=target.pk) | Q(contact_id__in=contact_ids.values("pk")) | Q(deal_id__in=deal_ids.values("pk"))


def clean_kinds(kinds: Any) -> list[str]:
    """Known activity kinds among `kinds` (unknown ones are ignored), in the model's order."""
    wanted = {str(kind) for kind in (kinds or [])}
    return [kind for kind in Activity.Kind.values if kind in wanted]


@dataclass
class TimelinePage:
    activities: list[Activity]
    number: int
    has_next: bool
    kinds: list[str] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def next_query(self) -> str:
        """The query string of the next page, keeping the kind filter."""
        return urlencode([("page", self.next_number), *(("kind", kind) for kind in self.kinds)])


def timeline_queryset(
    *, org: Organization, membership: Membership, target: CrmRecord, kinds: Any = None
) -> QuerySet[Activity]:
    """Newest first, with who and what each entry is about loaded in the same query."""
    queryset = activities_visible(Activity.objects.all(), org=org, membership=membership).filter(
        _target_q(org=org, membership=membership, target=target)
    )
    chosen = clean_kinds(kinds)
    if chosen:
        queryset = queryset.filter(kind__in=chosen)
    return queryset.select_related("created_by", "company", "contact", "deal", "lead").order_by("-occurred_at", "-id")


def timeline_for(
    *, org: Organization, membership: Membership, target: CrmRecord, kinds: Any = None, page: Any = 1
) -> TimelinePage:
    """One page (25 entries) of the record's timeline: one query, whatever the page."""
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * TIMELINE_PAGE_SIZE
    queryset = timeline_queryset(org=org, membership=membership, target=target, kinds=kinds)
    rows = list(queryset[start : start + TIMELINE_PAGE_SIZE + 1])  # one extra row says "there is more"
    return TimelinePage(
        activities=rows[:TIMELINE_PAGE_SIZE],
        number=number,
        has_next=len(rows) > TIMELINE_PAGE_SIZE,
        kinds=clean_kinds(kinds),
    )


def follow_ups_for_target(*, org: Organization, membership: Membership, target: CrmRecord) -> list[FollowUp]:
    """The record's open follow-ups, soonest first (done ones leave the panel)."""
    queryset = follow_ups_visible(FollowUp.objects.all(), org=org, membership=membership)
    return list(
        queryset.filter(**target_filter(target), completed_at__isnull=True)
        .select_related("assignee")
        .order_by("due_at", "id")[:MY_DAY_LIMIT]
    )


def follow_up_list(
    *,
    org: Organization,
    membership: Membership,
    assignee_id: int | None = None,
    status: str = "",
) -> QuerySet[FollowUp]:
    """Visible follow-ups, optionally one member's, open ("open") or done ("done")."""
    queryset = follow_ups_visible(FollowUp.objects.all(), org=org, membership=membership)
    if assignee_id is not None:
        queryset = queryset.filter(assignee_id=assignee_id)
    if status == "open":
        queryset = queryset.filter(completed_at__isnull=True)
    elif status == "done":
        queryset = queryset.filter(completed_at__isnull=False)
    return queryset.select_related("assignee", "company", "contact", "deal", "lead").order_by("due_at", "id")


def assignable_members(*, org: Organization) -> QuerySet[Membership]:
    """Active members a follow-up can be given to."""
    return (
        Membership.objects.filter(organization=org, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


# --- Going cold ---------------------------------------------------------------------------------


def _cold_stage_thresholds(*, org: Organization, now: datetime.datetime) -> dict[int, datetime.datetime]:
    """{stage id: last touch before which a deal in it is cold} for stages that go cold at all."""
    stages = Stage.objects.filter(organization=org, kind=Stage.Kind.OPEN, cold_after_days__gt=0).values_list(
        "pk", "cold_after_days"
    )
    return {pk: now - datetime.timedelta(days=days) for pk, days in stages}


def _cold_q(thresholds: dict[int, datetime.datetime]) -> Q:
    """Open deals whose last touch (last activity, else entering the stage) is older than their stage allows."""
    condition = Q(pk__in=[])
    for stage_id, before in thresholds.items():
        condition |= Q(stage_id=stage_id, last_touch_at__lt=before)
    return Q(status=Deal.Status.OPEN) & condition


def annotate_is_cold(
    queryset: QuerySet[Deal], *, org: Organization, now: datetime.datetime | None = None
) -> QuerySet[Deal]:
    """Adds `last_touch_at` and a boolean `is_cold` to each deal, in SQL (one small query for the stages)."""
    thresholds = _cold_stage_thresholds(org=org, now=now or timezone.now())
    return queryset.annotate(last_touch_at=Coalesce("last_activity_at", "stage_entered_at")).annotate(
        is_cold=Case(When(_cold_q(thresholds), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def cold_deals(*, org: Organization, membership: Membership, now: datetime.datetime | None = None) -> QuerySet[Deal]:
    """Visible open deals with no activity for their stage's `cold_after_days`, coldest first."""
    thresholds = _cold_stage_thresholds(org=org, now=now or timezone.now())
    queryset = crm_visible(Deal.objects.all(), org=org, membership=membership)
    return (
        queryset.annotate(last_touch_at=Coalesce("last_activity_at", "stage_entered_at"))
        .filter(_cold_q(thresholds))
        .select_related("stage", "company", "owner")
        .order_by("last_touch_at", "id")
    )


def deal_is_cold(deal: Deal, now: datetime.datetime | None = None) -> bool:
    """The same rule for one loaded deal (its stage should be select_related)."""
    if deal.status != Deal.Status.OPEN:
        return False
    stage = deal.stage
    if stage.kind != Stage.Kind.OPEN or not stage.cold_after_days:
        return False
    last_touch = deal.last_activity_at or deal.stage_entered_at
    if last_touch is None:
        return False
    return last_touch < (now or timezone.now()) - datetime.timedelta(days=stage.cold_after_days)


# --- My day -------------------------------------------------------------------------------------


@dataclass
class MyDay:
    today: datetime.date
    overdue: list[FollowUp]
    due_today: list[FollowUp]
    deals_without_next_step: list[Deal]
    cold_deals: list[Deal]


def day_bounds(*, org: Organization, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of the organization's current day and of the next one, as aware datetimes."""
    zone = org.tz()
    day = timezone.localtime(now, zone).date()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def my_day(*, org: Organization, membership: Membership, now: datetime.datetime | None = None) -> MyDay:
    """The member's overdue and today's open follow-ups (organization time zone), their open deals
    with no next step, and their deals going cold: four queries (plus one for the stages)."""
    now = now or timezone.now()
    _start, end = day_bounds(org=org, now=now)
    user_id = membership.user_id
    open_follow_ups = list(
        FollowUp.objects.filter(organization=org, assignee_id=user_id, completed_at__isnull=True, due_at__lt=end)
        .select_related("company", "contact", "deal", "lead")
        .order_by("due_at", "id")[: MY_DAY_LIMIT * 2]
    )
    mine = crm_visible(Deal.objects.all(), org=org, membership=membership).filter(owner_id=user_id)
    without_next_step = list(
        mine.filter(status=Deal.Status.OPEN, next_step_due_at__isnull=True)
        .select_related("stage", "company")
        .order_by("expected_close_date", "id")[:MY_DAY_LIMIT]
    )
    cold = list(cold_deals(org=org, membership=membership, now=now).filter(owner_id=user_id)[:MY_DAY_LIMIT])
    return MyDay(
        today=timezone.localtime(now, org.tz()).date(),
        overdue=[item for item in open_follow_ups if item.due_at < now],
        due_today=[item for item in open_follow_ups if item.due_at >= now],
        deals_without_next_step=without_next_step,
        cold_deals=cold,
    )
