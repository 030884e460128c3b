"""Logging notes, calls, meetings and e-mails; sending an e-mail from a record, once."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity, Contact, Deal
from mizan.crm.services.timeline import activity_email_send, activity_record, email_recipient
from mizan.crm.tests.timeline_helpers import make_company, make_contact, make_deal, make_lead

pytestmark = pytest.mark.django_db


def test_call_is_logged_with_duration_outcome_and_updates_the_deal(tenant):
    sales = tenant.members[Role.SALES]
    deal = make_deal(tenant.org, owner=sales.user)
    when = timezone.now() - datetime.timedelta(hours=2)

    activity = activity_record(
        org=tenant.org,
        actor_membership=sales,
        target=deal,
        kind="call",
        subject="  Intro call ",
        body="Asked for a proposal",
        occurred_at=when,
        duration_minutes="25",
        outcome="answered",
    )

    activity.refresh_from_db()
    assert (activity.kind, activity.subject, activity.duration_minutes, activity.outcome) == (
        "call",
        "Intro call",
        25,
        "answered",
    )
    assert activity.deal_id == deal.pk and activity.created_by_id == sales.user_id
    assert Deal.objects.get(pk=deal.pk).last_activity_at == when
    audit = AuditEntry.objects.filter(
        organization=tenant.org,
        content_type=ContentType.objects.get_for_model(Activity),
        object_id=str(activity.pk),
        action="create",
    )
    assert audit.count() == 1


def test_note_on_a_contact_also_names_its_company(tenant):
    company = make_company(tenant.org)
    contact = make_contact(tenant.org, company=company)
    activity = activity_record(
        org=tenant.org, actor_membership=tenant.members[Role.OWNER], target=contact, kind="note", body="Likes tea"
    )
    assert (activity.contact_id, activity.company_id, activity.outcome) == (contact.pk, company.pk, "")


@pytest.mark.parametrize(
    ("kind", "extra", "code", "field"),
    [
        ("note", {"body": "  "}, "body_required", "body"),
        ("call", {"outcome": "maybe"}, "invalid_outcome", "outcome"),
        ("call", {"outcome": "busy", "duration_minutes": "-3"}, "invalid_duration", "duration_minutes"),
        ("call", {"outcome": "busy", "duration_minutes": "2000"}, "invalid_duration", "duration_minutes"),
        ("meeting", {"subject": ""}, "subject_required", "subject"),
        ("email", {"subject": ""}, "subject_required", "subject"),
        ("stage_change", {"subject": "x"}, "invalid_kind", "kind"),
        ("system", {"subject": "x"}, "invalid_kind", "kind"),
        ("note", {"body": "x", "occurred_at": "future"}, "in_the_future", "occurred_at"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(tenant, kind, extra, code, field):
    deal = make_deal(tenant.org)
    if extra.get("occurred_at") == "future":
        extra = {**extra, "occurred_at": timezone.now() + datetime.timedelta(days=1)}
    with pytest.raises(DomainError) as caught:
        activity_record(org=tenant.org, actor_membership=tenant.members[Role.OWNER], target=deal, kind=kind, **extra)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message
    assert Activity.objects.count() == 0
    assert Deal.objects.get(pk=deal.pk).last_activity_at is None


def test_members_without_crm_edit_cannot_log(tenant):
    deal = make_deal(tenant.org)
    for role in (Role.ACCOUNTANT, Role.PROJECT_MANAGER, Role.EMPLOYEE):
        with pytest.raises(PermissionDeniedError):
            activity_record(org=tenant.org, actor_membership=tenant.members[role], target=deal, kind="note", body="x")
    assert Activity.objects.count() == 0


def test_other_organization_record_is_not_found(tenant, other_tenant):
    foreign = make_deal(other_tenant.org)
    with pytest.raises(DomainError) as caught:
        activity_record(
            org=tenant.org, actor_membership=tenant.members[Role.OWNER], target=foreign, kind="note", body="x"
        )
    assert caught.value.code == "not_found"
    assert Activity.objects.count() == 0


def test_sales_member_with_own_visibility_cannot_log_on_another_members_deal(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    deal = make_deal(tenant.org, owner=tenant.user(Role.ADMIN))
    with pytest.raises(DomainError) as caught:
        activity_record(org=tenant.org, actor_membership=tenant.members[Role.SALES], target=deal, kind="note", body="x")
    assert caught.value.code == "not_found"
    assert Activity.objects.count() == 0


def test_email_sent_from_a_contact_goes_out_once_in_the_organization_language(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    tenant.org.language = "ar"
    tenant.org.save()
    contact = make_contact(tenant.org, email="sara@client.example", name="Sara")
    sales = tenant.members[Role.SALES]

    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_email_send(
            org=tenant.org,
            actor_membership=sales,
            target=contact,
            subject="Our proposal",
            body="Hello Sara,\n<b>see</b> attached.",
            idempotency_key="form-1",
        )

    assert (activity.kind, activity.outcome, activity.email_to, activity.contact_id) == (
        "email",
        "sent",
        "sara@client.example",
        contact.pk,
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sara@client.example"]
    assert message.subject == "Our proposal"
    assert "Hello Sara," in message.body
    html = message.alternatives[0][0]
    assert "&lt;b&gt;see&lt;/b&gt;" in html and "<br>" in html
    assert 'lang="ar"' in html

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as caught:
        activity_email_send(
            org=tenant.org,
            actor_membership=sales,
            target=contact,
            subject="Our proposal",
            body="again",
            idempotency_key="form-1",
        )
    assert caught.value.code == "already_sent"
    assert len(mailoutbox) == 1
    assert Activity.objects.filter(kind="email").count() == 1


def test_email_from_a_deal_goes_to_its_first_contact_with_an_address(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    company = make_company(tenant.org)
    deal = make_deal(tenant.org, company=company)
    no_address = make_contact(tenant.org, company=company, name="No address")
    with_address = make_contact(tenant.org, company=company, name="Omar", email="omar@client.example")
    deal.contacts.add(no_address, with_address)

    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_email_send(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            target=deal,
            subject="Next steps",
            body="Details",
            idempotency_key="k-2",
        )

    assert mailoutbox[0].to == ["omar@client.example"]
    assert (activity.deal_id, activity.contact_id, activity.company_id) == (deal.pk, with_address.pk, company.pk)


def test_email_to_a_record_without_address_is_refused_and_nothing_sent(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    lead = make_lead(tenant.org)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as caught:
        activity_email_send(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            target=lead,
            subject="Hi",
            body="Text",
            idempotency_key="k-3",
        )
    assert caught.value.code == "no_address"
    assert mailoutbox == []
    assert Activity.objects.count() == 0


def test_email_to_a_contact_of_another_company_is_refused(tenant, mailoutbox, django_capture_on_commit_callbacks):
    company = make_company(tenant.org)
    stranger = make_contact(tenant.org, company=make_company(tenant.org, name="Other"), email="x@other.example")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as caught:
        activity_email_send(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            target=company,
            subject="Hi",
            body="Text",
            idempotency_key="k-4",
            contact=stranger,
        )
    assert caught.value.code == "invalid_contact"
    assert mailoutbox == [] and Activity.objects.count() == 0


def test_logged_email_is_not_sent(tenant, mailoutbox, django_capture_on_commit_callbacks):
    contact = make_contact(tenant.org, email="sara@client.example")
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_record(
            org=tenant.org,
            actor_membership=tenant.members[Role.OWNER],
            target=contact,
            kind="email",
            subject="Sent from Outlook",
            email_to="sara@client.example",
        )
    assert (activity.outcome, activity.email_to) == ("logged", "sara@client.example")
    assert mailoutbox == []


def test_default_recipient_of_a_company_is_only_a_contact_the_member_can_see(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save(update_fields=["sales_visibility"])
    sales = tenant.members[Role.SALES]
    company = make_company(tenant.org, owner=sales.user)
    hidden = make_contact(tenant.org, company=company, owner=tenant.owner, name="Hidden", email="hidden@x.example")
    mine = make_contact(tenant.org, company=company, owner=sales.user, name="Mine", email="mine@x.example")

    assert email_recipient(org=tenant.org, membership=sales, target=company) == ("mine@x.example", mine)
    owner = tenant.members[Role.OWNER]
    assert email_recipient(org=tenant.org, membership=owner, target=company) == ("hidden@x.example", hidden)
    with pytest.raises(DomainError) as caught:
        email_recipient(org=tenant.org, membership=sales, target=company, contact=hidden)
    assert caught.value.code == "invalid_contact"

    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_email_send(
            org=tenant.org, actor_membership=sales, target=company, subject="Hi", body="Text", idempotency_key="k-v"
        )
    assert mailoutbox[0].to == ["mine@x.example"] and activity.contact_id == mine.pk

    Contact.objects.filter(pk=mine.pk).update(email="")  # only the hidden contact has an address now
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as caught:
        activity_email_send(
            org=tenant.org, actor_membership=sales, target=company, subject="Hi", body="Text", idempotency_key="k-w"
        )
    assert caught.value.code == "no_address"
    assert len(mailoutbox) == 1 and Activity.objects.filter(kind="email").count() == 1
