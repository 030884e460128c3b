"""timeline_for: newest first, kind filter, pages of 25 in one query, company roll-up, visibility."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity
from mizan.crm.selectors.timeline import TIMELINE_PAGE_SIZE, timeline_for
from mizan.crm.tests.timeline_helpers import (
    make_activities,
    make_company,
    make_contact,
    make_deal,
    make_lead,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


def _subjects(page) -> list[str]:
    return [activity.subject for activity in page.activities]


def test_newest_first_in_pages_of_25_with_a_next_page_flag(tenant):
    deal = make_deal(tenant.org)
    make_activities(tenant.org, 60, start=START, deal=deal)
    owner = tenant.members[Role.OWNER]

    first = timeline_for(org=tenant.org, membership=owner, target=deal)
    third = timeline_for(org=tenant.org, membership=owner, target=deal, page=3)

    assert _subjects(first) == [f"Note {index}" for index in range(59, 34, -1)]
    assert first.has_next is True and first.number == 1
    assert _subjects(third) == [f"Note {index}" for index in range(9, -1, -1)]
    assert third.has_next is False
    assert timeline_for(org=tenant.org, membership=owner, target=deal, page="junk").number == 1


def test_same_time_entries_are_ordered_by_newest_id(tenant):
    deal = make_deal(tenant.org)
    first, second = (
        Activity.objects.create(organization=tenant.org, kind="note", subject=name, occurred_at=START, deal=deal)
        for name in ("first", "second")
    )
    page = timeline_for(org=tenant.org, membership=tenant.members[Role.OWNER], target=deal)
    assert [activity.pk for activity in page.activities] == [second.pk, first.pk]


def test_filter_by_kinds_ignores_unknown_kinds(tenant):
    deal = make_deal(tenant.org)
    for minute, kind in enumerate(["note", "call", "meeting", "email", "stage_change", "system", "call"]):
        Activity.objects.create(
            organization=tenant.org,
            kind=kind,
            subject=f"{kind}-{minute}",
            occurred_at=START + datetime.timedelta(minutes=minute),
            deal=deal,
        )
    owner = tenant.members[Role.OWNER]

    calls = timeline_for(org=tenant.org, membership=owner, target=deal, kinds=["call", "bogus"])
    both = timeline_for(org=tenant.org, membership=owner, target=deal, kinds=["stage_change", "email"])
    everything = timeline_for(org=tenant.org, membership=owner, target=deal, kinds=["bogus"])

    assert _subjects(calls) == ["call-6", "call-1"]
    assert calls.kinds == ["call"]
    assert _subjects(both) == ["stage_change-4", "email-3"]
    assert len(everything.activities) == 7


def test_a_deal_with_500_activities_renders_any_page_in_one_query(tenant, django_assert_num_queries):
    deal = make_deal(tenant.org, owner=tenant.user(Role.SALES))
    make_activities(tenant.org, 500, start=START, deal=deal, created_by=tenant.owner)
    owner = tenant.members[Role.OWNER]

    for page_number in (1, 10, 20):
        with django_assert_num_queries(1):
            page = timeline_for(org=tenant.org, membership=owner, target=deal, page=page_number)
            # who and what it is about come with the row, no query per entry
            names = [(a.created_by.email, a.deal.title) for a in page.activities]
        assert len(names) == TIMELINE_PAGE_SIZE
    assert timeline_for(org=tenant.org, membership=owner, target=deal, page=20).has_next is False


def test_company_timeline_includes_its_contacts_and_deals_in_one_query(tenant, django_assert_num_queries):
    company = make_company(tenant.org)
    contact = make_contact(tenant.org, company=company)
    deal = make_deal(tenant.org, company=company)
    elsewhere = make_company(tenant.org, name="Elsewhere")
    Activity.objects.create(
        organization=tenant.org, kind="note", subject="on company", occurred_at=START, company=company
    )
    Activity.objects.create(
        organization=tenant.org,
        kind="call",
        subject="on contact",
        occurred_at=START + datetime.timedelta(hours=1),
        contact=contact,
    )
    Activity.objects.create(
        organization=tenant.org,
        kind="email",
        subject="on deal",
        occurred_at=START + datetime.timedelta(hours=2),
        deal=deal,
    )
    Activity.objects.create(
        organization=tenant.org, kind="note", subject="other company", occurred_at=START, company=elsewhere
    )

    owner = tenant.members[Role.OWNER]
    with django_assert_num_queries(1):
        page = timeline_for(org=tenant.org, membership=owner, target=company)
        subjects = _subjects(page)

    assert subjects == ["on deal", "on contact", "on company"]
    assert _subjects(timeline_for(org=tenant.org, membership=owner, target=contact)) == ["on contact"]
    assert _subjects(timeline_for(org=tenant.org, membership=owner, target=deal)) == ["on deal"]


def test_lead_timeline(tenant):
    lead = make_lead(tenant.org)
    Activity.objects.create(organization=tenant.org, kind="note", subject="lead note", occurred_at=START, lead=lead)
    page = timeline_for(org=tenant.org, membership=tenant.members[Role.OWNER], target=lead)
    assert _subjects(page) == ["lead note"]


def test_own_visibility_hides_other_members_deals_on_a_shared_company(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    other = tenant.members[Role.ADMIN].user
    company = make_company(tenant.org, owner=sales.user)
    mine = make_deal(tenant.org, company=company, owner=sales.user, title="mine")
    theirs = make_deal(tenant.org, company=company, owner=other, title="theirs")
    # activity_log fills the company of a deal's activity: the deal still decides who sees it.
    Activity.objects.create(
        organization=tenant.org, kind="note", subject="my deal", occurred_at=START, deal=mine, company=company
    )
    Activity.objects.create(
        organization=tenant.org, kind="note", subject="their deal", occurred_at=START, deal=theirs, company=company
    )
    Activity.objects.create(organization=tenant.org, kind="note", subject="company", occurred_at=START, company=company)

    seen_by_sales = _subjects(timeline_for(org=tenant.org, membership=sales, target=company))
    seen_by_admin = _subjects(timeline_for(org=tenant.org, membership=tenant.members[Role.ADMIN], target=company))

    assert sorted(seen_by_sales) == ["company", "my deal"]
    assert sorted(seen_by_admin) == ["company", "my deal", "their deal"]


def test_other_organization_activities_never_appear(tenant, other_tenant):
    deal = make_deal(tenant.org)
    other_deal = make_deal(other_tenant.org)
    Activity.objects.create(
        organization=other_tenant.org, kind="note", subject="other org", occurred_at=START, deal=other_deal
    )
    page = timeline_for(org=tenant.org, membership=tenant.members[Role.OWNER], target=deal)
    assert page.activities == []
    # even a foreign target asked for by mistake yields nothing of the other organization
    assert timeline_for(org=tenant.org, membership=tenant.members[Role.OWNER], target=other_deal).activities == []


def test_query_count_does_not_grow_with_the_page(tenant):
    company = make_company(tenant.org)
    deal = make_deal(tenant.org, company=company)
    make_activities(tenant.org, 120, start=START, deal=deal, company=company)
    owner = tenant.members[Role.OWNER]
    counts = []
    for page_number in (1, 4):
        with CaptureQueriesContext(connection) as queries:
            timeline_for(org=tenant.org, membership=owner, target=company, page=page_number)
        counts.append(len(queries))
    assert counts == [1, 1]
