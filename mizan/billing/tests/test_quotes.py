"""Quote rules: numbering, drafts, versions, sending, and the client's answer (services)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.billing.models import BillingSettings, Invoice, Quote
from mizan.billing.public_links import quote_from_token
from mizan.billing.services.quotes import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_delete,
    quote_revise,
    quote_send,
    quote_update,
)
from mizan.billing.tests.factories import billing_member, line, make_client, standard_tax
from mizan.billing.tests.test_quotes_support import (
    FAKE_PDF,
    client_with_contact,
    fake_quote_pdf,  # noqa: F401 (a fixture)
    make_quote,
    open_deal,
    sent_quote,
    three_lines,
)
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Notification
from mizan.core.roles import Role
from mizan.crm.models import Activity, Deal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_quote_pdf")]


# --- Drafts and numbers ----------------------------------------------------------------------------


def test_quote_from_a_deal_takes_its_client_contact_currency_and_title(tenant):
    org = tenant.org
    BillingSettings.objects.update_or_create(
        organization=org, defaults={"quote_validity_days": 15, "default_terms": "50% on order."}
    )
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact, currency="USD")
    quote = quote_create(org=org, actor_membership=billing_member(tenant), data={"deal": deal}, lines=three_lines(org))
    assert (quote.company, quote.contact, quote.currency, quote.title) == (company, contact, "USD", "Office fit-out")
    assert (quote.number, quote.version, quote.display_number) == (1, 1, "Q-00001")
    assert quote.status == Quote.Status.DRAFT and quote.public_key == ""
    assert quote.issue_date == org.today()
    assert quote.valid_until == org.today() + datetime.timedelta(days=15)
    assert quote.terms == "50% on order."
    # 540 + 50.50 at 15% = 88.58 (88.575 half up); 100 without tax
    assert quote.net_total == Decimal("690.50")
    assert quote.tax_total == Decimal("88.58")
    assert quote.total == Decimal("779.08")
    assert quote.lines.count() == 3
    assert AuditEntry.objects.filter(content_type__model="quote", object_id=str(quote.pk), action="create").count() == 1
    second = make_quote(tenant)
    assert second.number == 2


def test_bad_input_saves_nothing_and_takes_no_number(tenant, other_tenant):
    org = tenant.org
    foreign = make_client(other_tenant.org)
    member = billing_member(tenant)
    cases = [
        ({"company": foreign}, [line()], "company"),
        ({"company": make_client(org)}, [], "lines"),
        ({"company": make_client(org)}, [line(quantity="0")], "lines"),
        (
            {
                "company": make_client(org),
                "issue_date": datetime.date(2026, 3, 10),
                "valid_until": datetime.date(2026, 3, 1),
            },
            [line()],
            "valid_until",
        ),
        ({"company": make_client(org), "deposit_percent": "120"}, [line()], "deposit_percent"),
    ]
    for data, lines, field in cases:
        with pytest.raises(DomainError) as caught:
            quote_create(org=org, actor_membership=member, data=data, lines=lines)
        assert caught.value.field == field
    assert Quote.objects.count() == 0
    assert make_quote(tenant).number == 1


def test_sales_members_without_billing_edit_cannot_create(tenant):
    with pytest.raises(PermissionDeniedError):
        quote_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.SALES],
            data={"company": make_client(tenant.org)},
            lines=[line()],
        )
    assert Quote.objects.count() == 0


def test_update_and_delete_only_drafts(tenant):
    org = tenant.org
    member = billing_member(tenant)
    draft = make_quote(tenant)
    quote_update(
        org=org,
        actor_membership=member,
        quote=draft,
        data={"discount_percent": Decimal("10"), "title": "Revised"},
        lines=[line(unit_price="200", tax=standard_tax(org))],
    )
    draft.refresh_from_db()
    assert (draft.title, draft.net_total, draft.tax_total, draft.total) == (
        "Revised",
        Decimal("180.00"),
        Decimal("27.00"),
        Decimal("207.00"),
    )
    sent = sent_quote(tenant)
    before = (sent.total, sent.title, sent.lines.count())
    for action in (
        lambda: quote_update(org=org, actor_membership=member, quote=sent, data={"title": "x"}, lines=[line()]),
        lambda: quote_delete(org=org, actor_membership=member, quote=sent),
    ):
        with pytest.raises(DomainError) as caught:
            action()
        assert caught.value.code == "billing.quote_not_draft"
    sent.refresh_from_db()
    assert (sent.total, sent.title, sent.lines.count()) == before
    quote_delete(org=org, actor_membership=member, quote=draft)
    assert not Quote.objects.filter(pk=draft.pk).exists()


# --- Versions --------------------------------------------------------------------------------------


def test_revise_makes_a_draft_version_and_supersedes_the_previous(tenant):
    org = tenant.org
    member = billing_member(tenant)
    first = sent_quote(tenant, lines=three_lines(org), discount_percent="5", deposit_percent="30")
    token_of_first = first.public_key
    second = quote_revise(org=org, actor_membership=member, quote=first)
    first.refresh_from_db()
    assert first.status == Quote.Status.SUPERSEDED and first.public_key == token_of_first
    assert (second.number, second.version, second.display_number) == (first.number, 2, "Q-00001/2")
    assert second.previous_version == first and second.status == Quote.Status.DRAFT
    assert second.public_key == "" and second.sent_at is None
    assert (second.total, second.discount_percent, second.deposit_percent) == (
        first.total,
        first.discount_percent,
        first.deposit_percent,
    )
    assert [(row.description, row.net_amount, row.tax_id) for row in second.lines.all()] == [
        (row.description, row.net_amount, row.tax_id) for row in first.lines.all()
    ]
    with pytest.raises(DomainError) as caught:
        quote_revise(org=org, actor_membership=member, quote=first)
    assert caught.value.code == "billing.quote_not_revisable"
    # Deleting the draft version gives the previous one its former status back.
    quote_delete(org=org, actor_membership=member, quote=second)
    first.refresh_from_db()
    assert first.status == Quote.Status.SENT


def test_an_accepted_quote_cannot_be_revised(tenant):
    quote = sent_quote(tenant)
    quote_accept(org=tenant.org, quote=quote, responder_name="Sara")
    with pytest.raises(DomainError):
        quote_revise(org=tenant.org, actor_membership=billing_member(tenant), quote=quote)
    assert Quote.objects.count() == 1


# --- Sending ---------------------------------------------------------------------------------------


def test_send_emails_the_contact_in_the_clients_language_with_link_and_pdf(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    org = tenant.org  # the organization writes Arabic; this client reads English
    company, contact = client_with_contact(org, language="en")
    deal = open_deal(tenant, company, contact)
    quote = make_quote(tenant, company=None, deal=deal, lines=three_lines(org))
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(org=org, actor_membership=billing_member(tenant), quote=quote, message="As discussed.")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.sent_at is not None and len(quote.public_key) == 32
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sara@client.example"]
    assert email.subject == "Quote Q-00001 from Alpha Co"
    assert "As discussed." in email.body
    assert "779.08" in email.body
    link = next(word for word in email.body.split() if "/billing/p/quote/" in word)
    assert link.startswith("http")
    assert quote_from_token(link.rstrip("/").split("/")[-1]) == quote
    assert email.attachments == [("Q-00001.pdf", FAKE_PDF, "application/pdf")]
    activity = Activity.objects.get(kind=Activity.Kind.EMAIL)
    assert (activity.company, activity.contact, activity.deal, activity.email_to) == (
        company,
        contact,
        deal,
        "sara@client.example",
    )
    assert activity.subject == "Quote Q-00001"


def test_send_in_arabic_to_a_given_address_and_resend_keeps_the_link(
    tenant, mailoutbox, django_capture_on_commit_callbacks
):
    org = tenant.org
    quote = make_quote(tenant)  # client without language: the organization's (Arabic)
    member = billing_member(tenant)
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(org=org, actor_membership=member, quote=quote, to="buyer@client.example")
    key = Quote.objects.get(pk=quote.pk).public_key
    with django_capture_on_commit_callbacks(execute=True):
        quote_send(org=org, actor_membership=member, quote=quote, to="buyer@client.example")
    assert Quote.objects.get(pk=quote.pk).public_key == key
    assert [email.to for email in mailoutbox] == [["buyer@client.example"], ["buyer@client.example"]]
    assert "شركة alpha" in mailoutbox[0].subject and "Alpha Co" not in mailoutbox[0].subject
    assert mailoutbox[0].attachments[0][2] == "application/pdf"


def test_send_refuses_without_address_or_when_expired(tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = tenant.org
    member = billing_member(tenant)
    quote = make_quote(tenant)
    with pytest.raises(DomainError) as caught:
        quote_send(org=org, actor_membership=member, quote=quote)
    assert caught.value.code == "billing.no_address"
    old = make_quote(
        tenant,
        issue_date=org.today() - datetime.timedelta(days=40),
        valid_until=org.today() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as caught:
        quote_send(org=org, actor_membership=member, quote=old, to="a@b.example")
    assert caught.value.code == "billing.quote_expired_send"
    assert Quote.objects.filter(status=Quote.Status.DRAFT).count() == 2
    assert mailoutbox == [] and Activity.objects.count() == 0


# --- Answers ---------------------------------------------------------------------------------------


def test_acceptance_wins_the_deal_drafts_the_full_invoice_and_notifies_the_creator(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    quote = sent_quote(tenant, company=None, deal=deal, lines=three_lines(org), discount_percent="5")
    quote_accept(
        org=org, quote=quote, responder_name="  Sara   Ali ", responder_ip="203.0.113.9", user_agent="Firefox/130"
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert (quote.responder_name, quote.responder_ip, quote.responder_user_agent) == (
        "Sara Ali",
        "203.0.113.9",
        "Firefox/130",
    )
    assert quote.responded_at is not None
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    # The creator (an accountant) may not edit deals: the owner's membership won it.
    won_by = AuditEntry.objects.filter(object_id=str(deal.pk), content_type__model="deal").order_by("-pk").first()
    assert won_by.actor == tenant.owner
    invoice = Invoice.objects.get()
    assert quote.invoice == invoice and invoice.quote == quote and invoice.deal == deal
    assert invoice.status == Invoice.Status.DRAFT and invoice.company == company and invoice.contact == contact
    assert (invoice.net_total, invoice.discount_total, invoice.tax_total, invoice.total) == (
        quote.net_total,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )
    assert invoice.lines.count() == 3
    notification = Notification.objects.get(user=billing_member(tenant).user)
    assert "Q-00001" in notification.message and notification.url == f"/billing/quotes/{quote.pk}/"
    assert Activity.objects.filter(kind=Activity.Kind.SYSTEM, deal=deal, subject__contains="Sara Ali").exists()


def test_acceptance_with_a_deposit_invoices_the_percentage_per_tax_group(tenant):
    org = tenant.org
    quote = sent_quote(tenant, lines=three_lines(org), discount_percent="5", deposit_percent="33.3333")
    # Lines after the 5% document discount: 513.00 and 47.97 at 15%, 95.00 without tax.
    assert [row.net_amount for row in quote.lines.all()] == [Decimal("513.00"), Decimal("47.97"), Decimal("95.00")]
    quote_accept(org=org, quote=quote, responder_name="Sara")
    invoice = Invoice.objects.get()
    rows = list(invoice.lines.order_by("position"))
    # A bilingual quote: the Arabic and the English description (the same text until translated).
    assert all("Deposit of 33.3333% of quote Q-00001" in row.description for row in rows)
    # 560.97 x 33.3333% = 186.98985... -> 186.99 ; 95.00 x 33.3333% = 31.666635 -> 31.67
    assert [(row.net_amount, row.tax) for row in rows] == [
        (Decimal("186.99"), standard_tax(org)),
        (Decimal("31.67"), None),
    ]
    assert invoice.tax_total == Decimal("28.05")  # 186.99 x 15% = 28.0485
    assert invoice.total == Decimal("246.71")
    assert invoice.discount_total == Decimal("0") and invoice.prices_include_tax is False


def test_deposit_line_is_written_in_the_quote_language(tenant):
    quote = sent_quote(tenant, language="en", deposit_percent="50", lines=[line(unit_price="1000", tax=None)])
    quote_accept(org=tenant.org, quote=quote, responder_name="Sara")
    row = Invoice.objects.get().lines.get()
    assert (row.description, row.net_amount) == ("Deposit of 50% of quote Q-00001", Decimal("500.00"))


def test_an_expired_or_answered_quote_cannot_be_answered_and_nothing_changes(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    expired = sent_quote(tenant, company=None, deal=deal)
    Quote.objects.filter(pk=expired.pk).update(valid_until=org.today() - datetime.timedelta(days=1))
    expired.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        quote_accept(org=org, quote=expired, responder_name="Sara")
    assert caught.value.code == "billing.quote_expired"
    with pytest.raises(DomainError):
        quote_decline(org=org, quote=expired, reason="Too late")
    expired.refresh_from_db()
    deal.refresh_from_db()
    assert expired.status == Quote.Status.SENT and expired.responded_at is None and expired.responder_name == ""
    assert deal.status == Deal.Status.OPEN and Invoice.objects.count() == 0 and Notification.objects.count() == 0

    answered = sent_quote(tenant)
    quote_decline(org=org, quote=answered, reason="Over budget", responder_name="Omar")
    for attempt in (
        lambda: quote_accept(org=org, quote=answered, responder_name="Sara"),
        lambda: quote_decline(org=org, quote=answered, reason="again"),
    ):
        with pytest.raises(DomainError) as caught:
            attempt()
        assert caught.value.code == "billing.quote_answered"
    answered.refresh_from_db()
    assert (answered.status, answered.decline_reason, answered.responder_name) == (
        Quote.Status.DECLINED,
        "Over budget",
        "Omar",
    )
    assert Invoice.objects.count() == 0


def test_a_superseded_or_unsent_quote_cannot_be_answered(tenant):
    org = tenant.org
    old = sent_quote(tenant)
    quote_revise(org=org, actor_membership=billing_member(tenant), quote=old)
    with pytest.raises(DomainError) as caught:
        quote_accept(org=org, quote=old, responder_name="Sara")
    assert caught.value.code == "billing.quote_superseded"
    draft = make_quote(tenant)
    with pytest.raises(DomainError) as caught:
        quote_accept(org=org, quote=draft, responder_name="Sara", actor_membership=billing_member(tenant))
    assert caught.value.code == "billing.quote_not_sent"
    assert Invoice.objects.count() == 0


def test_accepting_needs_a_name(tenant):
    quote = sent_quote(tenant)
    with pytest.raises(DomainError) as caught:
        quote_accept(org=tenant.org, quote=quote, responder_name="   ")
    assert caught.value.field == "name"
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_decline_records_the_reason_and_leaves_the_deal_open(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    quote = sent_quote(tenant, company=None, deal=deal)
    quote_decline(org=org, quote=quote, reason="Over budget", responder_ip="198.51.100.4", user_agent="Safari")
    quote.refresh_from_db()
    deal.refresh_from_db()
    assert (quote.status, quote.decline_reason, quote.responder_ip, quote.responder_user_agent) == (
        Quote.Status.DECLINED,
        "Over budget",
        "198.51.100.4",
        "Safari",
    )
    assert deal.status == Deal.Status.OPEN and Invoice.objects.count() == 0
    assert Notification.objects.filter(user=billing_member(tenant).user).count() == 1


def test_staff_answer_on_behalf_needs_billing_edit_and_is_audited(tenant):
    org = tenant.org
    quote = sent_quote(tenant)
    with pytest.raises(PermissionDeniedError):
        quote_accept(org=org, quote=quote, responder_name="Sara", actor_membership=tenant.members[Role.SALES])
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    admin = tenant.members[Role.ADMIN]
    quote_accept(org=org, quote=quote, responder_name="Sara (by phone)", actor_membership=admin)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and quote.responder_ip is None
    entry = AuditEntry.objects.filter(object_id=str(quote.pk), content_type__model="quote").order_by("-pk").first()
    assert entry.actor == admin.user and entry.changes["status"] == ["sent", "accepted"]
    assert Invoice.objects.get().created_by == admin.user


def test_another_organizations_member_cannot_answer(tenant, other_tenant):
    quote = sent_quote(tenant)
    with pytest.raises(DomainError):
        quote_accept(
            org=other_tenant.org, quote=quote, responder_name="X", actor_membership=billing_member(other_tenant)
        )
    with pytest.raises(DomainError):
        quote_accept(org=tenant.org, quote=quote, responder_name="X", actor_membership=billing_member(other_tenant))
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_an_empty_validity_follows_the_date_and_the_settings(tenant):
    org = tenant.org
    quote = make_quote(tenant, issue_date=datetime.date(2026, 1, 10))
    assert quote.valid_until == datetime.date(2026, 2, 9)  # 30 days by default
    quote_update(
        org=org,
        actor_membership=billing_member(tenant),
        quote=quote,
        data={"issue_date": datetime.date(2026, 3, 1), "valid_until": None},
    )
    quote.refresh_from_db()
    assert (quote.issue_date, quote.valid_until) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
