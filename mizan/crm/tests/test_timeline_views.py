"""The timeline panel and its htmx endpoints: list, filter, load more, log, send, follow-ups."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity, Deal, FollowUp
from mizan.crm.tests.timeline_helpers import make_activities, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
START = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


def _entries_url(target_type: str, pk: int) -> str:
    return reverse("crm:timeline_entries", args=[target_type, pk])


def _activity_url(target_type: str, pk: int) -> str:
    return reverse("crm:activity_create", args=[target_type, pk])


def _render_panel(user, membership, target) -> str:
    """What a record page gets from {% include "crm/timeline/_panel.html" with target=... %}."""
    request = RequestFactory().get("/crm/")
    request.user = user
    request.org = membership.organization
    request.membership = membership
    template = Template('{% include "crm/timeline/_panel.html" with target=record %}')
    return template.render(RequestContext(request, {"record": target}))


def test_panel_include_shows_entries_forms_and_follow_ups(tenant):
    owner = tenant.members[Role.OWNER]
    deal = make_deal(tenant.org)
    Activity.objects.create(
        organization=tenant.org,
        kind="call",
        subject="Intro <call>",
        body="line one\nline two",
        outcome="answered",
        duration_minutes=12,
        occurred_at=START,
        deal=deal,
        created_by=tenant.owner,
    )
    FollowUp.objects.create(
        organization=tenant.org, title="Send the proposal", due_at=START, assignee=tenant.owner, deal=deal
    )

    html = _render_panel(tenant.owner, owner, deal)

    assert 'id="crm-timeline"' in html
    assert "Intro &lt;call&gt;" in html and "line one<br>line two" in html
    assert "Send the proposal" in html
    for form_name in ("note", "call", "meeting", "email"):
        assert f'name="form" value="{form_name}"' in html
    assert 'name="follow_up-title"' in html
    assert reverse("crm:follow_up_complete", args=[FollowUp.objects.get().pk]) in html
    assert " style=" not in html and " onclick=" not in html and "<script" not in html


def test_panel_for_a_member_who_cannot_edit_has_no_forms(tenant):
    accountant = tenant.members[Role.ACCOUNTANT]
    deal = make_deal(tenant.org)
    Activity.objects.create(organization=tenant.org, kind="note", subject="Visible", occurred_at=START, deal=deal)
    html = _render_panel(accountant.user, accountant, deal)
    assert "Visible" in html
    assert 'name="form"' not in html


def test_entries_endpoint_filters_and_loads_more(tenant):
    deal = make_deal(tenant.org)
    make_activities(tenant.org, 30, start=START, deal=deal)
    Activity.objects.create(organization=tenant.org, kind="call", subject="The call", occurred_at=START, deal=deal)
    client = client_for(tenant.owner)

    first = client.get(_entries_url("deal", deal.pk), **HTMX)
    second = client.get(_entries_url("deal", deal.pk), {"page": 2}, **HTMX)
    calls = client.get(_entries_url("deal", deal.pk), {"kind": "call"}, **HTMX)

    assert first.status_code == 200
    first_html = first.content.decode()
    assert first_html.count('class="crm-timeline-entry') == 25
    assert 'id="crm-timeline-entries"' in first_html
    assert "page=2" in first_html
    second_html = second.content.decode()
    assert second_html.count('class="crm-timeline-entry') == 6
    assert 'id="crm-timeline-entries"' not in second_html  # only rows, appended in place
    assert "Load more" not in second_html
    calls_html = calls.content.decode()
    assert calls_html.count('class="crm-timeline-entry') == 1 and "The call" in calls_html


def test_entries_endpoint_query_count_is_constant_with_500_activities(tenant):
    deal = make_deal(tenant.org)
    make_activities(tenant.org, 500, start=START, deal=deal, created_by=tenant.owner)
    client = client_for(tenant.owner)
    client.get(_entries_url("deal", deal.pk), **HTMX)  # warm the session and content types

    counts = []
    for page_number in (1, 2, 19):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_entries_url("deal", deal.pk), {"page": page_number}, **HTMX)
        assert response.status_code == 200
        assert response.content.decode().count('class="crm-timeline-entry') == 25
        counts.append(len(queries))
    # session, user, membership, the deal (visibility), the page of activities with who and what
    assert counts == [5, 5, 5]


def test_log_a_note_with_htmx_returns_the_fresh_panel(tenant):
    company = make_company(tenant.org)
    client = client_for(tenant.user(Role.SALES))

    response = client.post(
        _activity_url("company", company.pk), {"form": "note", "note-body": "Met at the Riyadh expo"}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="crm-timeline"' in html and "Met at the Riyadh expo" in html
    activity = Activity.objects.get()
    assert (activity.kind, activity.company_id, activity.created_by_id) == (
        "note",
        company.pk,
        tenant.user(Role.SALES).pk,
    )


def test_log_a_call_in_the_organization_time_zone(tenant):
    deal = make_deal(tenant.org)
    client = client_for(tenant.owner)
    response = client.post(
        _activity_url("deal", deal.pk),
        {
            "form": "call",
            "call-outcome": "no_answer",
            "call-duration_minutes": "3",
            "call-occurred_at": "2026-03-01T10:30",
        },
        **HTMX,
    )
    assert response.status_code == 200
    activity = Activity.objects.get()
    # Riyadh is UTC+3: 10:30 there is 07:30 UTC.
    assert activity.occurred_at == datetime.datetime(2026, 3, 1, 7, 30, tzinfo=datetime.UTC)
    assert (activity.outcome, activity.duration_minutes) == ("no_answer", 3)
    assert Deal.objects.get(pk=deal.pk).last_activity_at == activity.occurred_at


def test_invalid_form_shows_translated_errors_and_saves_nothing(tenant):
    deal = make_deal(tenant.org)
    client = client_for(tenant.owner)
    response = client.post(
        _activity_url("deal", deal.pk), {"form": "call", "call-outcome": "", "call-duration_minutes": "-5"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert 'id="crm-pane-call" role="tabpanel"' in html and "show active" in html
    assert Activity.objects.count() == 0

    future = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _activity_url("deal", deal.pk),
        {"form": "call", "call-outcome": "busy", "call-occurred_at": future},
        **HTMX,
    )
    assert "use a follow-up for what is still to do" in response.content.decode()
    assert Activity.objects.count() == 0


def test_arabic_error_message(tenant):
    user = tenant.owner
    user.language = "ar"
    user.save()
    deal = make_deal(tenant.org)
    response = client_for(user).post(_activity_url("deal", deal.pk), {"form": "meeting", "meeting-subject": ""}, **HTMX)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert "هذا الحقل مطلوب" in response.content.decode()  # "This field is required." in Arabic
    assert Activity.objects.count() == 0


def test_without_htmx_a_log_redirects_back(tenant):
    deal = make_deal(tenant.org)
    response = client_for(tenant.owner).post(
        _activity_url("deal", deal.pk), {"form": "note", "note-body": "Plain post"}
    )
    assert response.status_code == 302
    assert Activity.objects.get().body == "Plain post"


def test_unknown_form_is_a_bad_request(tenant):
    deal = make_deal(tenant.org)
    response = client_for(tenant.owner).post(_activity_url("deal", deal.pk), {"form": "stage_change"}, **HTMX)
    assert response.status_code == 400
    assert Activity.objects.count() == 0


def test_send_an_email_from_the_panel_once(tenant, mailoutbox, django_capture_on_commit_callbacks):
    contact = make_contact(tenant.org, email="sara@client.example")
    client = client_for(tenant.owner)
    data = {
        "form": "email",
        "email-mode": "send",
        "email-subject": "Proposal",
        "email-body": "Please find it attached.",
        "email-idempotency_key": "abc123",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_activity_url("contact", contact.pk), data, **HTMX)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(_activity_url("contact", contact.pk), data, **HTMX)

    assert first.status_code == second.status_code == 200
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sara@client.example"]
    assert Activity.objects.filter(kind="email", outcome="sent").count() == 1
    assert "already been sent" in second.content.decode()
    # the fresh form carries a new key, so the next e-mail is a new one
    key = re.search(r'name="email-idempotency_key" value="([0-9a-f]+)"', first.content.decode()).group(1)
    assert key != "abc123"


def test_follow_up_create_and_complete_through_the_panel(tenant):
    sales = tenant.members[Role.SALES]
    deal = make_deal(tenant.org, owner=sales.user)
    client = client_for(sales.user)

    response = client.post(
        reverse("crm:follow_up_create", args=["deal", deal.pk]),
        {
            "follow_up-title": "Call back about pricing",
            "follow_up-due_at": "2026-03-02T09:00",
            "follow_up-remind_at": "2026-03-02T08:30",
            "follow_up-assignee": str(sales.user_id),
        },
        **HTMX,
    )

    assert response.status_code == 200
    follow_up = FollowUp.objects.get()
    assert follow_up.due_at == datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)
    assert follow_up.remind_at == datetime.datetime(2026, 3, 2, 5, 30, tzinfo=datetime.UTC)
    assert "Call back about pricing" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).next_step_due_at == follow_up.due_at

    response = client.post(
        reverse("crm:follow_up_complete", args=[follow_up.pk]), {"panel_type": "deal", "panel_id": deal.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "Call back about pricing" not in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.completed_at is not None
    assert Deal.objects.get(pk=deal.pk).next_step_due_at is None

    response = client.post(reverse("crm:follow_up_reopen", args=[follow_up.pk]))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.completed_at is None


def test_follow_up_for_a_non_member_is_refused(tenant, other_tenant):
    deal = make_deal(tenant.org)
    response = client_for(tenant.owner).post(
        reverse("crm:follow_up_create", args=["deal", deal.pk]),
        {
            "follow_up-title": "x",
            "follow_up-due_at": "2026-03-02T09:00",
            "follow_up-assignee": str(other_tenant.owner.pk),
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_other_organization_ids_are_404_and_change_nothing(tenant, other_tenant):
    foreign_deal = make_deal(other_tenant.org)
    foreign_follow_up = FollowUp.objects.create(
        organization=other_tenant.org, title="Theirs", due_at=START, assignee=other_tenant.owner, deal=foreign_deal
    )
    client = client_for(tenant.owner)

    assert client.get(_entries_url("deal", foreign_deal.pk), **HTMX).status_code == 404
    assert client.post(_activity_url("deal", foreign_deal.pk), {"form": "note", "note-body": "x"}).status_code == 404
    assert (
        client.post(
            reverse("crm:follow_up_create", args=["deal", foreign_deal.pk]),
            {"follow_up-title": "x", "follow_up-due_at": "2026-03-02T09:00", "follow_up-assignee": tenant.owner.pk},
        ).status_code
        == 404
    )
    assert client.post(reverse("crm:follow_up_complete", args=[foreign_follow_up.pk])).status_code == 404
    assert client.get(_entries_url("planet", 1)).status_code == 404

    assert Activity.objects.count() == 0
    assert FollowUp.objects.count() == 1
    foreign_follow_up.refresh_from_db()
    assert foreign_follow_up.completed_at is None


def test_own_visibility_sales_member_gets_404_on_another_members_deal(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    deal = make_deal(tenant.org, owner=tenant.user(Role.ADMIN))
    follow_up = FollowUp.objects.create(
        organization=tenant.org, title="Admin's", due_at=START, assignee=tenant.user(Role.ADMIN), deal=deal
    )
    client = client_for(tenant.user(Role.SALES))

    assert client.get(_entries_url("deal", deal.pk), **HTMX).status_code == 404
    assert client.post(_activity_url("deal", deal.pk), {"form": "note", "note-body": "x"}).status_code == 404
    assert client.post(reverse("crm:follow_up_complete", args=[follow_up.pk])).status_code == 404
    assert Activity.objects.count() == 0
    follow_up.refresh_from_db()
    assert follow_up.completed_at is None


def test_view_only_member_can_read_but_not_write(tenant):
    deal = make_deal(tenant.org)
    client = client_for(tenant.user(Role.ACCOUNTANT))
    assert client.get(_entries_url("deal", deal.pk), **HTMX).status_code == 200
    assert client.post(_activity_url("deal", deal.pk), {"form": "note", "note-body": "x"}).status_code == 403
    assert client_for(tenant.user(Role.EMPLOYEE)).get(_entries_url("deal", deal.pk)).status_code == 403
    assert Activity.objects.count() == 0


def test_panel_include_query_count_is_constant_with_500_activities(tenant):
    owner = tenant.members[Role.OWNER]
    company = make_company(tenant.org)
    deal = make_deal(tenant.org, company=company)
    make_activities(tenant.org, 500, start=START, deal=deal, company=company, created_by=tenant.owner)
    for index in range(5):
        FollowUp.objects.create(
            organization=tenant.org, title=f"F{index}", due_at=START, assignee=tenant.owner, deal=deal
        )
    _render_panel(tenant.owner, owner, deal)  # warm caches

    counts = []
    for target in (deal, company):
        with CaptureQueriesContext(connection) as queries:
            html = _render_panel(tenant.owner, owner, target)
        counts.append(len(queries))
        assert html.count('class="crm-timeline-entry') == 25
    # entries, follow-ups, assignable members, the e-mail address (record's contacts)
    assert counts == [4, 4]
