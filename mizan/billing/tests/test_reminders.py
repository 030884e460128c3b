"""Invoices by e-mail and payment reminders: the client's language, the PDF and the public link,
each reminder step once, stopping when paid, and the company's timeline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import resolve
from django.utils import timezone

from mizan.billing.models import BillingSettings, Invoice, PaymentReminder
from mizan.billing.public_links import invoice_from_token
from mizan.billing.services.invoices import invoice_settle
from mizan.billing.services.reminders import (
    invoice_email_deliver,
    invoice_email_send,
    payment_reminder_send,
    payment_reminders_due,
    payment_reminders_send,
    reminder_step,
)
from mizan.billing.tests.factories import billing_member, make_client, posted_invoice
from mizan.core.errors import DomainError
from mizan.core.roles import Role
from mizan.crm.models import Activity, Contact

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year  # a date in the organizations' first fiscal year
ISSUE = datetime.date(YEAR, 3, 1)
DUE = ISSUE + datetime.timedelta(days=30)  # Mar 31, with the default term (net 30)
DUE_TEXT = f"Mar 31, {YEAR}"


@pytest.fixture
def english_org(other_tenant):
    """The Egyptian organization working in English (its timeline texts are asserted in English)."""
    other_tenant.org.language = "en"
    other_tenant.org.save(update_fields=["language"])
    return other_tenant


def _client(org, *, language: str, email: str = "accounts@client.example"):
    return make_client(org, name_ar="شركة النيل", name_latin="Nile Trading", language=language, email=email)


def _invoice(tenant, client, **kwargs) -> Invoice:
    return posted_invoice(tenant, company=client, issue_date=kwargs.pop("issue_date", ISSUE), **kwargs)


def _public_link_opens(body: str, invoice: Invoice) -> bool:
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", body)
    assert match, body
    token = resolve(match.group(1)).kwargs["token"]
    return invoice_from_token(token).pk == invoice.pk


def _pdf_attachment(message) -> tuple[str, bytes, str]:
    assert len(message.attachments) == 1
    name, content, mimetype = message.attachments[0]
    return name, content, mimetype


# --- Which step, when ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (DUE - datetime.timedelta(days=4), [], None),  # no step has come yet
        (DUE - datetime.timedelta(days=3), [], -3),
        (DUE, [-3], None),
        (DUE + datetime.timedelta(days=7), [-3], 7),
        (DUE + datetime.timedelta(days=10), [-3, 7], None),
        (DUE + datetime.timedelta(days=20), [], 14),  # after an outage: only the latest step
        (DUE + datetime.timedelta(days=20), [14], None),
    ],
)
def test_reminder_step(today, sent, expected):
    assert reminder_step(issue_date=ISSUE, due_date=DUE, offsets=[-3, 7, 14], today=today, sent=sent) == expected


def test_no_reminder_before_the_invoice_existed():
    # Due on receipt: "due in 3 days" would have been before the invoice's date.
    assert reminder_step(issue_date=DUE, due_date=DUE, offsets=[-3, 7], today=DUE, sent=[]) is None
    assert reminder_step(issue_date=DUE, due_date=DUE, offsets=[-3, 0, 7], today=DUE, sent=[]) == 0


# --- Sending by hand -----------------------------------------------------------------------------------


def test_invoice_sent_in_english_with_the_pdf_and_the_public_link(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    org = english_org.org
    client = _client(org, language="en")
    invoice = _invoice(english_org, client)
    member = billing_member(english_org)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = invoice_email_send(org=org, actor_membership=member, invoice=invoice)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["accounts@client.example"]
    assert message.subject == f"Invoice {invoice.display_number} from Beta Co"
    assert f"Please find attached invoice {invoice.display_number}" in message.body
    assert "issued to Nile Trading" in message.body and "Hello," in message.body
    assert _public_link_opens(message.body, invoice)
    html = message.alternatives[0][0]
    assert 'lang="en" dir="ltr"' in html and "Nile Trading" in html
    name, content, mimetype = _pdf_attachment(message)
    assert name == f"{invoice.display_number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")

    assert reminder.offset_days is None and reminder.sent_by == member.user
    assert reminder.email_to == "accounts@client.example"
    activity = Activity.objects.get(company=client)
    assert activity.kind == Activity.Kind.EMAIL and activity.outcome == "sent"
    assert activity.subject == f"Invoice {invoice.display_number} sent by e-mail"
    assert activity.email_to == "accounts@client.example" and activity.created_by == member.user


def test_invoice_sent_in_arabic_to_an_arabic_client(other_tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = other_tenant.org
    client = _client(org, language="ar")
    invoice = _invoice(other_tenant, client)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_email_send(org=org, actor_membership=billing_member(other_tenant), invoice=invoice)

    message = mailoutbox[0]
    assert invoice.display_number in message.subject and "شركة beta" in message.subject
    assert "Beta Co" not in message.subject
    assert "مرحبًا،" in message.body and "شركة النيل" in message.body and "Nile Trading" not in message.body
    assert _public_link_opens(message.body, invoice)
    html = message.alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in html and "أُرسلت بواسطة ميزان" in html
    assert _pdf_attachment(message)[1].startswith(b"%PDF-")


def test_a_client_without_a_language_reads_the_organizations(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = _invoice(english_org, _client(english_org.org, language=""))
    with django_capture_on_commit_callbacks(execute=True):
        invoice_email_send(org=english_org.org, actor_membership=billing_member(english_org), invoice=invoice)
    assert mailoutbox[0].subject.startswith("Invoice ") and "Nile Trading" in mailoutbox[0].body


def test_the_recipient_is_the_address_given_else_the_contact_else_the_client(
    other_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = _client(org, language="en")
    contact = Contact.objects.create(
        organization=org, company=client, name_latin="Sara Adel", email="sara@client.example"
    )
    with_contact = _invoice(other_tenant, client, contact=contact)
    without_contact = _invoice(other_tenant, client)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_email_send(org=org, actor_membership=member, invoice=with_contact)
        invoice_email_send(org=org, actor_membership=member, invoice=without_contact)
        invoice_email_send(org=org, actor_membership=member, invoice=without_contact, to=" boss@client.example ")
    assert [message.to for message in mailoutbox] == [
        ["sara@client.example"],
        ["accounts@client.example"],
        ["boss@client.example"],
    ]
    assert Activity.objects.get(email_to="sara@client.example").contact == contact


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("no_address", "billing.no_email"),
        ("bad_address", "billing.email_invalid"),
        ("draft", "billing.send_draft"),
        ("sales_member", "permission_denied"),
    ],
)
def test_refused_sendings_change_nothing(other_tenant, mailoutbox, django_capture_on_commit_callbacks, setup, code):
    org = other_tenant.org
    member = billing_member(other_tenant)
    client = _client(org, language="en", email="" if setup == "no_address" else "a@client.example")
    if setup == "draft":
        from mizan.billing.tests.factories import draft_invoice

        invoice = draft_invoice(other_tenant, company=client)
    else:
        invoice = _invoice(other_tenant, client)
    if setup == "sales_member":
        member = other_tenant.members[Role.SALES]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as error:
        invoice_email_send(
            org=org, actor_membership=member, invoice=invoice, to="not an address" if setup == "bad_address" else None
        )
    assert error.value.code == code
    assert mailoutbox == []
    assert not PaymentReminder.objects.exists() and not Activity.objects.exists()


def test_another_organizations_invoice_is_not_found(tenant, other_tenant, mailoutbox):
    invoice = _invoice(other_tenant, _client(other_tenant.org, language="en"))
    with pytest.raises(DomainError) as error:
        invoice_email_send(org=tenant.org, actor_membership=billing_member(tenant), invoice=invoice)
    assert error.value.code == "not_found"
    assert not PaymentReminder.objects.exists() and mailoutbox == []


def test_the_delivery_task_sends_once_even_if_run_again(english_org, mailoutbox, django_capture_on_commit_callbacks):
    invoice = _invoice(english_org, _client(english_org.org, language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        reminder = invoice_email_send(
            org=english_org.org, actor_membership=billing_member(english_org), invoice=invoice
        )
    assert invoice_email_deliver.call(reminder_id=reminder.pk) == "already sent"
    assert len(mailoutbox) == 1


# --- Automatic reminders ---------------------------------------------------------------------------------


def test_reminders_before_and_after_the_due_date_each_sent_once(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    org = english_org.org
    client = _client(org, language="en")
    invoice = _invoice(english_org, client)
    for days in (-4, -3, -3, 0, 6, 7, 7, 13, 14, 14, 40):
        with django_capture_on_commit_callbacks(execute=True):
            payment_reminders_send(today=DUE + datetime.timedelta(days=days))

    number = invoice.display_number
    assert [message.subject for message in mailoutbox] == [
        f"Payment reminder: invoice {number} is due on {DUE_TEXT}",
        f"Payment reminder: invoice {number} is 7 days overdue",
        f"Payment reminder: invoice {number} is 14 days overdue",
    ]
    before, late, _later = mailoutbox
    assert "This is a friendly reminder" in before.body and "Amount due: " in before.body
    assert f"was due on {DUE_TEXT} and is now 7 days overdue" in late.body
    for message in mailoutbox:
        assert message.to == ["accounts@client.example"]
        assert _public_link_opens(message.body, invoice)
        assert _pdf_attachment(message)[1].startswith(b"%PDF-")
    assert sorted(PaymentReminder.objects.values_list("offset_days", flat=True)) == [-3, 7, 14]
    assert list(
        Activity.objects.filter(company=client, kind=Activity.Kind.EMAIL)
        .order_by("pk")
        .values_list("subject", flat=True)
    ) == [
        f"Payment reminder: invoice {number} is due on {DUE_TEXT}",
        f"Payment reminder: invoice {number} is 7 days overdue",
        f"Payment reminder: invoice {number} is 14 days overdue",
    ]
    assert set(Activity.objects.values_list("created_by", flat=True)) == {None}


def test_reminders_are_in_the_clients_language(other_tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = other_tenant.org
    invoice = _invoice(other_tenant, _client(org, language="ar"))
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=7)) == 1
    message = mailoutbox[0]
    assert invoice.display_number in message.subject
    assert "مرحبًا،" in message.body and "شركة beta" in message.body
    assert 'dir="rtl"' in message.alternatives[0][0]
    assert _public_link_opens(message.body, invoice)


def test_after_an_outage_only_the_latest_step_is_sent(english_org, mailoutbox, django_capture_on_commit_callbacks):
    invoice = _invoice(english_org, _client(english_org.org, language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=20)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=60)) == 0
    assert [message.subject for message in mailoutbox] == [
        f"Payment reminder: invoice {invoice.display_number} is 20 days overdue"
    ]
    assert list(PaymentReminder.objects.values_list("offset_days", flat=True)) == [14]


def test_reminders_stop_when_paid_or_cancelled(english_org, mailoutbox, django_capture_on_commit_callbacks):
    org = english_org.org
    client = _client(org, language="en")
    paid = _invoice(english_org, client)
    partly_paid = _invoice(english_org, client)
    with transaction.atomic():
        invoice_settle(invoice=Invoice.objects.select_for_update().get(pk=paid.pk), amount=paid.amount_due)
        invoice_settle(invoice=Invoice.objects.select_for_update().get(pk=partly_paid.pk), amount=paid.amount_due / 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=7)) == 1
    assert [message.subject for message in mailoutbox] == [
        f"Payment reminder: invoice {partly_paid.display_number} is 7 days overdue"
    ]
    assert not PaymentReminder.objects.filter(invoice=paid).exists()


def test_an_invoice_paid_after_the_reminder_was_queued_is_not_reminded(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = _invoice(english_org, _client(english_org.org, language="en"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=7)) == 1
    with transaction.atomic():
        invoice_settle(invoice=Invoice.objects.select_for_update().get(pk=invoice.pk), amount=invoice.amount_due)
    for callback in callbacks:
        callback()
    assert mailoutbox == []


def test_a_stale_scan_or_a_second_worker_sends_nothing_twice(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    org = english_org.org
    invoice = _invoice(english_org, _client(org, language="en"))
    today = DUE + datetime.timedelta(days=7)
    due = payment_reminders_due(org=org, offsets=[-3, 7, 14], today=today)
    assert due == [(invoice.pk, 7)]
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminder_send(invoice_id=invoice.pk, offset_days=7, today=today) is not None
        assert payment_reminder_send(invoice_id=invoice.pk, offset_days=7, today=today) is None
        # A worker that computed its list before the first one sent: no lower step either.
        assert payment_reminder_send(invoice_id=invoice.pk, offset_days=-3, today=today) is None
    assert len(mailoutbox) == 1 and PaymentReminder.objects.count() == 1
    assert payment_reminders_due(org=org, offsets=[-3, 7, 14], today=today) == []


def test_no_reminders_when_disabled_without_address_or_for_credit_notes(
    english_org, mailoutbox, django_capture_on_commit_callbacks
):
    org = english_org.org
    no_address = _invoice(english_org, _client(org, language="en", email=""))
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=7)) == 0
    assert not PaymentReminder.objects.filter(invoice=no_address).exists()
    _invoice(english_org, _client(org, language="en"))
    BillingSettings.objects.filter(organization=org).update(reminders_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE + datetime.timedelta(days=7)) == 0
    assert mailoutbox == [] and not PaymentReminder.objects.exists()


def test_custom_steps_and_a_due_on_receipt_invoice(english_org, mailoutbox, django_capture_on_commit_callbacks):
    org = english_org.org
    BillingSettings.objects.filter(organization=org).update(reminder_offsets="-3,0")
    client = _client(org, language="en")
    invoice = _invoice(english_org, client, issue_date=DUE, due_date=DUE)
    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reminders_send(today=DUE) == 1
    assert mailoutbox[0].subject == f"Payment reminder: invoice {invoice.display_number} is due today"
    assert list(PaymentReminder.objects.values_list("offset_days", flat=True)) == [0]
