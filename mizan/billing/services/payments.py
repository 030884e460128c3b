"""Payments received, allocations of client credit, refunds (see models/payments.py for the design).

Recording a payment, in one transaction: clean the input, lock the invoices it settles (one query,
by id), check every allocation (same client and currency, at most the invoice's amount due, in
total at most the payment), post the entry (Dr bank/cash, Cr receivable of the client, in the
payment currency at the rate of its date) in the bank or cash journal, settle the invoices, post
the realized FX difference of each allocation of a foreign-currency invoice as its own entry, and,
as the LAST writes, take the gapless number of the direction and fiscal year, then save the
payment and its allocations. Whatever is not allocated stays as the client's credit.

Idempotency: a call with an `idempotency_key` already used in the organization returns that
payment and records nothing (`payment.replayed` is then True); the same key with other input is
refused. Two concurrent calls with one key: the loser hits the unique constraint (or finds the
invoices already settled) and returns the winner's payment.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mizan.billing.models import Allocation, Invoice, Payment, PaymentMethod
from mizan.billing.services.documents import MAX_LINE_AMOUNT, clean_currency
from mizan.billing.services.invoices import invoice_settle, role_account
from mizan.billing.taxes import money_round
from mizan.core.access import require_capability
from mizan.core.countries import CURRENCY_MINOR_UNITS
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter, round_money
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability
from mizan.core.services.audit import AuditBatch, audit_created, audit_record
from mizan.core.services.numbering import sequence_next
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole, Journal, JournalEntry, JournalKind
from mizan.ledger.services.common import require_member_of, require_same_org
from mizan.ledger.services.currencies import exchange_rate_for, fx_realized_gain_loss
from mizan.ledger.services.entries import LineInput, general_journal, journal_entry_create
from mizan.ledger.services.periods import fiscal_year_for_date, posting_period

ZERO = Decimal("0")
MONEY_ROLES = (AccountRole.BANK, AccountRole.CASH)
#: Invoices an allocation may settle.
OPEN_STATUSES = (Invoice.Status.POSTED, Invoice.Status.PARTIALLY_PAID)
IDEMPOTENCY_KEY_MAX = 100
#: The fields a repeated call with the same idempotency key must repeat (when it gives them).
_REPLAY_FIELDS = ("company", "date", "amount", "currency", "account", "method", "reference")


# --- input --------------------------------------------------------------------------------------


def clean_amount(value: Any, currency: str, *, field: str = "amount") -> Decimal:
    """A positive Decimal with at most the currency's decimal places (never a float)."""
    if isinstance(value, float | bool) or value in (None, ""):
        amount = Decimal("NaN")
    else:
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0:
        raise DomainError("billing.amount_invalid", _("Enter an amount greater than zero."), field=field)
    if amount >= MAX_LINE_AMOUNT:
        raise DomainError("billing.amount_too_large", _("The amount is too large."), field=field)
    if amount != money_round(amount, currency):
        raise DomainError(
            "billing.amount_precision",
            _("{currency} amounts have at most {places} decimal places.").format(
                currency=currency, places=CURRENCY_MINOR_UNITS[currency]
            ),
            field=field,
        )
    return money_round(amount, currency)


def _clean_date(org: Any, value: Any, *, field: str = "date") -> datetime.date:
    day = value or org.today()
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise DomainError("billing.date_invalid", _("Enter a valid date."), field=field)
    return day


def _clean_company(org: Any, company: Any) -> Company:
    if company is None:
        raise DomainError("billing.client_required", _("Choose the client."), field="company")
    if not isinstance(company, Company):
        raise DomainError("not_found", _("Not found."), field="company")
    require_same_org(company, org, field="company")
    return company


def clean_money_account(org: Any, account: Any) -> Account:
    """An active bank or cash account of the organization."""
    if account is None:
        raise DomainError("billing.account_required", _("Choose the bank or cash account."), field="account")
    if not isinstance(account, Account):
        raise DomainError("not_found", _("Not found."), field="account")
    require_same_org(account, org, field="account")
    if account.role not in MONEY_ROLES or not account.is_active:
        raise DomainError(
            "billing.account_not_money",
            _("Choose an active bank or cash account: {account} is not one.").format(account=str(account)),
            field="account",
        )
    return account


def _clean_method(method: Any) -> str:
    method = method or PaymentMethod.BANK_TRANSFER
    if method not in PaymentMethod.values:
        raise DomainError("billing.method_invalid", _("Choose a payment method."), field="method")
    return str(method)


def _clean_key(key: Any) -> str:
    key = str(key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise DomainError(
            "billing.idempotency_key_invalid",
            _("The idempotency key has at most {count} characters.").format(count=IDEMPOTENCY_KEY_MAX),
            field="idempotency_key",
        )
    return key


def money_journal(org: Any, account: Account) -> Journal:
    """The bank (BNK) or cash (CSH) journal of the account: the one it is the default account of,
    else the first active journal of that kind."""
    kind = JournalKind.BANK if account.role == AccountRole.BANK else JournalKind.CASH
    journals = Journal.objects.filter(organization=org, kind=kind, is_active=True).order_by("code", "pk")
    journal = journals.filter(default_account=account).first() or journals.first()
    if journal is None:
        raise DomainError(
            "billing.no_money_journal",
            _("Create an active {kind} journal first.").format(kind=JournalKind(kind).label.lower()),
            field="account",
        )
    return journal


def _formatted(amount: Decimal, currency: str) -> str:
    return active_formatter().money(amount, currency)


# --- allocations --------------------------------------------------------------------------------


@dataclass
class _Planned:
    invoice: Invoice
    amount: Decimal


def _invoice_pk(org: Any, value: Any) -> int:
    if isinstance(value, Invoice):
        require_same_org(value, org, field="allocations")
        return int(value.pk)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("not_found", _("Invoice not found."), field="allocations") from None


def _lock_invoices(org: Any, pks: Iterable[int]) -> dict[int, Invoice]:
    """Lock the invoices in a stable order (by id); any id not of this organization is not found."""
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    rows = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(organization=org, pk__in=wanted)
        .order_by("pk")
    )
    found = {invoice.pk: invoice for invoice in rows}
    if len(found) != len(wanted):
        raise DomainError("not_found", _("Invoice not found."), field="allocations")
    return found


def _check_allocation(invoice: Invoice, *, company_id: int, currency: str, amount: Decimal) -> None:
    """An open invoice of the same client and currency with at least `amount` due."""
    number = invoice.display_number
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in OPEN_STATUSES or invoice.amount_due <= 0:
        raise DomainError(
            "billing.invoice_not_open",
            _("{number} is not an open invoice: only a posted invoice with an amount due can be settled.").format(
                number=number
            ),
            field="allocations",
        )
    if invoice.company_id != company_id:
        raise DomainError(
            "billing.allocation_other_client",
            _("{number} is another client's invoice.").format(number=number),
            field="allocations",
        )
    if invoice.currency != currency:
        raise DomainError(
            "billing.allocation_currency",
            _("{number} is in {invoice_currency}, not in {currency}.").format(
                number=number, invoice_currency=invoice.currency, currency=currency
            ),
            field="allocations",
        )
    if amount > invoice.amount_due:
        raise DomainError(
            "billing.allocation_exceeds_due",
            _("{amount} is more than the {due} due on {number}.").format(
                amount=_formatted(amount, currency), due=_formatted(invoice.amount_due, currency), number=number
            ),
            field="allocations",
        )


def _settle(*, org: Any, actor: Any, invoice: Invoice, amount: Decimal, audit: AuditBatch | None = None) -> None:
    before = (str(invoice.amount_paid), invoice.status)
    invoice_settle(invoice=invoice, amount=amount)
    changes = {"amount_paid": [before[0], str(invoice.amount_paid)]}
    if invoice.status != before[1]:
        changes["status"] = [before[1], invoice.status]
    audit_record(org=org, actor=actor, instance=invoice, action=AuditEntry.Action.UPDATE, changes=changes, batch=audit)


class _RoleAccounts:
    """The role accounts one service call needs, each read once per call (never across calls)."""

    def __init__(self, org: Any) -> None:
        self.org = org
        self._accounts: dict[str, Account] = {}

    def __call__(self, role: str) -> Account:
        if role not in self._accounts:
            self._accounts[role] = role_account(self.org, role)
        return self._accounts[role]


def _fx_entry(
    *,
    org: Any,
    actor_membership: Any,
    invoice: Invoice,
    amount: Decimal,
    settlement_rate: Decimal,
    day: datetime.date,
    reference: str,
    accounts: _RoleAccounts | None = None,
    audit: AuditBatch | None = None,
    fiscal_year: Any = None,
    period: Any = None,
) -> JournalEntry | None:
    """The realized exchange difference of settling `amount` of `invoice` at `settlement_rate`:
    the receivable of the client in the base currency against the FX gain or loss account.

    Called after the invoice was settled (`invoice_settle`) and before this allocation is saved.
    The allocation that settles an invoice's last amount takes what is left of the invoice's booked
    base amount instead of re-rounding its share, so the client's receivable ends at exactly 0.
    """
    difference = fx_realized_gain_loss(
        org=org,
        amount_currency=amount,
        currency=invoice.currency,
        original_rate=invoice.exchange_rate,
        settlement_rate=settlement_rate,
    )
    base = org.base_currency
    if invoice.currency != base and invoice.amount_due == 0:
        rate = invoice.exchange_rate
        earlier = Allocation.objects.filter(invoice=invoice).values_list("amount", flat=True)
        booked_left = round_money(invoice.total * rate, base) - sum(
            (round_money(part * rate, base) for part in earlier), Decimal("0")
        )
        difference = round_money(amount * settlement_rate, base) - booked_left
    if not difference:
        return None
    accounts = accounts or _RoleAccounts(org)
    receivable = accounts(AccountRole.RECEIVABLE)
    if difference > 0:  # collected more in the base currency than was booked: a gain
        lines = [
            LineInput(account=receivable, debit=difference, partner=invoice.company, currency=base),
            LineInput(account=accounts(AccountRole.FX_GAIN), credit=difference, currency=base),
        ]
    else:
        lines = [
            LineInput(account=accounts(AccountRole.FX_LOSS), debit=-difference, currency=base),
            LineInput(account=receivable, credit=-difference, partner=invoice.company, currency=base),
        ]
    in_batch = audit is not None
    return journal_entry_create(
        org=org,
        actor_membership=actor_membership,
        journal=general_journal(org),
        date=day,
        lines=lines,
        memo=_("Exchange difference on {number}").format(number=invoice.display_number),
        reference=reference,
        currency=base,
        post=True,
        required_capability=Capability.BILLING_EDIT,
        fiscal_year=fiscal_year,
        period=period,
        audit_batch=audit,
        savepoint=not in_batch,  # inside a caller's batch, an error here ends the caller's transaction
    )


def _link_entries(entries: Iterable[JournalEntry | None], source: Any) -> None:
    """Point entries posted before their document existed at it (the ledger links back to it)."""
    linked = [entry for entry in entries if entry is not None]
    if linked:
        content_type = ContentType.objects.get_for_model(source, for_concrete_model=True)
        JournalEntry.objects.filter(pk__in=[entry.pk for entry in linked]).update(
            source_type=content_type, source_id=source.pk
        )
        for entry in linked:
            entry.source_type, entry.source_id = content_type, source.pk


# --- payments -----------------------------------------------------------------------------------


def _existing_for_key(org: Any, key: str) -> Payment | None:
    if not key:
        return None
    return Payment.objects.filter(organization=org, idempotency_key=key).first()


def _replay(payment: Payment, given: dict[str, Any]) -> Payment:
    """The payment first recorded with this key, if this call repeats it; else refuse."""
    stored = {
        "company": payment.company_id,
        "date": payment.date,
        "amount": payment.amount,
        "currency": payment.currency,
        "account": payment.account_id,
        "method": payment.method,
        "reference": payment.reference,
    }
    for name in _REPLAY_FIELDS:
        if name in given and given[name] != stored[name]:
            raise DomainError(
                "billing.idempotency_key_reused",
                _(
                    "This idempotency key was already used for payment {number} with other details: "
                    "use a new key for a new payment."
                ).format(number=payment.display_number),
                field="idempotency_key",
            )
    payment.replayed = True  # type: ignore[attr-defined]
    return payment


def _replay_fields(data: dict[str, Any], company: Any, account: Any) -> dict[str, Any]:
    """The caller's input in the stored form, for comparing a repeated call (only what it gave)."""
    given: dict[str, Any] = {}
    if company is not None:
        given["company"] = getattr(company, "pk", company)
    if account is not None:
        given["account"] = getattr(account, "pk", account)
    for name in ("date", "currency", "method"):
        if data.get(name):
            given[name] = data[name]
    if "reference" in data:
        given["reference"] = str(data.get("reference") or "").strip()
    with contextlib.suppress(InvalidOperation, ValueError):
        given["amount"] = Decimal(str(data.get("amount")).strip())
    return given


def payment_record(
    *,
    org: Any,
    actor_membership: Any,
    data: dict[str, Any],
    allocations: list[dict[str, Any]] | None = None,
    idempotency_key: str = "",
) -> Payment:
    """Record a payment received from a client and allocate it (see the module docstring).

    `data`: company, date (default today), amount, currency (default the base currency), account
    (bank or cash), method, reference, notes. `allocations`: [{"invoice": Invoice or id, "amount"}].
    """
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    key = _clean_key(idempotency_key)
    given = _replay_fields(data, data.get("company"), data.get("account"))
    existing = _existing_for_key(org, key)
    if existing is not None:
        return _replay(existing, given)
    try:
        return _payment_record(
            org=org, actor_membership=actor_membership, data=data, allocations=allocations or [], key=key
        )
    except (IntegrityError, DomainError):
        # A concurrent call with the same key won: return its payment (its invoices are settled already).
        existing = _existing_for_key(org, key)
        if existing is None:
            raise
        return _replay(existing, given)


def _payment_record(
    *, org: Any, actor_membership: Any, data: dict[str, Any], allocations: list[dict[str, Any]], key: str
) -> Payment:
    actor = actor_membership.user
    company = _clean_company(org, data.get("company"))
    currency = clean_currency(data.get("currency") or org.base_currency)
    amount = clean_amount(data.get("amount"), currency)
    day = _clean_date(org, data.get("date"))
    account = clean_money_account(org, data.get("account"))
    method = _clean_method(data.get("method"))
    reference = str(data.get("reference") or "").strip()[:100]
    notes = str(data.get("notes") or "").strip()
    requested: list[tuple[int, Decimal]] = []
    for row in allocations:
        if not isinstance(row, dict) or "invoice" not in row:
            raise DomainError("billing.allocation_invalid", _("Each allocation names an invoice."), "allocations")
        pk = _invoice_pk(org, row["invoice"])
        if any(pk == seen for seen, _amount in requested):
            raise DomainError("billing.allocation_duplicate", _("Allocate to each invoice once."), field="allocations")
        requested.append((pk, clean_amount(row.get("amount"), currency, field="allocations")))
    allocated = sum((value for _pk, value in requested), ZERO)
    if allocated > amount:
        raise DomainError(
            "billing.allocation_exceeds_payment",
            _("The allocations ({allocated}) are more than the payment ({amount}).").format(
                allocated=_formatted(allocated, currency), amount=_formatted(amount, currency)
            ),
            field="allocations",
        )
    rate = exchange_rate_for(org=org, currency=currency, day=day)
    with transaction.atomic():
        invoices = _lock_invoices(org, [pk for pk, _amount in requested])
        planned = [_Planned(invoice=invoices[pk], amount=value) for pk, value in requested]
        for row in planned:
            _check_allocation(row.invoice, company_id=company.pk, currency=currency, amount=row.amount)
        period = posting_period(org=org, day=day, actor=actor)
        fiscal_year = period.fiscal_year
        accounts = _RoleAccounts(org)
        audit = AuditBatch()
        common = {"currency": currency, "exchange_rate": rate, "partner": company}
        memo = _("Payment received")
        entry = journal_entry_create(
            org=org,
            actor_membership=actor_membership,
            journal=money_journal(org, account),
            date=day,
            lines=[
                LineInput(account=account, debit=amount, description=reference, **common),
                LineInput(account=accounts(AccountRole.RECEIVABLE), credit=amount, description=reference, **common),
            ],
            memo=memo,
            reference=reference,
            currency=currency,
            post=True,
            required_capability=Capability.BILLING_EDIT,
            fiscal_year=fiscal_year,
            period=period,
            audit_batch=audit,
            savepoint=False,  # any error here rolls back the whole payment
        )
        rows: list[Allocation] = []
        for row in planned:
            _settle(org=org, actor=actor, invoice=row.invoice, amount=row.amount, audit=audit)
            fx_entry = _fx_entry(
                org=org,
                actor_membership=actor_membership,
                invoice=row.invoice,
                amount=row.amount,
                settlement_rate=rate,
                day=day,
                reference=reference,
                accounts=accounts,
                audit=audit,
                fiscal_year=fiscal_year,
                period=period,
            )
            rows.append(
                Allocation(organization=org, invoice=row.invoice, amount=row.amount, date=day, fx_entry=fx_entry)
            )
        payment = Payment(
            organization=org,
            direction=Payment.Direction.RECEIVED,
            fiscal_year=fiscal_year,
            company=company,
            date=day,
            amount=amount,
            currency=currency,
            exchange_rate=rate,
            account=account,
            method=method,
            reference=reference,
            notes=notes,
            amount_used=allocated,
            journal_entry=entry,
            idempotency_key=key,
            created_by=actor,
        )
        # Last writes before commit: the number (locks the series row), the payment, its allocations,
        # the entries linked to it and the audit entries of the whole payment (one INSERT).
        payment.assign_document_number(
            sequence_next(org=org, key=f"billing:payment:{payment.direction}", period_key=fiscal_year.pk),
            fiscal_year.name,
        )
        payment.save()
        audit_created(org=org, actor=actor, instance=payment, batch=audit)
        for allocation in rows:
            allocation.payment, allocation.created_by = payment, actor
            allocation.save()
            audit_created(org=org, actor=actor, instance=allocation, batch=audit)
        _link_entries([entry, *(allocation.fx_entry for allocation in rows)], payment)
        audit.flush()
    payment.replayed = False  # type: ignore[attr-defined]
    return payment


# --- client credit: allocations and refunds --------------------------------------------------------


def _lock_source(org: Any, source: Any) -> Payment | Invoice:
    """The locked payment received or posted credit note whose credit is used."""
    if isinstance(source, Payment):
        require_same_org(source, org, field="source")
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("company")
            .filter(organization=org, pk=source.pk)
            .first()
        )
        if locked is None:
            raise DomainError("not_found", _("Not found."), field="source")
        if locked.direction != Payment.Direction.RECEIVED:
            raise DomainError("billing.source_not_credit", _("A refund holds no client credit."), field="source")
        return locked
    if isinstance(source, Invoice):
        require_same_org(source, org, field="source")
        locked_note = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("company")
            .filter(organization=org, pk=source.pk)
            .first()
        )
        if locked_note is None:
            raise DomainError("not_found", _("Not found."), field="source")
        if locked_note.kind != Invoice.Kind.CREDIT_NOTE or locked_note.status == Invoice.Status.DRAFT:
            raise DomainError(
                "billing.source_not_credit",
                _("Only a payment received or a posted credit note holds client credit."),
                field="source",
            )
        return locked_note
    raise DomainError("not_found", _("Not found."), field="source")


def available_credit(source: Payment | Invoice) -> Decimal:
    """What is left of a payment received or a credit note to allocate or refund."""
    if isinstance(source, Payment):
        return source.unallocated
    return source.amount_due


def _source_date(source: Payment | Invoice) -> datetime.date:
    return source.date if isinstance(source, Payment) else source.issue_date


def _check_credit(source: Payment | Invoice, amount: Decimal, day: datetime.date) -> None:
    left = available_credit(source)
    if amount > left:
        raise DomainError(
            "billing.credit_exceeded",
            _("{amount} is more than the {left} of client credit left on {number}.").format(
                amount=_formatted(amount, source.currency),
                left=_formatted(left, source.currency),
                number=source.display_number,
            ),
            field="amount",
        )
    if day < _source_date(source):
        raise DomainError(
            "billing.date_before_source",
            _("The date cannot be before the date of {number}.").format(number=source.display_number),
            field="date",
        )


def _use_credit(*, org: Any, actor: Any, source: Payment | Invoice, amount: Decimal) -> None:
    if isinstance(source, Payment):
        before = str(source.amount_used)
        source.amount_used += amount
        source.save(update_fields=["amount_used", "updated_at"])
        audit_record(
            org=org,
            actor=actor,
            instance=source,
            action=AuditEntry.Action.UPDATE,
            changes={"amount_used": [before, str(source.amount_used)]},
        )
    else:
        _settle(org=org, actor=actor, invoice=source, amount=amount)


def allocation_create(
    *,
    org: Any,
    actor_membership: Any,
    source: Payment | Invoice,
    invoice: Invoice | int,
    amount: Any,
    date: datetime.date | None = None,
) -> Allocation:
    """Apply a client's credit (a payment's unallocated amount or a credit note's amount due) to an
    open invoice of the same client and currency. No cash moves, so no entry, except the realized
    FX difference for a foreign currency when the rates differ."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    actor = actor_membership.user
    day = _clean_date(org, date)
    invoice_pk = _invoice_pk(org, invoice)
    with transaction.atomic():
        locked_source = _lock_source(org, source)
        amount = clean_amount(amount, locked_source.currency)
        target = _lock_invoices(org, [invoice_pk])[invoice_pk]
        _check_allocation(target, company_id=locked_source.company_id, currency=locked_source.currency, amount=amount)
        _check_credit(locked_source, amount, day)
        _use_credit(org=org, actor=actor, source=locked_source, amount=amount)
        _settle(org=org, actor=actor, invoice=target, amount=amount)
        fx_entry = _fx_entry(
            org=org,
            actor_membership=actor_membership,
            invoice=target,
            amount=amount,
            settlement_rate=locked_source.exchange_rate,
            day=day,
            reference=locked_source.display_number,
        )
        allocation = Allocation.objects.create(
            organization=org,
            invoice=target,
            payment=locked_source if isinstance(locked_source, Payment) else None,
            credit_note=locked_source if isinstance(locked_source, Invoice) else None,
            amount=amount,
            date=day,
            fx_entry=fx_entry,
            created_by=actor,
        )
        audit_created(org=org, actor=actor, instance=allocation)
        _link_entries([fx_entry], locked_source)
    return allocation


def refund_create(
    *,
    org: Any,
    actor_membership: Any,
    source: Payment | Invoice,
    amount: Any,
    date: datetime.date | None = None,
    account: Account | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    notes: str = "",
) -> Payment:
    """Pay client credit back: a refund (its own number series) posting Dr receivable of the client
    (at the rate the credit was booked at) / Cr bank or cash (at the rate of the refund date); a
    foreign-currency difference between the two goes to the FX gain or loss account."""
    require_capability(actor_membership, Capability.BILLING_EDIT)
    require_member_of(actor_membership, org)
    actor = actor_membership.user
    day = _clean_date(org, date)
    account = clean_money_account(org, account)
    method = _clean_method(method)
    reference = str(reference or "").strip()[:100]
    with transaction.atomic():
        locked_source = _lock_source(org, source)
        currency = locked_source.currency
        amount = clean_amount(amount, currency)
        _check_credit(locked_source, amount, day)
        rate = exchange_rate_for(org=org, currency=currency, day=day)
        source_rate = locked_source.exchange_rate
        company = locked_source.company
        lines = [
            LineInput(
                account=role_account(org, AccountRole.RECEIVABLE),
                debit=amount,
                partner=company,
                currency=currency,
                exchange_rate=source_rate,
                description=reference,
            ),
            LineInput(account=account, credit=amount, currency=currency, exchange_rate=rate, description=reference),
        ]
        # The credit is a liability being paid: signed negative, like its journal line.
        difference = fx_realized_gain_loss(
            org=org, amount_currency=-amount, currency=currency, original_rate=source_rate, settlement_rate=rate
        )
        base = org.base_currency
        if difference > 0:
            lines.append(LineInput(account=role_account(org, AccountRole.FX_GAIN), credit=difference, currency=base))
        elif difference < 0:
            lines.append(LineInput(account=role_account(org, AccountRole.FX_LOSS), debit=-difference, currency=base))
        entry = journal_entry_create(
            org=org,
            actor_membership=actor_membership,
            journal=money_journal(org, account),
            date=day,
            lines=lines,
            memo=_("Refund of {number}").format(number=locked_source.display_number),
            reference=reference,
            currency=currency,
            post=True,
            required_capability=Capability.BILLING_EDIT,
        )
        _use_credit(org=org, actor=actor, source=locked_source, amount=amount)
        fiscal_year = fiscal_year_for_date(org=org, day=day, actor=actor)
        refund = Payment(
            organization=org,
            direction=Payment.Direction.REFUND,
            fiscal_year=fiscal_year,
            company=company,
            date=day,
            amount=amount,
            currency=currency,
            exchange_rate=rate,
            account=account,
            method=method,
            reference=reference,
            notes=str(notes or "").strip(),
            refund_of_payment=locked_source if isinstance(locked_source, Payment) else None,
            refund_of_credit_note=locked_source if isinstance(locked_source, Invoice) else None,
            journal_entry=entry,
            created_by=actor,
        )
        # Last writes before commit: the number (locks the series row), then the refund.
        refund.assign_document_number(
            sequence_next(org=org, key=f"billing:payment:{refund.direction}", period_key=fiscal_year.pk),
            fiscal_year.name,
        )
        refund.save()
        audit_created(org=org, actor=actor, instance=refund)
        _link_entries([entry], refund)
    return refund
