"""Invoices and credit notes: drafts, posting to the ledger, cancelling by a credit note.

Posting, in one transaction: lock the draft, re-validate and recompute its lines (the totals are
frozen from then on), take the rate of the invoice date for a foreign currency, post the journal
entry through the ledger's one posting service (receivable debit; revenue per account and VAT per
tax account credited; mirrored for a credit note; a credit note then settles its invoice), and, as
the LAST writes before commit, take the gapless number of the series and fiscal year (locking its
counter row briefly), refuse a date before the last numbered invoice of the series, and stamp the
number on the entry and the invoice. The PDF and the UBL XML are rendered after commit by a
background task, so no lock waits for a renderer. A credit note locks its invoice before itself.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.billing.models import BillingSettings, Invoice, InvoiceLine, PaymentTerm
from mizan.billing.services.documents import (
    NOTHING_TRUSTED,
    TrustedRefs,
    apply_document_defaults,
    apply_totals,
    check_party,
    clean_currency,
    clean_percent,
    lines_as_input,
    lines_match,
    lines_summary,
    price_lines,
    write_lines,
)
from mizan.core.access import require_capability
from mizan.core.background import enqueue_on_commit, mizan_task
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability
from mizan.core.services.audit import AuditBatch, audit_changes, audit_deleted, audit_record, audit_values
from mizan.core.services.numbering import sequence_next
from mizan.ledger.models import Account, AccountRole, Journal, JournalEntry, JournalKind, JournalLine
from mizan.ledger.services.common import require_member_of, require_same_org
from mizan.ledger.services.currencies import exchange_rate_for
from mizan.ledger.services.entries import LineInput, journal_entry_create
from mizan.ledger.services.periods import posting_period

ZERO = Decimal("0")
HEADER_FIELDS = (
    "company",
    "contact",
    "currency",
    "issue_date",
    "due_date",
    "payment_term",
    "discount_percent",
    "prices_include_tax",
    "language",
    "notes",
    "terms",
    "reference",
    "saudi_type",
    "exchange_rate",
    "deal",
    "cost_center",
    "project",
)


def billing_settings_of(org: Any) -> BillingSettings:
    return BillingSettings.objects.get_or_create(organization=org)[0]


def default_payment_term(org: Any) -> PaymentTerm | None:
    return PaymentTerm.objects.filter(organization=org, is_default=True, is_active=True).first()


def _settings(org: Any, settings_row: BillingSettings | None) -> BillingSettings:
    """The organization's billing settings: the caller's row when it read them in this call."""
    if settings_row is not None and settings_row.organization_id == org.pk:
        return settings_row
    return billing_settings_of(org)


def _header_values(
    org: Any, data: dict[str, Any], base: dict[str, Any], *, settings_row: BillingSettings | None = None
) -> dict[str, Any]:
    """Merge `data` over `base` and apply the defaults and rules of an invoice header."""
    settings_row = _settings(org, settings_row)
    values = {**base, **{name: data[name] for name in HEADER_FIELDS if name in data}}
    check_party(org, values, related=("contact", "deal", "payment_term", "cost_center", "project"))
    values["currency"] = clean_currency(values.get("currency") or org.base_currency)
    issue_date = values.get("issue_date") or org.today()
    if not isinstance(issue_date, datetime.date):
        raise DomainError("billing.date_invalid", _("Enter a valid date."), field="issue_date")
    values["issue_date"] = issue_date
    if "payment_term" not in data and "payment_term" not in base:
        values["payment_term"] = default_payment_term(org)
    term = values.get("payment_term")
    dates_changed = ("issue_date" in data or "payment_term" in data) and "due_date" not in data
    if not values.get("due_date") or dates_changed:
        values["due_date"] = term.due_date_for(issue_date) if term is not None else issue_date
    if values["due_date"] < issue_date:
        raise DomainError("billing.due_before_issue", _("The due date cannot be before the invoice date."), "due_date")
    values["discount_percent"] = clean_percent(values.get("discount_percent"), field="discount_percent")
    apply_document_defaults(values, settings_row, default_terms=True)
    if not values.get("saudi_type"):
        values["saudi_type"] = (
            Invoice.SaudiType.STANDARD if values["company"].vat_number else Invoice.SaudiType.SIMPLIFIED
        )
    if values["saudi_type"] not in Invoice.SaudiType.values:
        raise DomainError("billing.type_invalid", _("Choose the type of tax invoice."), field="saudi_type")
    if "currency" in data and "exchange_rate" not in data and base.get("currency") != values["currency"]:
        values["exchange_rate"] = None  # the old currency's rate: the new one's is taken at posting
    rate = values.get("exchange_rate")
    if values["currency"] == org.base_currency:
        values["exchange_rate"] = Decimal("1")
    elif rate not in (None, "") and (not isinstance(rate, Decimal) or rate <= 0):
        raise DomainError("billing.rate_invalid", _("The exchange rate must be greater than zero."), "exchange_rate")
    values["reference"] = str(values.get("reference") or "").strip()
    return values


def _trusted_refs(invoice: Invoice) -> TrustedRefs:
    """A credit note may reverse its invoice's taxes, products and accounts even if retired since."""
    if invoice.original_invoice_id is None:
        return NOTHING_TRUSTED
    return TrustedRefs.of_lines(InvoiceLine.objects.filter(invoice_id=invoice.original_invoice_id))


def _apply_header(invoice: Invoice, values: dict[str, Any], totals: Any) -> None:
    for name, value in values.items():
        setattr(invoice, name, value)
    if invoice.exchange_rate in (None, ""):
        invoice.exchange_rate = Decimal("1")
    apply_totals(invoice, totals)
    invoice.amount_due = invoice.total


def _write_draft(
    *,
    org: Any,
    actor: Any,
    invoice: Invoice,
    values: dict[str, Any],
    lines: list[dict[str, Any]] | None,
    settings_row: BillingSettings | None = None,
) -> Invoice:
    if lines is None:
        lines = lines_as_input(invoice.lines.select_related("product", "tax", "income_account"))
    cleaned, totals = price_lines(
        org=org,
        values=values,
        lines=lines,
        day=values["issue_date"],
        trusted=_trusted_refs(invoice),
        settings_row=_settings(org, settings_row),
    )
    is_new = invoice.pk is None
    _apply_header(invoice, values, totals)
    invoice.save()
    write_lines(
        line_model=InvoiceLine, parent_field="invoice", parent=invoice, lines=cleaned, totals=totals, replace=not is_new
    )
    invoice._lines_summary = lines_summary(cleaned)  # type: ignore[attr-defined]
    return invoice


_HEADER_TOTALS = ("net_total", "discount_total", "tax_total", "total")


def _reprice_for_posting(
    *, org: Any, invoice: Invoice, values: dict[str, Any], settings_row: BillingSettings
) -> list[InvoiceLine]:
    """Re-validate and recompute a locked draft's lines one last time (taxes checked on the invoice
    date); the totals are frozen from then on. Returns the lines to post, with their product, tax
    (and its account) and income account loaded.

    The lines are read once. When every stored figure equals the recomputed one (the usual case)
    nothing is rewritten and the header is saved by the caller's last write; otherwise the lines
    are replaced and the header saved at once, as a draft's save does.
    """
    stored = list(invoice.lines.select_related("product", "tax__account", "income_account"))
    cleaned, totals = price_lines(
        org=org,
        values=values,
        lines=lines_as_input(stored),
        day=values["issue_date"],
        trusted=_trusted_refs(invoice),
        settings_row=settings_row,
    )
    stored_totals = [getattr(invoice, name) for name in _HEADER_TOTALS]
    _apply_header(invoice, values, totals)
    unchanged = stored_totals == [getattr(invoice, name) for name in _HEADER_TOTALS] and lines_match(
        stored, cleaned, totals
    )
    invoice._lines_summary = lines_summary(cleaned)  # type: ignore[attr-defined]
    if unchanged:
        return stored
    invoice.save()
    return write_lines(line_model=InvoiceLine, parent_field="invoice", parent=invoice, lines=cleaned, totals=totals)


def invoice_create(
    *,
    org: Any,
    actor_membership: Any,
    data: dict[str, Any],
    lines: list[dict[str, Any]],
    quote: Any = None,
    recurring_schedule: Any = None,
    recurring_period: datetime.date | None = None,
    required_capability: str = Capability.BILLING_EDIT,
) -> Invoice:
    """A draft invoice. `data` holds header fields (HEADER_FIELDS); `lines` the line mappings."""
    require_capability(actor_membership, required_capability)
    require_member_of(actor_membership, org)
    require_same_org(quote, org, field="quote")
    settings_row = billing_settings_of(org)
    values = _header_values(org, data, {}, settings_row=settings_row)
    invoice = Invoice(
        organization=org,
        kind=Invoice.Kind.INVOICE,
        series=settings_row.invoice_series,
        created_by=actor_membership.user,
        quote=quote,
        recurring_schedule=recurring_schedule,
        recurring_period=recurring_period,
    )
    with transaction.atomic():
        _write_draft(
            org=org,
            actor=actor_membership.user,
            invoice=invoice,
            values=values,
            lines=lines,
            settings_row=settings_row,
        )
        changes = audit_changes({}, audit_values(invoice))
        changes["lines"] = [None, invoice._lines_summary]  # type: ignore[attr-defined]
        audit_record(
            org=org, actor=actor_membership.user, instance=invoice, action=AuditEntry.Action.CREATE, changes=changes
        )
    return invoice


def _lock(org: Any, invoice: Invoice) -> Invoice:
    try:
        return (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("company", "payment_term")
            .get(organization=org, pk=invoice.pk)
        )
    except Invoice.DoesNotExist:
        raise DomainError("not_found", _("Not found.")) from None


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.DRAFT:
        raise DomainError(
            "billing.posted_immutable",
            _("A posted invoice cannot be changed or deleted; issue a credit note instead."),
        )


def invoice_update(
    *, org: Any, actor_membership: Any, invoice: Invoice, data: dict[str, Any], lines: list[dict[str, Any]] | None
) -> Invoice:
    """Change a draft's header fields present in `data` and, when given, replace its lines."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, invoice)
        _require_draft(locked)
        before = audit_values(locked)
        base = {name: getattr(locked, name) for name in HEADER_FIELDS}
        if locked.is_credit_note:
            _refuse_credit_note_header_changes(locked, data)
        settings_row = billing_settings_of(org)
        values = _header_values(org, data, base, settings_row=settings_row)
        _write_draft(
            org=org,
            actor=actor_membership.user,
            invoice=locked,
            values=values,
            lines=lines,
            settings_row=settings_row,
        )
        if locked.is_credit_note:
            _check_credit_note(locked)
        changes = audit_changes(before, audit_values(locked))
        if lines is not None:
            changes["lines"] = [None, locked._lines_summary]  # type: ignore[attr-defined]
        audit_record(
            org=org, actor=actor_membership.user, instance=locked, action=AuditEntry.Action.UPDATE, changes=changes
        )
    return locked


def invoice_delete(*, org: Any, actor_membership: Any, invoice: Invoice) -> None:
    """Delete a draft; a posted invoice stays (credit it instead)."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock(org, invoice)
        _require_draft(locked)
        audit_deleted(org=org, actor=actor_membership.user, instance=locked)
        locked.delete()


def sales_journal(org: Any) -> Journal:
    journal = Journal.objects.filter(organization=org, kind=JournalKind.SALES, is_active=True).order_by("pk").first()
    if journal is None:
        raise DomainError("billing.no_sales_journal", _("Create an active sales journal first."))
    return journal


def role_account(org: Any, role: str) -> Account:
    account = Account.objects.filter(organization=org, role=role, is_active=True).first()
    if account is None:
        raise DomainError(
            "billing.no_account_for_role",
            _("Give the role “{role}” to an active account first.").format(role=AccountRole(role).label),
        )
    return account


def invoice_entry_lines(org: Any, invoice: Invoice, lines: list[InvoiceLine]) -> list[LineInput]:
    """Receivable against revenue per income account and VAT per tax account (mirrored for a credit note).

    Public because the benchmark's bulk builder (mizan/bench) posts with exactly these lines."""
    sign = -1 if invoice.is_credit_note else 1

    def side(amount: Decimal) -> dict[str, Decimal]:
        signed = amount * sign
        return {"debit": signed, "credit": ZERO} if signed > 0 else {"debit": ZERO, "credit": -signed}

    revenue: dict[int, Decimal] = defaultdict(Decimal)
    accounts: dict[int, Account] = {}
    taxes: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        revenue[line.income_account_id] += line.net_amount
        accounts[line.income_account_id] = line.income_account
        if line.tax is not None and line.tax_amount:
            taxes[line.tax.account_id] += line.tax_amount
            accounts[line.tax.account_id] = line.tax.account
    common = {"currency": invoice.currency, "exchange_rate": invoice.exchange_rate}
    entry_lines = [
        LineInput(
            account=role_account(org, AccountRole.RECEIVABLE),
            partner=invoice.company,
            due_date=invoice.due_date,
            **side(invoice.total),
            **common,
        )
    ]
    for account_id, amount in [*revenue.items(), *taxes.items()]:
        if amount:
            entry_lines.append(
                LineInput(
                    account=accounts[account_id],
                    partner=invoice.company,
                    cost_center=invoice.cost_center,
                    project=invoice.project,
                    **side(-amount),
                    **common,
                )
            )
    return entry_lines


def _check_date_order(invoice: Invoice) -> None:
    """Numbers follow dates: refuse a date before the last numbered document of the series and year."""
    last = (
        Invoice.objects.filter(
            organization_id=invoice.organization_id,
            series=invoice.series,
            fiscal_year_id=invoice.fiscal_year_id,
            number__isnull=False,
        )
        .exclude(pk=invoice.pk)
        .order_by("-number")
        .values_list("issue_date", "number")
        .first()
    )
    if last is not None and invoice.issue_date < last[0]:
        formatter = active_formatter()
        raise DomainError(
            "billing.date_before_last",
            _(
                "The date {date} is before {last_date}, the date of the last {series} number ({number}): "
                "date the document on or after it."
            ).format(
                date=formatter.date(invoice.issue_date),
                last_date=formatter.date(last[0]),
                series=invoice.series,
                number=formatter.number(last[1]),
            ),
            field="issue_date",
        )


def _stamp_entry(entry: JournalEntry, number: str) -> None:
    """Name the document on the entry it just posted (same transaction, before commit), so ledger
    reports, aging and the partner ledger read the invoice number."""
    JournalEntry.objects.filter(pk=entry.pk).update(memo=number)
    JournalLine.objects.filter(entry=entry).update(description=number)


#: Loaded with the locked draft: what re-validating and posting its header always reads. (The
#: optional contact, deal and analytic accounts load when set: joining them costs every posting
#: ~0.7 ms of ORM work for their columns, more than a query when they are there.)
_POSTING_RELATED = ("company", "payment_term", "organization__billing_settings")


def _lock_for_posting(org: Any, invoice: Invoice) -> tuple[Invoice, Invoice | None]:
    """Lock the draft and, for a credit note, its invoice (before the credit note itself: the order
    every writer of both rows follows), in one statement that also loads the client, the payment
    term and the billing settings. PostgreSQL sorts before it locks, so the ORDER BY (the credited
    invoice first) is the locking order. Returns (draft, credited invoice or None)."""
    credited = Invoice.objects.filter(organization=org, pk=invoice.pk).values("original_invoice_id")[:1]
    rows = list(
        Invoice.objects.select_for_update(of=("self",))
        .select_related(*_POSTING_RELATED)
        .filter(Q(pk=invoice.pk) | Q(pk=Subquery(credited)), organization=org)
        .order_by(Case(When(pk=invoice.pk, then=Value(1)), default=Value(0), output_field=IntegerField()))
    )
    locked = next((row for row in rows if row.pk == invoice.pk), None)
    if locked is None:
        raise DomainError("not_found", _("Not found."))
    original = next((row for row in rows if row.pk != invoice.pk), None)
    if locked.original_invoice_id is not None and original is None:
        raise DomainError("not_found", _("Not found."))
    return locked, original


def _joined_settings(org: Any, invoice: Invoice) -> BillingSettings:
    """The billing settings read with the locked invoice (else read or created now)."""
    try:
        return _settings(org, invoice.organization.billing_settings)
    except BillingSettings.DoesNotExist:
        return billing_settings_of(org)


def invoice_post(*, org: Any, actor_membership: Any, invoice: Invoice) -> Invoice:
    """Post a draft invoice or credit note (see the module docstring).

    A fixed number of statements whatever the number of lines: the lines are read once and
    rewritten only if a figure changed, the fiscal year and period are read (and share-locked)
    once and handed to the ledger, and the audit entries are written together before commit.
    """
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    actor = actor_membership.user
    with transaction.atomic():
        # A credit note locks its invoice first (the order every writer of both rows follows), so two
        # credit notes of one invoice post one after the other and the second sees the first.
        locked, original = _lock_for_posting(org, invoice)
        _require_draft(locked)
        settings_row = _joined_settings(org, locked)
        values = _header_values(
            org, {}, {name: getattr(locked, name) for name in HEADER_FIELDS}, settings_row=settings_row
        )
        if locked.currency != org.base_currency and values.get("exchange_rate") in (None, Decimal("1")):
            values["exchange_rate"] = exchange_rate_for(org=org, currency=locked.currency, day=locked.issue_date)
        lines = _reprice_for_posting(org=org, invoice=locked, values=values, settings_row=settings_row)
        if locked.total <= 0:
            raise DomainError("billing.total_zero", _("An invoice with a total of zero cannot be posted."))
        if original is not None:
            locked.original_invoice = original
            _check_credit_note(locked)
        period = posting_period(org=org, day=locked.issue_date, actor=actor)
        fiscal_year = period.fiscal_year
        locked.fiscal_year = fiscal_year
        locked.posted_at = timezone.now()
        locked.posted_by = actor
        audit = AuditBatch()
        entry = journal_entry_create(
            org=org,
            actor_membership=actor_membership,
            journal=sales_journal(org),
            date=locked.issue_date,
            lines=invoice_entry_lines(org, locked, lines),
            memo=_("Credit note") if locked.is_credit_note else _("Invoice"),
            reference=locked.reference,
            currency=locked.currency,
            source=locked,
            post=True,
            required_capability=Capability.BILLING_EDIT,
            fiscal_year=fiscal_year,
            period=period,
            audit_batch=audit,
            savepoint=False,  # any error here rolls back the whole posting
        )
        locked.journal_entry = entry
        locked.status = Invoice.Status.POSTED
        locked.amount_paid = ZERO
        locked.amount_due = locked.total
        if original is not None:
            _apply_credit_note(org=org, actor=actor, credit_note=locked, original=original, audit=audit)
        if org.country == "SA":
            from mizan.billing.zatca import invoice_qr_base64

            locked.qr_code = invoice_qr_base64(locked)
        # Last writes before commit: the number (locks the series row), the date-order check under
        # that lock, the number stamped on the entry's memo and lines, the invoice itself, the audit
        # entries of the whole posting (one INSERT) and the rendering task.
        locked.assign_document_number(
            sequence_next(org=org, key=f"billing:{locked.series}", period_key=fiscal_year.pk), fiscal_year.name
        )
        _check_date_order(locked)
        _stamp_entry(entry, locked.display_number)
        locked.save()
        audit_record(
            org=org,
            actor=actor,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            changes={"status": [Invoice.Status.DRAFT, Invoice.Status.POSTED], "number": [None, locked.display_number]},
            batch=audit,
        )
        audit.flush()
        enqueue_on_commit(invoice_documents_render, locked.pk)
    return locked


# --- credit notes -----------------------------------------------------------------------------


#: Header fields a credit note copies from its invoice and keeps: it reverses that very sale.
CREDIT_NOTE_FROZEN_FIELDS = ("company", "currency", "exchange_rate", "prices_include_tax", "discount_percent")


def _posted_credit_notes(original: Invoice, *, exclude: Invoice | None = None) -> Any:
    notes = Invoice.objects.filter(original_invoice=original, kind=Invoice.Kind.CREDIT_NOTE).exclude(
        status=Invoice.Status.DRAFT
    )
    return notes.exclude(pk=exclude.pk) if exclude is not None else notes


def _credited_total(original: Invoice, *, exclude: Invoice | None = None) -> Decimal:
    return _posted_credit_notes(original, exclude=exclude).aggregate(total=Sum("total"))["total"] or ZERO


def _refuse_credit_note_header_changes(credit_note: Invoice, data: dict[str, Any]) -> None:
    for name in CREDIT_NOTE_FROZEN_FIELDS:
        if name in data and data[name] is not None and data[name] != getattr(credit_note, name):
            raise DomainError(
                "billing.credit_note_frozen",
                _("A credit note keeps its invoice's client, currency, exchange rate, prices and discount."),
                field=name,
            )


def _amounts_by_tax(lines: Any) -> dict[tuple[int | None, int], tuple[Decimal, Decimal]]:
    """(net, tax) per (tax, income account) of a set of invoice lines, in one query."""
    rows = lines.values("tax_id", "income_account_id").annotate(net=Sum("net_amount"), tax=Sum("tax_amount"))
    return {(row["tax_id"], row["income_account_id"]): (row["net"] or ZERO, row["tax"] or ZERO) for row in rows}


def _check_credit_note(credit_note: Invoice) -> None:
    """A credit note reverses part of its invoice: same terms, never more than was invoiced, per tax."""
    original = credit_note.original_invoice
    if original is None:
        raise DomainError("not_found", _("Not found."))
    for name in CREDIT_NOTE_FROZEN_FIELDS:
        if getattr(credit_note, name) != getattr(original, name):
            raise DomainError(
                "billing.credit_note_frozen",
                _("A credit note keeps its invoice's client, currency, exchange rate, prices and discount."),
                field=name,
            )
    if credit_note.issue_date < original.issue_date:
        raise DomainError(
            "billing.credit_before_invoice", _("A credit note cannot be dated before its invoice."), "issue_date"
        )
    formatter = active_formatter()
    left = original.total - _credited_total(original, exclude=credit_note)
    if credit_note.total > left:
        raise DomainError(
            "billing.credit_exceeds_invoice",
            _("The credit notes would exceed the invoice: at most {amount} can still be credited.").format(
                amount=formatter.money(left, original.currency)
            ),
            field="lines",
        )
    invoiced = _amounts_by_tax(InvoiceLine.objects.filter(invoice=original))
    credited = _amounts_by_tax(
        InvoiceLine.objects.filter(invoice__in=_posted_credit_notes(original, exclude=credit_note))
    )
    for key, (net, tax) in _amounts_by_tax(InvoiceLine.objects.filter(invoice=credit_note)).items():
        invoiced_net, invoiced_tax = invoiced.get(key, (None, None))
        if invoiced_net is None:
            raise DomainError(
                "billing.credit_line_not_invoiced",
                _("Credit only the taxes and income accounts of the invoice."),
                field="lines",
            )
        earlier_net, earlier_tax = credited.get(key, (ZERO, ZERO))
        if net + earlier_net > invoiced_net or tax + earlier_tax > invoiced_tax:
            raise DomainError(
                "billing.credit_exceeds_tax",
                _("The credit would exceed what the invoice charged at this tax rate."),
                field="lines",
            )


def credit_note_create(
    *,
    org: Any,
    actor_membership: Any,
    invoice: Invoice,
    lines: list[dict[str, Any]] | None = None,
    reason: str = "",
    issue_date: datetime.date | None = None,
) -> Invoice:
    """A draft credit note for a posted invoice: all of it (`lines=None`) or the given lines."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    require_same_org(invoice, org, field="invoice")
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status in (Invoice.Status.DRAFT, Invoice.Status.CANCELLED):
        raise DomainError("billing.not_creditable", _("Only a posted invoice can be credited."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("billing.reason_required", _("Give the reason for the credit note."), field="notes")
    settings_row = billing_settings_of(org)
    source_lines = invoice.lines.select_related("product", "tax", "income_account")
    data = {name: getattr(invoice, name) for name in HEADER_FIELDS}
    data.update({"issue_date": issue_date or org.today(), "due_date": None, "notes": reason, "terms": ""})
    values = _header_values(org, data, {}, settings_row=settings_row)
    values["exchange_rate"] = invoice.exchange_rate
    credit_note = Invoice(
        organization=org,
        kind=Invoice.Kind.CREDIT_NOTE,
        series=settings_row.credit_note_series,
        original_invoice=invoice,
        created_by=actor_membership.user,
    )
    with transaction.atomic():
        _write_draft(
            org=org,
            actor=actor_membership.user,
            invoice=credit_note,
            values=values,
            lines=lines_as_input(source_lines) if lines is None else lines,
            settings_row=settings_row,
        )
        _check_credit_note(credit_note)
        changes = audit_changes({}, audit_values(credit_note))
        audit_record(
            org=org, actor=actor_membership.user, instance=credit_note, action=AuditEntry.Action.CREATE, changes=changes
        )
    return credit_note


def invoice_cancel(*, org: Any, actor_membership: Any, invoice: Invoice, reason: str) -> Invoice:
    """Cancel a posted invoice by a full credit note, posted at once. Returns the credit note."""
    with transaction.atomic():
        # Locked first: a second "cancel" (a double click) waits here and then finds the credit note.
        locked = Invoice.objects.select_for_update(of=("self",)).filter(organization=org, pk=invoice.pk).first()
        if locked is None:
            raise DomainError("not_found", _("Not found."))
        if _credited_total(locked) > 0 or locked.status == Invoice.Status.CANCELLED:
            raise DomainError(
                "billing.partly_credited", _("This invoice is already credited: credit what is left instead.")
            )
        credit_note = credit_note_create(org=org, actor_membership=actor_membership, invoice=locked, reason=reason)
        return invoice_post(org=org, actor_membership=actor_membership, invoice=credit_note)


def _apply_credit_note(
    *, org: Any, actor: Any, credit_note: Invoice, original: Invoice, audit: AuditBatch | None = None
) -> None:
    """Settle the (locked) credited invoice; what it does not need stays as client credit."""
    from mizan.billing.models import Allocation

    amount = min(original.amount_due, credit_note.total)
    if amount > 0:
        Allocation.objects.create(
            organization=org,
            invoice=original,
            credit_note=credit_note,
            amount=amount,
            date=credit_note.issue_date,
            created_by=actor,
        )
        invoice_settle(invoice=original, amount=amount)
        invoice_settle(invoice=credit_note, amount=amount)
    if _credited_total(original) >= original.total and original.status != Invoice.Status.CANCELLED:
        before = original.status
        original.status = Invoice.Status.CANCELLED
        original.save(update_fields=["status", "updated_at"])
        audit_record(
            org=org,
            actor=actor,
            instance=original,
            action=AuditEntry.Action.UPDATE,
            changes={"status": [before, Invoice.Status.CANCELLED]},
            batch=audit,
        )


def invoice_settle(*, invoice: Invoice, amount: Decimal) -> Invoice:
    """Move `amount` from due to paid (negative to undo) and derive the status. Caller holds the lock.

    Used by allocations of payments and credit notes; the check that `amount` fits is theirs.
    """
    invoice.amount_paid += amount
    invoice.amount_due = invoice.total - invoice.amount_paid
    if invoice.amount_due < 0 or invoice.amount_paid < 0:
        raise DomainError("billing.over_allocated", _("The amount is more than what is due."), field="amount")
    if invoice.status != Invoice.Status.CANCELLED:
        if invoice.amount_due == 0:
            invoice.status = Invoice.Status.PAID
        elif invoice.amount_paid > 0:
            invoice.status = Invoice.Status.PARTIALLY_PAID
        else:
            invoice.status = Invoice.Status.POSTED
    invoice.save(update_fields=["amount_paid", "amount_due", "status", "updated_at"])
    return invoice


# --- documents --------------------------------------------------------------------------------


@mizan_task()
def invoice_documents_render(invoice_id: int) -> None:
    """Render and store the PDF (and for Saudi organizations the UBL XML) of a posted invoice."""
    invoice_documents_store(invoice_id=invoice_id)


def invoice_documents_store(*, invoice_id: int) -> Invoice | None:
    from django.core.files.base import ContentFile

    from mizan.billing.pdf import invoice_pdf

    invoice = (
        Invoice.objects.select_related("organization", "company", "contact", "original_invoice")
        .filter(pk=invoice_id)
        .exclude(status=Invoice.Status.DRAFT)
        .first()
    )
    if invoice is None:
        return None
    name = f"{invoice.display_number}"
    invoice.pdf.save(f"{name}.pdf", ContentFile(invoice_pdf(invoice)), save=False)
    fields = ["pdf"]
    if invoice.organization.country == "SA":
        from mizan.billing.zatca import invoice_ubl_xml

        invoice.ubl_xml.save(f"{name}.xml", ContentFile(invoice_ubl_xml(invoice)), save=False)
        fields.append("ubl_xml")
    Invoice.objects.filter(pk=invoice.pk).update(**{field: getattr(invoice, field).name for field in fields})
    return invoice
