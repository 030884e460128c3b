"""The deal rules: creation checks, stage moves with history and time in stage, won, lost, reopen."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.roles import Role
from mizan.crm.models import Activity, Contact, Deal, DealStageChange, Stage
from mizan.crm.selectors.deals import deal_stage_history, duration_text
from mizan.crm.services.deals import (
    deal_create,
    deal_mark_lost,
    deal_mark_won,
    deal_move,
    deal_reopen,
    deal_update,
)
from mizan.crm.services.pipelines import pipeline_create
from mizan.crm.tests.deal_helpers import audit_of, default_pipeline, lost_reason, make_company, make_deal, stage_named

pytestmark = pytest.mark.django_db


def test_new_organization_gets_the_default_pipeline_and_lost_reasons(tenant):
    pipeline = default_pipeline(tenant.org)
    stages = list(pipeline.stages.order_by("position").values_list("name_en", "name_ar", "probability", "kind"))
    assert [(en, p, kind) for en, _ar, p, kind in stages] == [
        ("New", 10, "open"),
        ("Qualified", 30, "open"),
        ("Proposal", 60, "open"),
        ("Negotiation", 80, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]
    assert all(ar for _en, ar, _p, _kind in stages)
    reasons = tenant.org and lost_reason(tenant.org)
    assert reasons.name_ar and reasons.name_en


def test_create_defaults_stage_currency_owner_and_records_history(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(tenant.org)
    contact = Contact.objects.create(organization=tenant.org, name_latin="Sara", company=company)
    deal = deal_create(
        org=tenant.org,
        actor_membership=sales,
        data={"title": " Fit-out ", "value": "2500.50", "company": company, "contacts": [contact]},
    )
    deal.refresh_from_db()
    assert deal.title == "Fit-out"
    assert deal.stage == stage_named(default_pipeline(tenant.org), "New")
    assert deal.currency == "SAR"
    assert deal.value == Decimal("2500.500")
    assert deal.owner == sales.user
    assert deal.status == Deal.Status.OPEN
    assert list(deal.contacts.all()) == [contact]
    assert DealStageChange.objects.filter(deal=deal, from_stage=None).count() == 1
    assert audit_of(deal).filter(action="create").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_create_rejects_bad_input_and_saves_nothing(tenant, data, field):
    payload = {"title": "Deal", "value": "10", **data}
    with pytest.raises(DomainError) as caught:
        deal_create(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data=payload)
    assert caught.value.field == field
    assert Deal.objects.count() == 0


def test_create_refuses_a_stage_of_another_pipeline_and_other_org_records(tenant, other_tenant):
    owner = tenant.members[Role.OWNER]
    second = pipeline_create(org=tenant.org, actor_membership=owner, data={"name_en": "Renewals"})
    foreign_stage = second.stages.filter(kind="open").first()
    with pytest.raises(DomainError) as caught:
        make_deal(tenant, pipeline=default_pipeline(tenant.org), stage=foreign_stage)
    assert caught.value.code == "stage_other_pipeline"
    with pytest.raises(DomainError) as caught:
        make_deal(tenant, company=make_company(other_tenant.org))
    assert caught.value.code == "not_found"
    assert Deal.objects.count() == 0


def test_roles_without_crm_edit_cannot_create(tenant):
    with pytest.raises(PermissionDeniedError):
        make_deal(tenant, role=Role.ACCOUNTANT)
    assert Deal.objects.count() == 0


def test_move_records_time_in_previous_stage_activity_and_audit(tenant):
    pipeline = default_pipeline(tenant.org)
    deal = make_deal(tenant)
    entered = timezone.now() - datetime.timedelta(days=2, hours=3)
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=entered)
    deal.refresh_from_db()
    qualified = stage_named(pipeline, "Qualified")
    deal_move(org=tenant.org, actor_membership=tenant.members[Role.OWNER], deal=deal, stage=qualified)
    deal.refresh_from_db()
    assert deal.stage == qualified
    assert deal.stage_entered_at > entered
    change = DealStageChange.objects.filter(deal=deal, to_stage=qualified).get()
    assert change.from_stage == stage_named(pipeline, "New")
    assert abs(change.seconds_in_previous - (2 * 86400 + 3 * 3600)) <= 5
    activity = Activity.objects.get(deal=deal, kind=Activity.Kind.STAGE_CHANGE)
    assert activity.subject == "Moved from “جديدة” to “مؤهلة”" or "مؤهلة" in activity.subject
    assert deal.last_activity_at is not None
    entry = audit_of(deal).filter(action="update").get()
    assert "stage" in entry.changes
    history = deal_stage_history(org=tenant.org, deal=deal)
    assert [stay.stage.name_en for stay in history["stays"]] == ["Qualified", "New"]
    per_stage = dict((stage.name_en, seconds) for stage, seconds in history["per_stage"])
    assert abs(per_stage["New"] - (2 * 86400 + 3 * 3600)) <= 5


def test_moving_to_a_stage_of_another_pipeline_is_refused_and_changes_nothing(tenant):
    owner = tenant.members[Role.OWNER]
    deal = make_deal(tenant)
    other = pipeline_create(org=tenant.org, actor_membership=owner, data={"name_en": "Renewals"})
    target = other.stages.filter(kind="open").first()
    with pytest.raises(DomainError) as caught:
        deal_move(org=tenant.org, actor_membership=owner, deal=deal, stage=target)
    assert caught.value.code == "stage_other_pipeline"
    assert "another pipeline" in caught.value.message
    deal.refresh_from_db()
    assert deal.stage.pipeline_id == deal.pipeline_id
    assert DealStageChange.objects.filter(deal=deal).count() == 1
    assert not Activity.objects.filter(deal=deal).exists()


def test_reorder_within_a_column_keeps_positions_contiguous(tenant):
    deals = [make_deal(tenant, title=f"D{n}") for n in range(4)]
    stage = deals[0].stage
    assert [d.position for d in deals] == [0, 1, 2, 3]
    deal_move(org=tenant.org, actor_membership=tenant.members[Role.OWNER], deal=deals[3], stage=stage, position=0)
    order = list(Deal.objects.filter(stage=stage).order_by("position").values_list("title", "position"))
    assert order == [("D3", 0), ("D0", 1), ("D1", 2), ("D2", 3)]
    assert DealStageChange.objects.filter(deal=deals[3]).count() == 1  # no stage change recorded


def test_move_between_columns_inserts_at_position_and_closes_the_gap(tenant):
    pipeline = default_pipeline(tenant.org)
    qualified = stage_named(pipeline, "Qualified")
    first = [make_deal(tenant, title=f"N{n}") for n in range(3)]
    second = [make_deal(tenant, title=f"Q{n}", stage=qualified) for n in range(2)]
    deal_move(org=tenant.org, actor_membership=tenant.members[Role.OWNER], deal=first[1], stage=qualified, position=1)
    assert list(Deal.objects.filter(stage=first[0].stage).order_by("position").values_list("title", "position")) == [
        ("N0", 0),
        ("N2", 1),
    ]
    assert list(Deal.objects.filter(stage=qualified).order_by("position").values_list("title", "position")) == [
        ("Q0", 0),
        ("N1", 1),
        ("Q1", 2),
    ]
    assert second


def test_won_lost_and_reopen(tenant):
    owner = tenant.members[Role.OWNER]
    pipeline = default_pipeline(tenant.org)
    deal = make_deal(tenant, stage=stage_named(pipeline, "Proposal"))
    deal_mark_won(org=tenant.org, actor_membership=owner, deal=deal)
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name_en) == ("won", "Won")
    assert deal.closed_at is not None
    with pytest.raises(DomainError):
        deal_mark_lost(org=tenant.org, actor_membership=owner, deal=deal, reason=lost_reason(tenant.org))
    deal_reopen(org=tenant.org, actor_membership=owner, deal=deal)
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name_en, deal.closed_at) == ("open", "Proposal", None)
    reason = lost_reason(tenant.org)
    deal_mark_lost(org=tenant.org, actor_membership=owner, deal=deal, reason=reason, note="Went with a rival")
    deal.refresh_from_db()
    assert (deal.status, deal.stage.name_en, deal.lost_reason, deal.lost_note) == (
        "lost",
        "Lost",
        reason,
        "Went with a rival",
    )
    assert DealStageChange.objects.filter(deal=deal).count() == 4


def test_lost_requires_a_reason_of_the_organization(tenant, other_tenant):
    owner = tenant.members[Role.OWNER]
    deal = make_deal(tenant)
    with pytest.raises(DomainError) as caught:
        deal_mark_lost(org=tenant.org, actor_membership=owner, deal=deal, reason=None)
    assert caught.value.code == "lost_reason_required"
    with pytest.raises(DomainError) as caught:
        deal_mark_lost(org=tenant.org, actor_membership=owner, deal=deal, reason=lost_reason(other_tenant.org))
    assert caught.value.code == "not_found"
    lost_stage = stage_named(default_pipeline(tenant.org), "Lost")
    with pytest.raises(DomainError):
        deal_move(org=tenant.org, actor_membership=owner, deal=deal, stage=lost_stage)
    deal.refresh_from_db()
    assert deal.status == "open" and deal.lost_reason is None
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_moving_into_won_stage_marks_won(tenant):
    deal = make_deal(tenant)
    won = stage_named(default_pipeline(tenant.org), "Won")
    deal_move(org=tenant.org, actor_membership=tenant.members[Role.OWNER], deal=deal, stage=won)
    assert deal.status == Deal.Status.WON
    assert Deal.objects.get(pk=deal.pk).status == "won"


def test_update_audits_changes_and_checks_owner(tenant, other_tenant):
    owner = tenant.members[Role.OWNER]
    deal = make_deal(tenant)
    deal_update(org=tenant.org, actor_membership=owner, deal=deal, data={"value": "1500", "title": "Bigger"})
    deal.refresh_from_db()
    assert (deal.value, deal.title) == (Decimal("1500.000"), "Bigger")
    entry = audit_of(deal).filter(action="update").get()
    assert set(entry.changes) == {"title", "value"}
    with pytest.raises(DomainError):
        deal_update(org=tenant.org, actor_membership=owner, deal=deal, data={"owner": other_tenant.owner})
    deal.refresh_from_db()
    assert deal.owner == tenant.owner


def test_sales_member_with_own_visibility_cannot_give_deals_away(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    deal = make_deal(tenant, membership=sales)
    with pytest.raises(DomainError):
        deal_update(org=tenant.org, actor_membership=sales, deal=deal, data={"owner": tenant.owner})
    assert Deal.objects.get(pk=deal.pk).owner == sales.user


def test_duration_text():
    assert duration_text(2 * 86400 + 3 * 3600 + 120) == "2 days 3 hours"
    assert duration_text(25 * 60) == "25 minutes"
    assert duration_text(5) == "less than a minute"


def test_stage_kind_is_one_of_open_won_lost():
    assert set(Stage.Kind.values) == {"open", "won", "lost"}
