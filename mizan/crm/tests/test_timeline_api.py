"""/api/v1/crm/activities/ and /api/v1/crm/follow-ups/: filters, writes through the services,
visibility, and other organizations' ids (404, nothing changed)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from mizan.api.tests.conftest import token_client_for
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity, Deal, FollowUp
from mizan.crm.tests.timeline_helpers import make_activities, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db

ACTIVITIES = "/api/v1/crm/activities/"
FOLLOW_UPS = "/api/v1/crm/follow-ups/"
START = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def test_list_filters_by_record_and_kind_newest_first(tenant):
    company = make_company(tenant.org)
    contact = make_contact(tenant.org, company=company)
    deal = make_deal(tenant.org, company=company)
    other = make_deal(tenant.org, title="Other")
    Activity.objects.create(
        organization=tenant.org, kind="note", subject="company note", occurred_at=START, company=company
    )
    Activity.objects.create(
        organization=tenant.org,
        kind="call",
        subject="contact call",
        occurred_at=START + datetime.timedelta(hours=1),
        contact=contact,
    )
    Activity.objects.create(
        organization=tenant.org,
        kind="email",
        subject="deal email",
        occurred_at=START + datetime.timedelta(hours=2),
        deal=deal,
    )
    Activity.objects.create(organization=tenant.org, kind="note", subject="elsewhere", occurred_at=START, deal=other)
    client = token_client_for(tenant.members[Role.OWNER])

    by_company = client.get(ACTIVITIES, {"company": company.pk})
    by_deal = client.get(ACTIVITIES, {"deal": deal.pk})
    calls = client.get(ACTIVITIES, {"kind": "call"})
    bad_kind = client.get(ACTIVITIES, {"kind": "party"})

    assert by_company.status_code == 200
    assert [row["subject"] for row in by_company.json()["results"]] == ["deal email", "contact call", "company note"]
    assert [row["subject"] for row in by_deal.json()["results"]] == ["deal email"]
    assert [row["subject"] for row in calls.json()["results"]] == ["contact call"]
    assert bad_kind.status_code == 400


def test_list_query_count_does_not_grow_with_rows(tenant, django_assert_num_queries):
    deal = make_deal(tenant.org)
    make_activities(tenant.org, 120, start=START, deal=deal, created_by=tenant.owner)
    client = token_client_for(tenant.members[Role.OWNER])
    client.get(ACTIVITIES, {"deal": deal.pk})
    with django_assert_num_queries(4):  # token with its member, membership, count, page
        response = client.get(ACTIVITIES, {"deal": deal.pk, "page_size": 100})
    assert len(response.json()["results"]) == 100


def test_create_a_call_through_the_service(tenant):
    deal = make_deal(tenant.org)
    client = token_client_for(tenant.members[Role.SALES])
    response = client.post(
        ACTIVITIES,
        {"kind": "call", "deal": deal.pk, "outcome": "answered", "duration_minutes": 15, "subject": "Pricing"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["outcome"], body["duration_minutes"], body["deal"]) == ("call", "answered", 15, deal.pk)
    assert Deal.objects.get(pk=deal.pk).last_activity_at is not None
    assert Activity.objects.get().created_by_id == tenant.user(Role.SALES).pk


def test_create_refuses_bad_input_and_saves_nothing(tenant):
    deal = make_deal(tenant.org)
    company = make_company(tenant.org)
    client = token_client_for(tenant.members[Role.OWNER])

    no_target = client.post(ACTIVITIES, {"kind": "note", "body": "x"}, format="json")
    two_targets = client.post(
        ACTIVITIES, {"kind": "note", "body": "x", "deal": deal.pk, "company": company.pk}, format="json"
    )
    stage_change = client.post(ACTIVITIES, {"kind": "stage_change", "deal": deal.pk}, format="json")
    empty_note = client.post(ACTIVITIES, {"kind": "note", "deal": deal.pk, "body": ""}, format="json")

    assert no_target.status_code == two_targets.status_code == 400
    assert no_target.json()["code"] == "one_target"
    assert stage_change.status_code == 400 and stage_change.json()["field"] == "kind"
    assert empty_note.status_code == 400 and empty_note.json()["code"] == "body_required"
    assert Activity.objects.count() == 0


def test_send_an_email_through_the_api_once_per_key(tenant, mailoutbox, django_capture_on_commit_callbacks):
    contact = make_contact(tenant.org, email="sara@client.example")
    client = token_client_for(tenant.members[Role.OWNER])
    payload = {
        "kind": "email",
        "contact": contact.pk,
        "send": True,
        "subject": "Hi",
        "body": "Text",
        "idempotency_key": "api-1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(ACTIVITIES, payload, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        retry = client.post(ACTIVITIES, payload, format="json")
    assert first.status_code == 201 and first.json()["outcome"] == "sent"
    assert retry.status_code == 400 and retry.json()["code"] == "already_sent"
    assert len(mailoutbox) == 1


def test_view_only_member_cannot_create(tenant):
    deal = make_deal(tenant.org)
    client = token_client_for(tenant.members[Role.ACCOUNTANT])
    assert client.get(ACTIVITIES).status_code == 200
    assert client.post(ACTIVITIES, {"kind": "note", "deal": deal.pk, "body": "x"}, format="json").status_code == 403
    assert Activity.objects.count() == 0


def test_follow_ups_create_list_mine_complete_reopen(tenant):
    sales = tenant.members[Role.SALES]
    deal = make_deal(tenant.org, owner=sales.user)
    client = token_client_for(sales)

    created = client.post(
        FOLLOW_UPS,
        {"title": "Send contract", "deal": deal.pk, "due_at": "2026-03-03T09:00:00+03:00"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["assignee"] == sales.user_id  # default: me
    follow_up_id = created.json()["id"]
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == datetime.datetime(2026, 3, 3, 6, 0, tzinfo=datetime.UTC)
    FollowUp.objects.create(
        organization=tenant.org, title="Admin's", due_at=START, assignee=tenant.user(Role.ADMIN), deal=deal
    )

    mine = client.get(FOLLOW_UPS, {"assignee": "me", "status": "open"})
    assert [row["title"] for row in mine.json()["results"]] == ["Send contract"]
    everyone = client.get(FOLLOW_UPS, {"deal": deal.pk})
    assert [row["title"] for row in everyone.json()["results"]] == ["Admin's", "Send contract"]

    done = client.post(f"{FOLLOW_UPS}{follow_up_id}/complete/")
    assert done.status_code == 200 and done.json()["is_done"] is True
    assert client.get(FOLLOW_UPS, {"assignee": "me", "status": "open"}).json()["results"] == []
    assert client.get(FOLLOW_UPS, {"assignee": "me", "status": "done"}).json()["count"] == 1
    reopened = client.post(f"{FOLLOW_UPS}{follow_up_id}/reopen/")
    assert reopened.json()["is_done"] is False


def test_follow_up_for_someone_outside_the_organization_is_refused(tenant, other_tenant):
    deal = make_deal(tenant.org)
    client = token_client_for(tenant.members[Role.OWNER])
    response = client.post(
        FOLLOW_UPS,
        {"title": "x", "deal": deal.pk, "due_at": "2026-03-03T09:00:00Z", "assignee": other_tenant.owner.pk},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "assignee"
    assert FollowUp.objects.count() == 0


def test_other_organization_ids_are_404_and_change_nothing(tenant, other_tenant):
    foreign_deal = make_deal(other_tenant.org)
    foreign_activity = Activity.objects.create(
        organization=other_tenant.org, kind="note", subject="theirs", occurred_at=START, deal=foreign_deal
    )
    foreign_follow_up = FollowUp.objects.create(
        organization=other_tenant.org, title="theirs", due_at=START, assignee=other_tenant.owner, deal=foreign_deal
    )
    client = token_client_for(tenant.members[Role.OWNER])

    assert client.get(f"{ACTIVITIES}{foreign_activity.pk}/").status_code == 404
    assert client.get(ACTIVITIES, {"deal": foreign_deal.pk}).json()["results"] == []
    assert (
        client.post(ACTIVITIES, {"kind": "note", "deal": foreign_deal.pk, "body": "x"}, format="json").status_code
        == 404
    )
    assert (
        client.post(
            FOLLOW_UPS, {"title": "x", "deal": foreign_deal.pk, "due_at": "2026-03-03T09:00:00Z"}, format="json"
        ).status_code
        == 404
    )
    assert client.post(f"{FOLLOW_UPS}{foreign_follow_up.pk}/complete/").status_code == 404
    assert Activity.objects.count() == 1 and FollowUp.objects.count() == 1
    foreign_follow_up.refresh_from_db()
    assert foreign_follow_up.completed_at is None


def test_own_visibility_in_the_api(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    mine = make_deal(tenant.org, owner=sales.user, title="mine")
    theirs = make_deal(tenant.org, owner=tenant.user(Role.ADMIN), title="theirs")
    Activity.objects.create(organization=tenant.org, kind="note", subject="on mine", occurred_at=START, deal=mine)
    hidden = Activity.objects.create(
        organization=tenant.org, kind="note", subject="on theirs", occurred_at=START, deal=theirs
    )
    hidden_follow_up = FollowUp.objects.create(
        organization=tenant.org, title="theirs", due_at=START, assignee=tenant.user(Role.ADMIN), deal=theirs
    )
    client = token_client_for(sales)

    assert [row["subject"] for row in client.get(ACTIVITIES).json()["results"]] == ["on mine"]
    assert client.get(f"{ACTIVITIES}{hidden.pk}/").status_code == 404
    assert client.get(FOLLOW_UPS).json()["results"] == []
    assert client.post(f"{FOLLOW_UPS}{hidden_follow_up.pk}/complete/").status_code == 404
    assert client.post(ACTIVITIES, {"kind": "note", "deal": theirs.pk, "body": "x"}, format="json").status_code == 404
    assert Activity.objects.count() == 2
