"""Quotes: drafts, sending with a public link, versions, and the client's answer.

Lifecycle (Quote.TRANSITIONS): draft -> sent -> accepted | declined; a draft, sent or declined
quote can be replaced by a new version (`quote_revise`), which marks it superseded.

Numbers: every quote takes the next number of the organization's "billing:quote" counter (not per
year: a quote is not a tax document and needs no gapless yearly series); a new version keeps the
number and takes version + 1 (Q-00042/2).

Sending (`quote_send`) gives the quote a fresh `public_key` (the key of its public link) the first
time, queues an e-mail in the client's language (the company's `language`, else the
organization's) with the link and the PDF attached (rendered by the worker after commit, never
while a row is locked), and logs an e-mail activity on the company's (and deal's) timeline.
Sending again a quote already sent re-sends the same link.

Answering (`quote_accept` / `quote_decline`): by the client on the public page (no member: the
name, IP address, browser and time are recorded) or by a member on the client's behalf. Refused,
with nothing changed, when the quote is not (or no longer) open: expired (`valid_until` before the
organization's today), already answered, superseded, or never sent.

Acceptance also, in the same transaction:
- wins the linked deal when it is still open. The CRM service needs a member holding CRM_EDIT;
  nobody is signed in on the public page, so the work is done in the name of (in order) the member
  answering on the client's behalf, the quote's creator, then the organization's first active
  owner: the first of them whose role has the capability (`acting_membership`).
- drafts the invoice (same choice of member, BILLING_EDIT): for the whole quote (its lines copied,
  same discounts and price mode), or, when `deposit_percent` is strictly between 0 and 100, a
  deposit invoice: one line per tax group of the quote (lines grouped by tax and income account)
  "Deposit of N% of quote Q-…", taxed like the group, whose net amount is the group's taxable
  amount (the lines' net after line and document discounts) times the percentage, rounded once to
  the currency's minor unit (`money_round`, half up). Prices exclusive of tax, no discount.
  When the invoice cannot be drafted (e.g. a tax of the quote no longer applies today) the
  acceptance still stands: the creator is told to draft the invoice by hand.
- notifies the quote's creator (in their language).
"""

from __future__ import annotations

import datetime
import secrets
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mizan.billing.models import Quote, QuoteLine
from mizan.billing.services.documents import (
    apply_document_defaults,
    apply_totals,
    check_party,
    clean_currency,
    clean_percent,
    lines_as_input,
    lines_summary,
    price_lines,
    write_lines,
)
from mizan.billing.services.invoices import billing_settings_of, invoice_create
from mizan.billing.taxes import money_round
from mizan.core.access import has_capability, require_capability
from mizan.core.background import effect_done, effect_record, enqueue_run_on_commit, mizan_task
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter
from mizan.core.models import AuditEntry, Membership
from mizan.core.roles import Capability, Role
from mizan.core.services.audit import audit_changes, audit_created, audit_deleted, audit_record, audit_values
from mizan.core.services.numbering import sequence_next
from mizan.ledger.services.common import require_member_of, require_same_org

ZERO = Decimal("0")
HUNDRED = Decimal("100")
SEQUENCE_KEY = "billing:quote"
HEADER_FIELDS = (
    "company",
    "contact",
    "deal",
    "currency",
    "title",
    "issue_date",
    "valid_until",
    "deposit_percent",
    "prices_include_tax",
    "discount_percent",
    "language",
    "notes",
    "terms",
)
#: Header fields copied to a new version (dates are renewed).
COPIED_FIELDS = tuple(name for name in HEADER_FIELDS if name not in ("issue_date", "valid_until"))
NAME_MAX_LENGTH = 200
USER_AGENT_MAX_LENGTH = 300
REASON_MAX_LENGTH = 2000


# --- Helpers -------------------------------------------------------------------------------------


def client_language(quote_or_invoice: Any) -> str:
    """The language the client reads: the company's, else the organization's (ar or en)."""
    language = quote_or_invoice.company.language or quote_or_invoice.organization.language
    return language if language in ("ar", "en") else "ar"


def acting_membership(*, org: Any, quote: Quote, capability: str, preferred: Any = None) -> Membership | None:
    """Whose name automatic work after an answer runs in (see the module docstring)."""
    candidates: list[Any] = []
    if preferred is not None:
        candidates.append(preferred)
    if quote.created_by_id:
        candidates.append(
            Membership.objects.filter(organization=org, user_id=quote.created_by_id, is_active=True)
            .select_related("user")
            .first()
        )
    owners = Membership.objects.filter(organization=org, role=Role.OWNER, is_active=True)
    candidates.extend(owners.select_related("user").order_by("pk"))
    for membership in candidates:
        if membership is not None and membership.organization_id == org.pk and has_capability(membership, capability):
            return membership
    return None


def _percent_text(percent: Decimal) -> str:
    return format(percent.normalize(), "f")


def _deal_defaults(deal: Any, data: dict[str, Any]) -> dict[str, Any]:
    """What a quote made from a deal starts with: its client, first contact, currency and title."""
    defaults: dict[str, Any] = {}
    if deal is None:
        return defaults
    if "company" not in data and deal.company_id:
        defaults["company"] = deal.company
    if "contact" not in data:
        company_id = data["company"].pk if data.get("company") is not None else deal.company_id
        contacts = deal.contacts.order_by("pk")
        if company_id:
            contacts = contacts.filter(company_id=company_id)
        defaults["contact"] = contacts.first()
    if "currency" not in data and deal.currency:
        defaults["currency"] = deal.currency
    if "title" not in data:
        defaults["title"] = deal.title
    return defaults


def _header_values(org: Any, data: dict[str, Any], base: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Merge `data` over `base` and apply the defaults and rules of a quote header."""
    settings_row = billing_settings_of(org)
    given = {name: data[name] for name in HEADER_FIELDS if name in data}
    if creating:
        require_same_org(given.get("deal"), org, field="deal")
        base = {**base, **_deal_defaults(given.get("deal"), given)}
    values = {**base, **given}
    check_party(org, values, related=("contact", "deal"))
    values["currency"] = clean_currency(values.get("currency") or org.base_currency)
    issue_date = values.get("issue_date") or org.today()
    if not isinstance(issue_date, datetime.date):
        raise DomainError("billing.date_invalid", _("Enter a valid date."), field="issue_date")
    values["issue_date"] = issue_date
    valid_until = values.get("valid_until")
    # None given (or a new date without a validity, on create): the date plus the settings' validity.
    if not valid_until or ("issue_date" in given and "valid_until" not in given and creating):
        valid_until = issue_date + datetime.timedelta(days=settings_row.quote_validity_days)
    if not isinstance(valid_until, datetime.date):
        raise DomainError("billing.date_invalid", _("Enter a valid date."), field="valid_until")
    if valid_until < issue_date:
        raise DomainError(
            "billing.valid_before_issue", _("The quote cannot expire before its date."), field="valid_until"
        )
    values["valid_until"] = valid_until
    values["discount_percent"] = clean_percent(values.get("discount_percent"), field="discount_percent")
    values["deposit_percent"] = clean_percent(values.get("deposit_percent"), field="deposit_percent")
    apply_document_defaults(values, settings_row, default_terms=creating)
    values["title"] = str(values.get("title") or "").strip()[:200]
    return values


def _compute(org: Any, values: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[list[Any], Any]:
    return price_lines(org=org, values=values, lines=lines, day=values["issue_date"])


def _lock(org: Any, quote: Quote) -> Quote:
    try:
        return (
            Quote.objects.select_for_update(of=("self",))
            .select_related("organization", "company", "contact", "deal")
            .get(organization=org, pk=quote.pk)
        )
    except Quote.DoesNotExist:
        raise DomainError("not_found", _("Not found.")) from None


def _require_draft(quote: Quote) -> None:
    if quote.status != Quote.Status.DRAFT:
        raise DomainError(
            "billing.quote_not_draft",
            _("Only a draft quote can be changed or deleted; make a new version of it instead."),
        )


def _audit_update(org: Any, actor: Any, quote: Quote, before: dict[str, Any], **extra: Any) -> None:
    changes = audit_changes(before, audit_values(quote))
    changes.update({name: [None, value] for name, value in extra.items()})
    audit_record(org=org, actor=actor, instance=quote, action=AuditEntry.Action.UPDATE, changes=changes)


# --- Drafts --------------------------------------------------------------------------------------


def quote_create(*, org: Any, actor_membership: Any, data: dict[str, Any], lines: list[dict[str, Any]]) -> Quote:
    """A draft quote for a client or a deal (`data["deal"]` fills client, contact, currency, title)."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    values = _header_values(org, data, {}, creating=True)
    cleaned, totals = _compute(org, values, lines)
    quote = Quote(organization=org, created_by=actor_membership.user, version=1, **values)
    apply_totals(quote, totals)
    with transaction.atomic():
        quote.number = sequence_next(org=org, key=SEQUENCE_KEY, period_key="")
        quote.save()
        write_lines(line_model=QuoteLine, parent_field="quote", parent=quote, lines=cleaned, totals=totals)
        changes = audit_changes({}, audit_values(quote))
        changes["lines"] = [None, lines_summary(cleaned)]
        audit_record(
            org=org, actor=actor_membership.user, instance=quote, action=AuditEntry.Action.CREATE, changes=changes
        )
    return quote


def quote_update(
    *, org: Any, actor_membership: Any, quote: Quote, data: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> Quote:
    """Change a draft's header fields present in `data` and, when given, replace its lines."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, quote)
        _require_draft(locked)
        before = audit_values(locked)
        base = {name: getattr(locked, name) for name in HEADER_FIELDS}
        values = _header_values(org, data, base, creating=False)
        lines_given = lines is not None
        if lines is None:
            lines = lines_as_input(locked.lines.select_related("product", "tax", "income_account"))
        cleaned, totals = _compute(org, values, lines)
        for name, value in values.items():
            setattr(locked, name, value)
        apply_totals(locked, totals)
        locked.save()
        write_lines(line_model=QuoteLine, parent_field="quote", parent=locked, lines=cleaned, totals=totals)
        extra = {"lines": lines_summary(cleaned)} if lines_given else {}
        _audit_update(org, actor_membership.user, locked, before, **extra)
    return locked


def quote_delete(*, org: Any, actor_membership: Any, quote: Quote) -> None:
    """Delete a draft. Deleting a draft new version gives its previous version back its former status."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, quote)
        _require_draft(locked)
        previous = None
        if locked.previous_version_id:
            previous = Quote.objects.select_for_update().get(pk=locked.previous_version_id)
        audit_deleted(org=org, actor=actor_membership.user, instance=locked)
        locked.delete()
        if previous is not None and previous.status == Quote.Status.SUPERSEDED:
            before = audit_values(previous)
            if previous.responded_at is not None:
                previous.status = Quote.Status.DECLINED
            elif previous.sent_at is not None:
                previous.status = Quote.Status.SENT
            else:
                previous.status = Quote.Status.DRAFT
            previous.save(update_fields=["status", "updated_at"])
            _audit_update(org, actor_membership.user, previous, before)


def quote_revise(*, org: Any, actor_membership: Any, quote: Quote) -> Quote:
    """A new version (same number, version + 1) as a draft; the quote revised becomes superseded.

    The lines and their amounts are copied as they are; dates are renewed (today, validity from the
    billing settings). The new version has no public link until it is sent.
    """
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    settings_row = billing_settings_of(org)
    with transaction.atomic():
        locked = _lock(org, quote)
        if not locked.can_transition(Quote.Status.SUPERSEDED):
            if locked.status == Quote.Status.ACCEPTED:
                message = _("An accepted quote cannot be revised.")
            else:
                message = _("This quote already has a newer version: revise the latest one.")
            raise DomainError("billing.quote_not_revisable", message)
        latest = Quote.objects.filter(organization=org, number=locked.number).aggregate(v=Max("version"))["v"]
        today = org.today()
        revision = Quote(
            organization=org,
            created_by=actor_membership.user,
            number=locked.number,
            version=(latest or locked.version) + 1,
            previous_version=locked,
            issue_date=today,
            valid_until=today + datetime.timedelta(days=settings_row.quote_validity_days),
            net_total=locked.net_total,
            discount_total=locked.discount_total,
            tax_total=locked.tax_total,
            total=locked.total,
            **{name: getattr(locked, name) for name in COPIED_FIELDS},
        )
        revision.save()
        QuoteLine.objects.bulk_create(
            [
                QuoteLine(
                    quote=revision,
                    **{
                        field.attname: getattr(row, field.attname)
                        for field in QuoteLine._meta.concrete_fields
                        if field.name not in ("id", "quote")
                    },
                )
                for row in locked.lines.all()
            ]
        )
        before = audit_values(locked)
        locked.status = Quote.Status.SUPERSEDED
        locked.save(update_fields=["status", "updated_at"])
        _audit_update(org, actor_membership.user, locked, before)
        audit_created(org=org, actor=actor_membership.user, instance=revision)
    return revision


# --- Sending -------------------------------------------------------------------------------------


def _recipient(quote: Quote, to: str | None) -> str:
    address = (to or "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError("billing.email_invalid", _("Enter a valid e-mail address."), field="to") from None
        return address
    if quote.contact is not None and quote.contact.email:
        return quote.contact.email
    if quote.company.email:
        return quote.company.email
    raise DomainError(
        "billing.no_address",
        _("Neither the contact nor the client has an e-mail address: enter the address to send to."),
        field="to",
    )


def _require_not_expired(org: Any, quote: Quote, code: str = "billing.quote_expired") -> None:
    if quote.valid_until < org.today():
        date_text = Formatter.for_org(org, translation.get_language()).date(quote.valid_until)
        raise DomainError(code, _("This quote expired on {date}.").format(date=date_text), field="valid_until")


def quote_send(*, org: Any, actor_membership: Any, quote: Quote, to: str | None = None, message: str = "") -> Quote:
    """E-mail the quote to the client (a given address, else the contact's, else the company's)."""
    from mizan.billing.public_links import quote_public_url
    from mizan.crm.models import Activity
    from mizan.crm.services.activities import activity_log
    from mizan.crm.services.timeline import EMAIL_SENT

    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    message = str(message or "").strip()[:REASON_MAX_LENGTH]
    with transaction.atomic():
        locked = _lock(org, quote)
        if locked.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
            raise DomainError("billing.quote_not_sendable", _("Only a draft or sent quote can be sent."))
        _require_not_expired(org, locked, code="billing.quote_expired_send")
        address = _recipient(locked, to)
        before = audit_values(locked)
        now = timezone.now()
        if locked.status == Quote.Status.DRAFT or not locked.public_key:
            locked.public_key = secrets.token_hex(16)
        locked.status = Quote.Status.SENT
        locked.sent_at = now
        locked.save()
        _audit_update(org, actor_membership.user, locked, before)
        language = client_language(locked)
        with translation.override(language):
            subject = _("Quote {number}").format(number=locked.display_number)
        activity = activity_log(
            org=org,
            actor=actor_membership.user,
            kind=Activity.Kind.EMAIL,
            subject=subject,
            body=message,
            outcome=EMAIL_SENT,
            email_to=address,
            company=locked.company,
            contact=locked.contact,
            deal=locked.deal,
        )
        audit_created(org=org, actor=actor_membership.user, instance=activity)
        key = f"billing:quote:{locked.pk}:sent:{activity.pk}"
        enqueue_run_on_commit(
            quote_email_deliver,
            kwargs={
                "quote_id": locked.pk,
                "to": [address],
                "language": language,
                "url": quote_public_url(locked),
                "message": message,
                "sender_name": actor_membership.user.full_name or actor_membership.user.email,
                "sender_email": actor_membership.user.email,
                "key": key,
            },
            key=key,
            organization=org,
        )
    quote.refresh_from_db()
    return locked


def quote_email_message(
    *, quote: Quote, to: list[str], language: str, url: str, message: str = "", sender_name: str = "", sender_email=""
) -> Any:
    """The rendered e-mail of a sent quote, its PDF attached (built by the worker)."""
    from mizan.billing.pdf import quote_pdf
    from mizan.core.services.email import email_render

    org = quote.organization
    formatter = Formatter.for_org(org, language)
    with translation.override(language):
        context = {
            "quote_number": quote.display_number,
            "quote_title": quote.title,
            "client_name": quote.company.display_name(language),
            "organization_name": org.display_name(language),
            "total_text": formatter.money(quote.total, quote.currency),
            "valid_until_text": formatter.date(quote.valid_until),
            "public_url": url,
            "message": message,
            "sender_name": sender_name,
            "sender_email": sender_email,
        }
    email = email_render(template="billing_quote", context=context, language=language)
    email.to = list(to)
    if sender_email:
        email.reply_to = [sender_email]
    email.attach(f"{quote.display_number.replace('/', '-')}.pdf", quote_pdf(quote), "application/pdf")
    return email


@mizan_task
def quote_email_deliver(
    *,
    quote_id: int,
    to: list[str],
    language: str,
    url: str,
    message: str = "",
    sender_name: str = "",
    sender_email: str = "",
    key: str = "",
) -> str:
    """Render the quote's e-mail and PDF and hand them to SMTP; once per key."""
    if key and effect_done(key):
        return "already sent"
    quote = Quote.objects.select_related("organization", "company", "contact").filter(pk=quote_id).first()
    if quote is None:
        return "quote deleted"
    email = quote_email_message(
        quote=quote,
        to=to,
        language=language,
        url=url,
        message=message,
        sender_name=sender_name,
        sender_email=sender_email,
    )
    email.send()
    if key:
        effect_record(key)
    return "sent"


# --- Answers -------------------------------------------------------------------------------------


def _require_open_for_answer(org: Any, quote: Quote) -> None:
    if quote.status == Quote.Status.SUPERSEDED:
        raise DomainError(
            "billing.quote_superseded", _("This quote was replaced by a newer version and can no longer be answered.")
        )
    if quote.status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED):
        raise DomainError("billing.quote_answered", _("This quote has already been answered."))
    if quote.status != Quote.Status.SENT:
        raise DomainError("billing.quote_not_sent", _("Send the quote before recording the client's answer."))
    _require_not_expired(org, quote)


def _clean_answer(name: str, user_agent: str) -> tuple[str, str]:
    return " ".join(str(name or "").split())[:NAME_MAX_LENGTH], str(user_agent or "")[:USER_AGENT_MAX_LENGTH]


def _check_answerer(org: Any, quote: Quote, actor_membership: Any) -> None:
    require_same_org(quote, org)
    if actor_membership is not None:
        require_capability(actor_membership, Capability.BILLING_EDIT)
        require_member_of(actor_membership, org)


def _record_answer(
    *,
    locked: Quote,
    status: str,
    name: str,
    ip: str | None,
    user_agent: str,
    actor_membership: Any,
    reason: str = "",
) -> None:
    locked.status = status
    locked.responded_at = timezone.now()
    locked.responder_name = name
    # A member answering on the client's behalf is in the audit trail; the client's own address is not theirs.
    locked.responder_ip = ip if actor_membership is None else None
    locked.responder_user_agent = user_agent if actor_membership is None else ""
    locked.decline_reason = reason


def _timeline_note(*, org: Any, actor: Any, quote: Quote, subject: str, body: str = "") -> None:
    from mizan.crm.models import Activity
    from mizan.crm.services.activities import activity_log

    activity_log(
        org=org,
        actor=actor,
        kind=Activity.Kind.SYSTEM,
        subject=subject[:250],
        body=body,
        company=quote.company,
        deal=quote.deal,
    )


def _notify_creator(*, org: Any, quote: Quote, message_for: Any) -> None:
    from mizan.core.services.notifications import notification_create

    creator = quote.created_by
    if creator is None or not Membership.objects.filter(organization=org, user=creator, is_active=True).exists():
        return
    with translation.override(creator.language):
        message = str(message_for())
    notification_create(
        org=org, user=creator, message=message, url=reverse("billing:quote_detail", kwargs={"pk": quote.pk})
    )


def _deposit_lines(quote: Quote, lines: list[QuoteLine], percent: Decimal) -> list[dict[str, Any]]:
    """One line per (tax, income account) group: net = group's taxable amount x percent, rounded once."""
    groups: OrderedDict[tuple[Any, Any], list[QuoteLine]] = OrderedDict()
    for row in lines:
        groups.setdefault((row.tax_id, row.income_account_id), []).append(row)
    language = quote.language
    percent_text = _percent_text(percent)

    def describe(lang: str) -> str:
        with translation.override(lang):
            return _("Deposit of {percent}% of quote {number}").format(
                percent=percent_text, number=quote.display_number
            )

    if language in ("ar", "en"):
        description = describe(language)
    else:
        description = " / ".join(dict.fromkeys([describe("ar"), describe("en")]))
    result = []
    for group in groups.values():
        taxable = sum((row.net_amount for row in group), ZERO)
        net = money_round(taxable * percent / HUNDRED, quote.currency)
        if net <= 0:
            continue
        result.append(
            {
                "description": description,
                "quantity": Decimal("1"),
                "unit_price": net,
                "discount_percent": ZERO,
                "tax": group[0].tax,
                "income_account": group[0].income_account,
            }
        )
    return result


def _invoice_from_quote(*, org: Any, quote: Quote, membership: Membership) -> Any:
    """Draft the invoice of an accepted quote (see the module docstring for the deposit rule)."""
    rows = list(quote.lines.select_related("product", "tax", "income_account"))
    percent = quote.deposit_percent or ZERO
    data: dict[str, Any] = {
        "company": quote.company,
        "contact": quote.contact,
        "currency": quote.currency,
        "deal": quote.deal,
        "language": quote.language,
        "notes": quote.notes,
        "terms": quote.terms,
        "issue_date": org.today(),
    }
    if ZERO < percent < HUNDRED:
        lines = _deposit_lines(quote, rows, percent)
        data.update(prices_include_tax=False, discount_percent=ZERO)
    else:
        lines = lines_as_input(rows)
        data.update(prices_include_tax=quote.prices_include_tax, discount_percent=quote.discount_percent)
    return invoice_create(org=org, actor_membership=membership, data=data, lines=lines, quote=quote)


def _after_acceptance(*, org: Any, quote: Quote, actor_membership: Any) -> list[str]:
    """Win the deal and draft the invoice; returns the problems met (the acceptance stands)."""
    from mizan.crm.models import Deal
    from mizan.crm.services.deals import deal_mark_won

    problems: list[str] = []
    deal = quote.deal
    if deal is not None and deal.status == Deal.Status.OPEN:
        member = acting_membership(org=org, quote=quote, capability=Capability.CRM_EDIT, preferred=actor_membership)
        if member is None:
            problems.append(_("Nobody who may edit deals could mark the deal won."))
        else:
            try:
                with transaction.atomic():
                    deal_mark_won(org=org, actor_membership=member, deal=deal)
            except DomainError as error:
                problems.append(error.message)
    member = acting_membership(org=org, quote=quote, capability=Capability.BILLING_EDIT, preferred=actor_membership)
    if member is None:
        problems.append(_("Nobody who may issue invoices could draft the invoice."))
        return problems
    try:
        with transaction.atomic():
            invoice = _invoice_from_quote(org=org, quote=quote, membership=member)
    except DomainError as error:
        problems.append(error.message)
    else:
        Quote.objects.filter(pk=quote.pk).update(invoice=invoice)
        quote.invoice = invoice
    return problems


def quote_accept(
    *,
    org: Any,
    quote: Quote,
    responder_name: str,
    responder_ip: str | None = None,
    user_agent: str = "",
    actor_membership: Any = None,
) -> Quote:
    """The client accepts (public page: no member) or a member records the acceptance on their behalf."""
    _check_answerer(org, quote, actor_membership)
    name, user_agent = _clean_answer(responder_name, user_agent)
    if not name:
        raise DomainError("billing.name_required", _("Enter your name to accept the quote."), field="name")
    actor = getattr(actor_membership, "user", None)
    with transaction.atomic():
        locked = _lock(org, quote)
        _require_open_for_answer(org, locked)
        before = audit_values(locked)
        _record_answer(
            locked=locked,
            status=Quote.Status.ACCEPTED,
            name=name,
            ip=responder_ip,
            user_agent=user_agent,
            actor_membership=actor_membership,
        )
        locked.save()
        _audit_update(org, actor, locked, before)
        with translation.override(org.language):
            subject = _("Quote {number} accepted by {name}").format(number=locked.display_number, name=name)
        _timeline_note(org=org, actor=actor, quote=locked, subject=subject)
        problems = _after_acceptance(org=org, quote=locked, actor_membership=actor_membership)

        def message() -> str:
            text = _("{client} accepted quote {number}.").format(
                client=locked.company.display_name(), number=locked.display_number
            )
            if problems:
                text += " " + _("Draft the invoice by hand: {problem}").format(problem=" ".join(problems))
            return text

        _notify_creator(org=org, quote=locked, message_for=message)
    quote.refresh_from_db()
    return locked


def quote_decline(
    *,
    org: Any,
    quote: Quote,
    reason: str = "",
    responder_name: str = "",
    responder_ip: str | None = None,
    user_agent: str = "",
    actor_membership: Any = None,
) -> Quote:
    """The client declines (optionally saying why), or a member records it on their behalf."""
    _check_answerer(org, quote, actor_membership)
    name, user_agent = _clean_answer(responder_name, user_agent)
    reason = str(reason or "").strip()[:REASON_MAX_LENGTH]
    actor = getattr(actor_membership, "user", None)
    with transaction.atomic():
        locked = _lock(org, quote)
        _require_open_for_answer(org, locked)
        before = audit_values(locked)
        _record_answer(
            locked=locked,
            status=Quote.Status.DECLINED,
            name=name,
            ip=responder_ip,
            user_agent=user_agent,
            actor_membership=actor_membership,
            reason=reason,
        )
        locked.save()
        _audit_update(org, actor, locked, before)
        with translation.override(org.language):
            subject = _("Quote {number} declined").format(number=locked.display_number)
        _timeline_note(org=org, actor=actor, quote=locked, subject=subject, body=reason)

        def message() -> str:
            return _("{client} declined quote {number}.").format(
                client=locked.company.display_name(), number=locked.display_number
            )

        _notify_creator(org=org, quote=locked, message_for=message)
    quote.refresh_from_db()
    return locked
