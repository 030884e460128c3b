"""Follow-up rules: assignee, dates, targets, permissions, and the deal's next step kept in step."""

from __future__ import annotations

import datetime

import pytest

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Deal, FollowUp
from mizan.crm.services.timeline import follow_up_complete, follow_up_create, follow_up_reopen
from mizan.crm.tests.timeline_helpers import make_company, make_contact, make_deal, make_lead

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _create(tenant, **overrides):
    values = {
        "org": tenant.org,
        "actor_membership": tenant.members[Role.SALES],
        "title": "Call back",
        "due_at": MONDAY,
        "assignee": tenant.user(Role.SALES),
    }
    values.update(overrides)
    return follow_up_create(**values)


def test_create_on_a_deal_sets_its_next_step_and_company(tenant):
    company = make_company(tenant.org)
    deal = make_deal(tenant.org, company=company)

    follow_up = _create(tenant, deal=deal, remind_at=MONDAY - datetime.timedelta(hours=1), notes=" bring slides ")

    assert (follow_up.deal_id, follow_up.company_id, follow_up.notes) == (deal.pk, company.pk, "bring slides")
    assert follow_up.created_by_id == tenant.user(Role.SALES).pk
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == MONDAY


def test_deal_next_step_is_the_earliest_open_follow_up(tenant):
    deal = make_deal(tenant.org)
    owner = tenant.members[Role.OWNER]
    later = _create(tenant, deal=deal, title="later", due_at=MONDAY + datetime.timedelta(days=2))
    sooner = _create(tenant, deal=deal, title="sooner", due_at=MONDAY)
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == MONDAY

    follow_up_complete(org=tenant.org, actor_membership=owner, follow_up=sooner)
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == later.due_at

    follow_up_complete(org=tenant.org, actor_membership=owner, follow_up=later)
    assert Deal.objects.get(pk=deal.pk).next_step_due_at is None

    follow_up_reopen(org=tenant.org, actor_membership=owner, follow_up=sooner)
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == MONDAY
    sooner.refresh_from_db()
    assert sooner.completed_at is None


def test_completing_twice_changes_nothing_the_second_time(tenant):
    deal = make_deal(tenant.org)
    follow_up = _create(tenant, deal=deal)
    owner = tenant.members[Role.OWNER]
    done = follow_up_complete(org=tenant.org, actor_membership=owner, follow_up=follow_up)
    again = follow_up_complete(org=tenant.org, actor_membership=owner, follow_up=follow_up)
    assert again.completed_at == done.completed_at


def test_follow_ups_on_contact_lead_and_company(tenant):
    company = make_company(tenant.org)
    contact = make_contact(tenant.org, company=company)
    lead = make_lead(tenant.org)
    assert _create(tenant, contact=contact).company_id == company.pk
    assert _create(tenant, lead=lead).lead_id == lead.pk
    assert _create(tenant, company=company).company_id == company.pk


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"title": "   "}, "title_required", "title"),
        ({"due_at": None}, "due_required", "due_at"),
        ({"due_at": datetime.datetime(2026, 3, 2, 9, 0)}, "due_required", "due_at"),
        ({"remind_at": MONDAY + datetime.timedelta(minutes=1)}, "remind_after_due", "remind_at"),
        ({"assignee": None}, "invalid_assignee", "assignee"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(tenant, overrides, code, field):
    deal = make_deal(tenant.org)
    with pytest.raises(DomainError) as caught:
        _create(tenant, deal=deal, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert FollowUp.objects.count() == 0
    assert Deal.objects.get(pk=deal.pk).next_step_due_at is None


def test_assignee_must_be_an_active_member_of_this_organization(tenant, other_tenant):
    deal = make_deal(tenant.org)
    with pytest.raises(DomainError) as caught:
        _create(tenant, deal=deal, assignee=other_tenant.owner)
    assert caught.value.code == "invalid_assignee"

    leaver = tenant.members[Role.EMPLOYEE]
    leaver.is_active = False
    leaver.save()
    with pytest.raises(DomainError):
        _create(tenant, deal=deal, assignee=leaver.user)
    assert FollowUp.objects.count() == 0


def test_a_follow_up_needs_a_record(tenant):
    with pytest.raises(DomainError) as caught:
        _create(tenant)
    assert caught.value.code == "no_target"
    assert FollowUp.objects.count() == 0


def test_other_organization_records_and_follow_ups_are_not_found(tenant, other_tenant):
    foreign_deal = make_deal(other_tenant.org)
    with pytest.raises(DomainError) as caught:
        _create(tenant, deal=foreign_deal)
    assert caught.value.code == "not_found"
    foreign = FollowUp.objects.create(
        organization=other_tenant.org, title="x", due_at=MONDAY, assignee=other_tenant.owner, deal=foreign_deal
    )
    with pytest.raises(DomainError):
        follow_up_complete(org=tenant.org, actor_membership=tenant.members[Role.OWNER], follow_up=foreign)
    foreign.refresh_from_db()
    assert foreign.completed_at is None
    assert FollowUp.objects.count() == 1


def test_permissions_and_visibility(tenant):
    deal = make_deal(tenant.org, owner=tenant.user(Role.ADMIN))
    with pytest.raises(PermissionDeniedError):
        _create(tenant, deal=deal, actor_membership=tenant.members[Role.ACCOUNTANT])
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    with pytest.raises(DomainError) as caught:
        _create(tenant, deal=deal)
    assert caught.value.code == "not_found"
    assert FollowUp.objects.count() == 0
