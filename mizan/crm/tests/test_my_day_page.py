"""My day: overdue and today's follow-ups in the organization's time zone, deals with no next
step, deals going cold (one rule: deal_is_cold / cold_deals / annotate_is_cold)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.roles import Role
from mizan.crm.models import Deal, FollowUp, Stage
from mizan.crm.selectors.timeline import annotate_is_cold, cold_deals, deal_is_cold, my_day
from mizan.crm.tests.timeline_helpers import make_company, make_deal, make_stage

pytestmark = pytest.mark.django_db

# 23:30 on 2 March in Riyadh (UTC+3): the day there ends at 21:00 UTC.
NOW = datetime.datetime(2026, 3, 2, 20, 30, tzinfo=datetime.UTC)


def _at(**delta) -> datetime.datetime:
    return NOW + datetime.timedelta(**delta)


@pytest.fixture
def day_data(tenant, other_tenant):
    sales = tenant.user(Role.SALES)
    admin = tenant.user(Role.ADMIN)
    warm = make_stage(tenant.org, cold_after_days=7, position=1)
    never = make_stage(tenant.org, cold_after_days=0, position=2)
    won = make_stage(tenant.org, cold_after_days=7, kind=Stage.Kind.WON, position=3)
    company = make_company(tenant.org, name="Najd Trading")
    deals = {
        "fresh": make_deal(
            tenant.org,
            stage=warm,
            owner=sales,
            title="fresh",
            company=company,
            stage_entered_at=_at(days=-20),
            last_activity_at=_at(days=-2),
        ),
        "cold_no_step": make_deal(
            tenant.org,
            stage=warm,
            owner=sales,
            title="cold_no_step",
            stage_entered_at=_at(days=-20),
            last_activity_at=_at(days=-10),
        ),
        "cold_with_step": make_deal(
            tenant.org,
            stage=warm,
            owner=sales,
            title="cold_with_step",
            stage_entered_at=_at(days=-30),
            next_step_due_at=_at(days=3),
        ),
        "never_cold": make_deal(
            tenant.org,
            stage=never,
            owner=sales,
            title="never_cold",
            stage_entered_at=_at(days=-300),
            next_step_due_at=_at(days=1),
        ),
        "won": make_deal(
            tenant.org, stage=won, owner=sales, title="won", status=Deal.Status.WON, stage_entered_at=_at(days=-30)
        ),
        "admins": make_deal(tenant.org, stage=warm, owner=admin, title="admins", stage_entered_at=_at(days=-30)),
    }

    def follow_up(title, due_at, assignee=sales, org=tenant.org, **extra):
        return FollowUp.objects.create(
            organization=org,
            title=title,
            due_at=due_at,
            assignee=assignee,
            deal=extra.pop("deal", deals["fresh"] if org == tenant.org else None),
            company=extra.pop("company", None if org == tenant.org else make_company(org)),
            **extra,
        )

    follow_up("yesterday", _at(days=-1))
    follow_up("earlier today", _at(minutes=-30))
    follow_up("later today", _at(minutes=15))
    follow_up("after midnight in Riyadh", _at(hours=1))  # still 2 March in UTC
    follow_up("done", _at(days=-1), completed_at=_at(days=-1))
    follow_up("someone else's", _at(minutes=-5), assignee=admin)
    follow_up("other org", _at(minutes=-5), assignee=other_tenant.owner, org=other_tenant.org)
    return deals


def test_my_day_contents(tenant, day_data, django_assert_num_queries):
    with django_assert_num_queries(4):  # follow-ups, deals without next step, cold stages, cold deals
        day = my_day(org=tenant.org, membership=tenant.members[Role.SALES], now=NOW)
        deal_titles = [deal.title for deal in day.deals_without_next_step]
        companies = [str(deal.company) for deal in day.deals_without_next_step if deal.company_id]
        cold_titles = [deal.title for deal in day.cold_deals]
        overdue = [item.title for item in day.overdue]
        today = [item.title for item in day.due_today]
        records = [item.deal.title for item in day.overdue + day.due_today]

    assert day.today == datetime.date(2026, 3, 2)
    assert overdue == ["yesterday", "earlier today"]
    assert today == ["later today"]
    assert deal_titles == ["fresh", "cold_no_step"]
    assert companies == ["Najd Trading"]
    assert cold_titles == ["cold_with_step", "cold_no_step"]  # coldest (oldest touch) first
    assert records == ["fresh", "fresh", "fresh"]


def test_cold_rule_is_the_same_in_sql_and_in_python(tenant, day_data):
    owner = tenant.members[Role.OWNER]
    in_sql = {deal.title for deal in cold_deals(org=tenant.org, membership=owner, now=NOW)}
    annotated = {
        deal.title: deal.is_cold
        for deal in annotate_is_cold(Deal.objects.filter(organization=tenant.org), org=tenant.org, now=NOW)
    }
    in_python = {
        deal.title: deal_is_cold(deal, now=NOW)
        for deal in Deal.objects.filter(organization=tenant.org).select_related("stage")
    }
    assert in_sql == {"cold_no_step", "cold_with_step", "admins"}
    assert annotated == in_python
    assert {title for title, cold in in_python.items() if cold} == in_sql


def test_exactly_at_the_threshold_is_not_yet_cold(tenant):
    stage = make_stage(tenant.org, cold_after_days=7)
    deal = make_deal(tenant.org, stage=stage, stage_entered_at=NOW - datetime.timedelta(days=7))
    assert deal_is_cold(deal, now=NOW) is False
    assert not cold_deals(org=tenant.org, membership=tenant.members[Role.OWNER], now=NOW).exists()
    later = NOW + datetime.timedelta(seconds=1)
    assert deal_is_cold(deal, now=later) is True
    assert cold_deals(org=tenant.org, membership=tenant.members[Role.OWNER], now=later).get() == deal


def test_my_day_page_renders_for_the_member(tenant):
    sales = tenant.user(Role.SALES)
    stage = make_stage(tenant.org, cold_after_days=7)
    deal = make_deal(
        tenant.org,
        stage=stage,
        owner=sales,
        title="Jeddah fit-out",
        stage_entered_at=timezone.now() - datetime.timedelta(days=30),
    )
    FollowUp.objects.create(
        organization=tenant.org,
        title="Call Faisal back",
        assignee=sales,
        deal=deal,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client = client_for(sales)

    response = client.get(reverse("crm:my_day"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Call Faisal back" in html
    assert html.count("Jeddah fit-out") == 3  # the follow-up's record, no next step (row written directly), cold
    assert reverse("crm:follow_up_complete", args=[FollowUp.objects.get().pk]) in html
    assert " style=" not in html and "<script>" not in html


def test_my_day_done_button_comes_back_to_my_day(tenant):
    sales = tenant.user(Role.SALES)
    deal = make_deal(tenant.org, owner=sales)
    follow_up = FollowUp.objects.create(
        organization=tenant.org,
        title="x",
        assignee=sales,
        deal=deal,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    response = client_for(sales).post(
        reverse("crm:follow_up_complete", args=[follow_up.pk]), {"next": reverse("crm:my_day")}
    )
    assert response.status_code == 302 and response.url == reverse("crm:my_day")
    follow_up.refresh_from_db()
    assert follow_up.completed_at is not None


def test_my_day_needs_crm_access(tenant):
    assert client_for(tenant.user(Role.EMPLOYEE)).get(reverse("crm:my_day")).status_code == 403
    response = client_for(tenant.user(Role.ACCOUNTANT)).get(reverse("crm:my_day"))
    assert response.status_code == 200
    assert "Nothing overdue." in response.content.decode()


def test_sidebar_links_to_my_day(tenant):
    html = client_for(tenant.user(Role.SALES)).get(reverse("crm:my_day")).content.decode()
    assert f'aria-current="page" href="{reverse("crm:my_day")}"' in html
