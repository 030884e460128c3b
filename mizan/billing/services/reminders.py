"""Invoices by e-mail: sent by hand, and the automatic payment reminders.

Every e-mail sent for an invoice is a `PaymentReminder` row (`offset_days` empty when sent by
hand) written in the same transaction as its timeline activity; the e-mail itself leaves after
commit, from a background task (`invoice_email_deliver`) that renders it in the client's
language (the company's document language, else the organization's), attaches the PDF (the one
stored at posting, else rendered then) and links the invoice's public page. Core's `email_send`
carries no attachment, and rendering a PDF does not belong in a request: the task uses core's
`email_render` and the same once-per-key guard as core's `email_deliver` (at most one successful
send per row).

Automatic reminders (`payment_reminders_send`, run by every worker's housekeeping thread): for
each organization with reminders enabled, for each open invoice (posted or partially paid, an
invoice not a credit note, something still due), the steps of `BillingSettings.reminder_offsets`
("-3,7,14": days relative to the due date) whose day has come:

- only the LATEST step that has come is sent, once; earlier steps that were missed (a worker down
  for a week, reminders just switched on, an invoice entered late) are not sent afterwards and are
  not recorded: a `PaymentReminder` row means an e-mail went out. A client never gets "due in 3
  days", "a week late" and "two weeks late" on the same morning;
- a step whose day came before the invoice's date is not sent (an invoice due on receipt gets no
  "due in 3 days" reminder);
- the unique `(invoice, offset_days)` row is inserted first, inside the transaction: a second
  worker (or a second scan) fails to insert it and sends nothing; the e-mail is queued on commit;
- it stops when the invoice is paid or cancelled (checked by the scan, and again by the task just
  before sending).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from mizan.billing.models import BillingSettings, Invoice, PaymentReminder
from mizan.billing.services.taxes import reminder_offsets_parse
from mizan.core.access import require_capability
from mizan.core.background import effect_done, effect_record, enqueue_run_on_commit, mizan_task
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created
from mizan.core.services.email import email_render
from mizan.crm.models import Activity
from mizan.crm.services.activities import activity_log
from mizan.ledger.services.common import require_member_of, require_same_org

logger = logging.getLogger("mizan.billing")

INVOICE_TEMPLATE = "billing/invoice"
REMINDER_TEMPLATE = "billing/payment_reminder"
#: Timeline outcome of an e-mail Mizan sent (the same value the CRM uses).
EMAIL_SENT = "sent"
#: How many reminders one periodic scan sends at most; the rest follow at the next scan.
SEND_LIMIT = 500


# --- Who and in which language ----------------------------------------------------------------------


def client_language(invoice: Invoice) -> str:
    """The language the client reads: the company's document language, else the organization's."""
    return invoice.company.language or invoice.organization.language


def invoice_recipient(invoice: Invoice) -> str:
    """The invoice contact's e-mail, else the company's, else ""."""
    if invoice.contact_id is not None and invoice.contact.email:
        return invoice.contact.email
    return invoice.company.email or ""


def _clean_address(to: str | None) -> str:
    address = (to or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError("billing.email_invalid", _("Enter a valid e-mail address."), field="to") from None
    return address


# --- Timeline ---------------------------------------------------------------------------------------


def _activity_subject(invoice: Invoice, offset_days: int | None, today: datetime.date | None) -> str:
    """In the organization's language: the timeline is read by its members."""
    org = invoice.organization
    with translation.override(org.language):
        formatter = Formatter.for_org(org, org.language)
        number = invoice.display_number
        if offset_days is None:
            return _("Invoice {number} sent by e-mail").format(number=number)
        days_late = (today - invoice.due_date).days if today is not None else 0
        if days_late > 0:
            return _("Payment reminder: invoice {number} is {days} days overdue").format(
                number=number, days=formatter.number(days_late)
            )
        return _("Payment reminder: invoice {number} is due on {date}").format(
            number=number, date=formatter.date(invoice.due_date)
        )


def _activity_body(invoice: Invoice, address: str) -> str:
    org = invoice.organization
    with translation.override(org.language):
        formatter = Formatter.for_org(org, org.language)
        return _("Sent to {address}. Amount due: {amount}.").format(
            address=address, amount=formatter.money(invoice.amount_due, invoice.currency)
        )


def _log_on_timeline(*, invoice: Invoice, actor: Any, subject: str, address: str) -> Activity:
    contact = invoice.contact if invoice.contact_id is not None else None
    if contact is not None and contact.company_id not in (None, invoice.company_id):
        contact = None
    return activity_log(
        org=invoice.organization,
        actor=actor,
        kind=Activity.Kind.EMAIL,
        subject=subject[:250],
        body=_activity_body(invoice, address),
        outcome=EMAIL_SENT,
        email_to=address[:500],
        company=invoice.company,
        contact=contact,
        deal=invoice.deal if invoice.deal_id is not None else None,
    )


def _queue_delivery(reminder: PaymentReminder, day: datetime.date) -> None:
    enqueue_run_on_commit(
        invoice_email_deliver,
        kwargs={"reminder_id": reminder.pk, "day": day.isoformat()},
        key=delivery_key(reminder.pk),
        organization=reminder.organization_id,
    )


def delivery_key(reminder_id: int) -> str:
    return f"email:billing:invoice-email:{reminder_id}"


# --- Sending by hand ----------------------------------------------------------------------------------


def invoice_email_send(
    *, org: Organization, actor_membership: Membership, invoice: Invoice, to: str | None = None
) -> PaymentReminder:
    """E-mail a posted invoice (or credit note) to `to`, else its contact, else its client.

    Records the sending (a reminder row without a step) and an e-mail activity on the client's
    timeline in one transaction; the e-mail leaves after commit.
    """
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    require_same_org(invoice, org)
    if invoice.status == Invoice.Status.DRAFT:
        raise DomainError("billing.send_draft", _("Post the invoice before sending it."))
    address = _clean_address(to) or invoice_recipient(invoice)
    if not address:
        raise DomainError(
            "billing.no_email", _("The client has no e-mail address: enter one to send the invoice to."), field="to"
        )
    actor = actor_membership.user
    with transaction.atomic():
        reminder = PaymentReminder.objects.create(
            organization=org, invoice=invoice, offset_days=None, email_to=address, sent_by=actor
        )
        audit_created(org=org, actor=actor, instance=reminder)
        _log_on_timeline(invoice=invoice, actor=actor, subject=_activity_subject(invoice, None, None), address=address)
        _queue_delivery(reminder, org.today())
    return reminder


# --- Automatic reminders --------------------------------------------------------------------------------


def _open_invoices(org: Organization) -> Any:
    return Invoice.objects.filter(
        organization=org,
        kind=Invoice.Kind.INVOICE,
        status__in=Invoice.OPEN_STATUSES,
        amount_due__gt=0,
    )


def reminder_step(
    *, issue_date: datetime.date, due_date: datetime.date, offsets: list[int], today: datetime.date, sent: list[int]
) -> int | None:
    """The step to send today, or None: the latest step whose day has come (and not before the
    invoice's date), unless that step or a later one was already sent."""
    come = [offset for offset in offsets if issue_date <= due_date + datetime.timedelta(days=offset) <= today]
    if not come:
        return None
    latest = max(come)
    if any(step >= latest for step in sent):
        return None
    return latest


def payment_reminders_due(
    *, org: Organization, offsets: list[int], today: datetime.date, limit: int = SEND_LIMIT
) -> list[tuple[int, int]]:
    """(invoice id, step) pairs to send today in `org`: one query per step.

    Step i is the latest that has come when `today - offsets[i+1] < due_date <= today - offsets[i]`;
    invoices already reminded at that step or a later one are left out in SQL.
    """
    steps = sorted(offsets)
    due: list[tuple[int, int]] = []
    for index, offset in enumerate(steps):
        window = Q(due_date__lte=today - datetime.timedelta(days=offset))
        if index + 1 < len(steps):
            window &= Q(due_date__gt=today - datetime.timedelta(days=steps[index + 1]))
        already = PaymentReminder.objects.filter(invoice=OuterRef("pk"), offset_days__gte=offset)
        rows = (
            _open_invoices(org)
            .filter(window)
            .exclude(Exists(already))
            .order_by("due_date", "pk")
            .values_list("pk", "issue_date", "due_date")[: max(limit - len(due), 0)]
        )
        for invoice_id, issue_date, due_date in rows:
            if due_date + datetime.timedelta(days=offset) >= issue_date:
                due.append((invoice_id, offset))
    return due


def payment_reminder_send(*, invoice_id: int, offset_days: int, today: datetime.date) -> PaymentReminder | None:
    """Record, log and queue the reminder of one step; None when it is not (or no longer) to send:
    paid meanwhile, no e-mail address, or another worker recorded it first."""
    with transaction.atomic():
        invoice = (
            _open_invoices_any_org()
            .select_related("organization", "company", "contact", "deal")
            .filter(pk=invoice_id)
            .first()
        )
        if invoice is None:
            return None
        sent = list(
            PaymentReminder.objects.filter(invoice=invoice, offset_days__isnull=False).values_list(
                "offset_days", flat=True
            )
        )
        if (
            reminder_step(
                issue_date=invoice.issue_date, due_date=invoice.due_date, offsets=[offset_days], today=today, sent=sent
            )
            is None
        ):
            return None
        address = invoice_recipient(invoice)
        if not address:
            logger.info("Invoice %s: no e-mail address for its payment reminder", invoice.pk)
            return None
        org = invoice.organization
        try:
            with transaction.atomic():
                reminder = PaymentReminder.objects.create(
                    organization=org, invoice=invoice, offset_days=offset_days, email_to=address, sent_by=None
                )
        except IntegrityError:  # another worker recorded this step first
            return None
        audit_created(org=org, actor=None, instance=reminder)
        _log_on_timeline(
            invoice=invoice, actor=None, subject=_activity_subject(invoice, offset_days, today), address=address
        )
        _queue_delivery(reminder, today)
    return reminder


def _open_invoices_any_org() -> Any:
    return Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status__in=Invoice.OPEN_STATUSES, amount_due__gt=0)


def payment_reminders_send(*, today: datetime.date | None = None, limit: int = SEND_LIMIT) -> int:
    """The periodic scan (every worker runs it): send the reminders due today in every
    organization that wants them, each once; returns how many were queued."""
    sent = 0
    rows = BillingSettings.objects.filter(reminders_enabled=True).select_related("organization").order_by("pk")
    for settings_row in rows:
        org = settings_row.organization
        try:
            offsets = reminder_offsets_parse(settings_row.reminder_offsets)
        except DomainError:
            logger.warning("Organization %s: reminder days %r are not valid", org.pk, settings_row.reminder_offsets)
            continue
        if not offsets:
            continue
        day = today or org.today()
        for invoice_id, offset in payment_reminders_due(org=org, offsets=offsets, today=day, limit=limit - sent):
            try:
                if payment_reminder_send(invoice_id=invoice_id, offset_days=offset, today=day) is not None:
                    sent += 1
            except Exception:
                logger.exception("Could not send the payment reminder of invoice %s", invoice_id)
        if sent >= limit:
            break
    return sent


# --- The e-mail ------------------------------------------------------------------------------------------


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The PDF stored at posting, else rendered now."""
    if invoice.pdf:
        try:
            with invoice.pdf.open("rb") as stored:
                return stored.read()
        except OSError:
            logger.warning("Invoice %s: stored PDF %s is unreadable; rendering it again", invoice.pk, invoice.pdf.name)
    from mizan.billing.pdf import invoice_pdf

    return invoice_pdf(invoice)


def invoice_public_link(invoice: Invoice) -> str:
    """The absolute address of the invoice's public page."""
    from mizan.billing.public_links import invoice_public_url

    url = invoice_public_url(invoice)
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _email_context(reminder: PaymentReminder, language: str, today: datetime.date) -> dict[str, Any]:
    invoice = reminder.invoice
    org = invoice.organization
    formatter = Formatter.for_org(org, language)
    offset = reminder.offset_days
    days_overdue = max((today - invoice.due_date).days, 0)
    contact_name = invoice.contact.display_name(language) if invoice.contact_id is not None else ""
    return {
        "number": invoice.display_number,
        "is_credit_note": invoice.is_credit_note,
        "client_name": invoice.company.display_name(language),
        "contact_name": contact_name,
        "organization_name": org.display_name(language),
        "issue_date": formatter.date(invoice.issue_date),
        "due_date": formatter.date(invoice.due_date),
        "total": formatter.money(invoice.total, invoice.currency),
        "amount_due": formatter.money(invoice.amount_due, invoice.currency),
        "is_reminder": offset is not None,
        "is_overdue": offset is not None and days_overdue > 0,
        "is_due_today": offset is not None and today == invoice.due_date,
        "days_overdue": days_overdue,
        "days_overdue_text": formatter.number(days_overdue),
        "public_url": invoice_public_link(invoice),
    }


def invoice_email_message(*, reminder: PaymentReminder, day: datetime.date | None = None) -> EmailMultiAlternatives:
    """The e-mail of one sending (invoice or reminder), in the client's language, PDF attached.

    `day` is the day the sending was decided (a reminder says "overdue by N days" as of that day);
    by default the organization's today.
    """
    invoice = reminder.invoice
    language = client_language(invoice)
    template = INVOICE_TEMPLATE if reminder.offset_days is None else REMINDER_TEMPLATE
    with translation.override(language):
        context = _email_context(reminder, language, day or invoice.organization.today())
    message = email_render(template=template, context=context, language=language)
    message.to = [reminder.email_to]
    message.attach(f"{invoice.display_number}.pdf", invoice_pdf_bytes(invoice), "application/pdf")
    return message


@mizan_task()
def invoice_email_deliver(*, reminder_id: int, day: str | None = None) -> str:
    """Send the e-mail of one sending; at most one successful send per row. A reminder whose
    invoice was paid or cancelled since is not sent."""
    key = delivery_key(reminder_id)
    if effect_done(key):
        return "already sent"
    reminder = (
        PaymentReminder.objects.select_related(
            "invoice__organization", "invoice__company", "invoice__contact", "invoice__original_invoice"
        )
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return "gone"
    invoice = reminder.invoice
    if reminder.offset_days is not None and not (invoice.is_open and invoice.amount_due > 0):
        return "paid meanwhile"
    decided_on = datetime.date.fromisoformat(day) if day else None
    invoice_email_message(reminder=reminder, day=decided_on).send()
    effect_record(key)
    return "sent"
