"""The one posting service: create, post and reverse journal entries.

Billing, purchasing, payroll and the manual entry form all go through `journal_entry_create`
(with `post=True`) and `journal_entry_reverse`. Every rule of a valid entry is checked here:
balance exact to the currency's minor unit, accounts of the organization and active, partner and
analytic accounts of the organization, an open period, well-formed lines. The gapless number is
taken from a locked counter row as the last write before commit, so the lock is held briefly (an
entry created already posted takes it right before the entry and its lines are inserted).

Posting a new entry costs a fixed number of statements whatever its number of lines: the lines
are validated in memory and inserted with one INSERT, and the audit entries are written together.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.countries import CURRENCY_MINOR_UNITS
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter, minor_units, round_money
from mizan.core.models import AuditEntry
from mizan.core.roles import Capability
from mizan.core.services.audit import AuditBatch, audit_changes, audit_deleted, audit_record, audit_values
from mizan.core.services.numbering import sequence_next
from mizan.ledger.models import (
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
    Period,
    PostedEntryError,
)
from mizan.ledger.services.common import require_member_of, require_same_org
from mizan.ledger.services.month_balances import month_balances_add
from mizan.ledger.services.open_items import open_items_refresh
from mizan.ledger.services.periods import (
    LOCKED_FOR_POSTING,
    fiscal_year_for_date,
    lock_period_for_posting,
    require_open_period,
)

ZERO = Decimal("0")
ONE = Decimal("1")


@dataclass
class LineInput:
    """One line as a caller gives it. `debit`/`credit` are in the line's `currency` (default: the
    entry's); a foreign-currency line converts them at `exchange_rate` (default: the rate table)."""

    account: Account
    debit: Any = ZERO
    credit: Any = ZERO
    partner: Any = None
    description: str = ""
    currency: str | None = None
    exchange_rate: Any = None
    cost_center: AnalyticAccount | None = None
    project: AnalyticAccount | None = None
    #: For receivable/payable lines: when the amount falls due (aging reads it).
    due_date: datetime.date | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


_LINE_FIELDS = {f.name for f in fields(LineInput)} - {"extra"}


def _line_input(value: LineInput | Mapping[str, Any], number: int) -> LineInput:
    if isinstance(value, LineInput):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - _LINE_FIELDS
        if unknown or "account" not in value:
            raise DomainError(
                "ledger.line_invalid",
                _("Line {number}: the line is not valid.").format(number=active_formatter().number(number)),
                field="lines",
            )
        return LineInput(**value)
    raise DomainError(
        "ledger.line_invalid",
        _("Line {number}: the line is not valid.").format(number=active_formatter().number(number)),
        field="lines",
    )


def _line_error(code: str, message: str, number: int) -> DomainError:
    return DomainError(
        code,
        _("Line {number}: {message}").format(number=active_formatter().number(number), message=message),
        field="lines",
    )


def _amount(value: Any, number: int) -> Decimal:
    if value is None or value == "":
        return ZERO
    if isinstance(value, float | bool):  # money is never a float
        raise _line_error("ledger.amount_invalid", _("enter the amount as a decimal number."), number)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _line_error("ledger.amount_invalid", _("enter the amount as a decimal number."), number) from None
    if not amount.is_finite():
        raise _line_error("ledger.amount_invalid", _("enter the amount as a decimal number."), number)
    return amount


def _rate(value: Any, number: int) -> Decimal:
    rate = _amount(value, number)
    if rate <= 0:
        raise _line_error("ledger.rate_invalid", _("the exchange rate must be greater than zero."), number)
    return rate


def _check_currency(currency: str) -> str:
    if currency not in CURRENCY_MINOR_UNITS:
        raise DomainError("ledger.currency_unknown", _("Choose a known currency."), field="currency")
    return currency


def _check_places(amount: Decimal, currency: str, number: int) -> None:
    if amount != round_money(amount, currency):
        raise _line_error(
            "ledger.amount_precision",
            _("{currency} amounts have at most {places} decimal places.").format(
                currency=currency, places=minor_units(currency)
            ),
            number,
        )


def _prepare_line(
    org: Any, value: LineInput, number: int, *, entry_currency: str, day: datetime.date, allow_inactive: bool
) -> JournalLine:
    """Validate one input line and turn it into an unsaved JournalLine in the base currency."""
    from mizan.crm.models import Company
    from mizan.ledger.services.currencies import exchange_rate_for

    account = value.account
    if not isinstance(account, Account) or account.organization_id != org.pk:
        raise DomainError(
            "not_found",
            _("Line {number}: account not found.").format(number=active_formatter().number(number)),
            field="lines",
        )
    if not account.is_active and not allow_inactive:
        raise _line_error(
            "ledger.account_inactive",
            _("the account {account} is inactive.").format(account=str(account)),
            number,
        )
    partner = value.partner
    if partner is not None and (not isinstance(partner, Company) or partner.organization_id != org.pk):
        raise DomainError(
            "not_found",
            _("Line {number}: partner not found.").format(number=active_formatter().number(number)),
            field="lines",
        )
    for analytic, kinds in (
        (value.cost_center, {AnalyticKind.DEPARTMENT, AnalyticKind.COST_CENTER}),
        (value.project, {AnalyticKind.PROJECT}),
    ):
        if analytic is None:
            continue
        if not isinstance(analytic, AnalyticAccount) or analytic.organization_id != org.pk:
            raise DomainError(
                "not_found",
                _("Line {number}: analytic account not found.").format(number=active_formatter().number(number)),
                field="lines",
            )
        if analytic.kind not in kinds:
            raise _line_error("ledger.analytic_kind", _("the analytic account is of the wrong kind."), number)
    debit, credit = _amount(value.debit, number), _amount(value.credit, number)
    if debit < 0 or credit < 0:
        raise _line_error("ledger.amount_negative", _("amounts cannot be negative."), number)
    if debit and credit:
        raise _line_error("ledger.both_sides", _("enter a debit or a credit, not both."), number)
    if not debit and not credit:
        raise _line_error("ledger.no_amount", _("enter a debit or a credit."), number)
    base = org.base_currency
    currency = _check_currency(value.currency or entry_currency)
    _check_places(debit + credit, currency, number)
    if currency == base:
        rate = ONE if value.exchange_rate in (None, "") else _rate(value.exchange_rate, number)
        if rate != ONE:
            raise _line_error("ledger.rate_invalid", _("a base-currency line has the rate 1."), number)
    elif value.exchange_rate in (None, ""):
        rate = exchange_rate_for(org=org, currency=currency, day=day)
    else:
        rate = _rate(value.exchange_rate, number)
    base_debit, base_credit = round_money(debit * rate, base), round_money(credit * rate, base)
    if not base_debit and not base_credit:
        raise _line_error("ledger.amount_too_small", _("the amount is too small in the base currency."), number)
    description = (value.description or "").strip()[:300]
    return JournalLine(
        organization=org,
        position=number,
        account=account,
        debit=base_debit,
        credit=base_credit,
        partner=partner,
        description=description,
        currency=currency,
        amount_currency=debit - credit,
        exchange_rate=rate,
        cost_center=value.cost_center,
        project=value.project,
        due_date=value.due_date,
    )


def _rounding_line(org: Any, difference: Decimal, position: int) -> JournalLine:
    """An explicit line for the base-currency rounding left by converting a balanced foreign entry."""
    account = Account.objects.filter(organization=org, role=AccountRole.ROUNDING, is_active=True).first()
    if account is None:
        raise DomainError(
            "ledger.no_rounding_account",
            _("Give the role “Rounding differences” to an active account to post foreign-currency entries."),
        )
    debit, credit = (ZERO, difference) if difference > 0 else (-difference, ZERO)
    return JournalLine(
        organization=org,
        position=position,
        account=account,
        debit=debit,
        credit=credit,
        description=_("Rounding difference"),
        currency=org.base_currency,
        amount_currency=debit - credit,
        exchange_rate=ONE,
    )


def prepare_lines(
    *,
    org: Any,
    lines: Iterable[LineInput | Mapping[str, Any]],
    entry_currency: str,
    day: datetime.date,
    partner: Any = None,
    allow_inactive: bool = False,
) -> list[JournalLine]:
    """Validate input lines and return balanced unsaved JournalLines (a rounding line if needed)."""
    inputs = [_line_input(value, number) for number, value in enumerate(lines, start=1)]
    if len(inputs) < 2:
        raise DomainError("ledger.too_few_lines", _("An entry needs at least two lines."), field="lines")
    for line in inputs:
        if line.partner is None and partner is not None:
            line.partner = partner
    prepared = [
        _prepare_line(org, line, number, entry_currency=entry_currency, day=day, allow_inactive=allow_inactive)
        for number, line in enumerate(inputs, start=1)
    ]
    _refuse_group_accounts(prepared)
    debit = sum((line.debit for line in prepared), ZERO)
    credit = sum((line.credit for line in prepared), ZERO)
    if debit == credit:
        return prepared
    currencies = {line.currency for line in prepared}
    base_unit = Decimal(1).scaleb(-minor_units(org.base_currency))
    foreign_balanced = (
        len(currencies) == 1
        and org.base_currency not in currencies
        and sum((line.amount_currency for line in prepared), ZERO) == 0
        and abs(debit - credit) <= base_unit * len(prepared)
    )
    if not foreign_balanced:
        raise DomainError(
            "ledger.unbalanced",
            _("The entry is not balanced: debits {debit} and credits {credit} differ by {difference}.").format(
                debit=debit, credit=credit, difference=abs(debit - credit)
            ),
            field="lines",
        )
    prepared.append(_rounding_line(org, debit - credit, len(prepared) + 1))
    return prepared


def _refuse_group_accounts(prepared: list[JournalLine]) -> None:
    """Entries post to detail accounts; an account with sub-accounts only groups them (one query)."""
    ids = {line.account_id for line in prepared}
    groups = set(Account.objects.filter(parent_id__in=ids).values_list("parent_id", flat=True))
    for line in prepared:
        if line.account_id in groups:
            raise _line_error(
                "ledger.group_account",
                _("{account} groups other accounts; post to one of its sub-accounts.").format(
                    account=str(line.account)
                ),
                line.position,
            )


def _source_reference(org: Any, source: Any) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    if hasattr(source, "organization_id"):
        require_same_org(source, org, field="source")
    return ContentType.objects.get_for_model(source, for_concrete_model=True), source.pk


def _lines_summary(lines: Iterable[JournalLine]) -> str:
    return "; ".join(f"{line.account.code} {'D' if line.debit else 'C'} {line.debit or line.credit}" for line in lines)[
        :2000
    ]


def _check_journal(org: Any, journal: Journal) -> None:
    if not isinstance(journal, Journal) or journal.organization_id != org.pk:
        raise DomainError("not_found", _("Journal not found."), field="journal")
    if not journal.is_active:
        raise DomainError("ledger.journal_inactive", _("This journal is inactive."), field="journal")


def _entry_fiscal_year(*, org: Any, day: datetime.date, actor: Any, fiscal_year: FiscalYear | None) -> FiscalYear:
    """The fiscal year of an entry dated `day`: the caller's (checked), else looked up (or opened)."""
    if fiscal_year is None:
        return fiscal_year_for_date(org=org, day=day, actor=actor)
    if not isinstance(fiscal_year, FiscalYear) or fiscal_year.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."), field="date")
    if not fiscal_year.contains(day):
        raise DomainError("ledger.no_fiscal_year", _("The date is outside the entry's fiscal year."), field="date")
    return fiscal_year


def _new_entry(
    *,
    org: Any,
    actor: Any,
    journal: Journal,
    day: datetime.date,
    fiscal_year: FiscalYear,
    memo: str,
    reference: str,
    currency: str,
    kind: str,
    source: Any,
    reversal_of: JournalEntry | None,
) -> JournalEntry:
    """An unsaved draft entry."""
    source_type, source_id = _source_reference(org, source)
    return JournalEntry(
        organization=org,
        journal=journal,
        fiscal_year=fiscal_year,
        date=day,
        reference=(reference or "").strip()[:100],
        memo=(memo or "").strip()[:300],
        kind=kind,
        currency=currency,
        created_by=actor,
        reversal_of=reversal_of,
        source_type=source_type,
        source_id=source_id,
    )


def _insert_lines(entry: JournalEntry, prepared: list[JournalLine]) -> None:
    for position, line in enumerate(prepared, start=1):
        line.entry = entry
        line.position = position
    JournalLine.objects.bulk_create(prepared)


def _create(
    *,
    org: Any,
    actor: Any,
    journal: Journal,
    day: datetime.date,
    prepared: list[JournalLine],
    memo: str,
    reference: str,
    currency: str,
    kind: str,
    source: Any = None,
    reversal_of: JournalEntry | None = None,
    fiscal_year: FiscalYear | None = None,
    audit_batch: AuditBatch | None = None,
) -> JournalEntry:
    """Write a draft entry and its lines (inside the caller's transaction)."""
    fiscal_year = _entry_fiscal_year(org=org, day=day, actor=actor, fiscal_year=fiscal_year)
    entry = _new_entry(
        org=org,
        actor=actor,
        journal=journal,
        day=day,
        fiscal_year=fiscal_year,
        memo=memo,
        reference=reference,
        currency=currency,
        kind=kind,
        source=source,
        reversal_of=reversal_of,
    )
    entry.save(force_insert=True)
    _insert_lines(entry, prepared)
    changes = audit_changes({}, audit_values(entry))
    changes["lines"] = [None, _lines_summary(prepared)]
    audit_record(
        org=org, actor=actor, instance=entry, action=AuditEntry.Action.CREATE, changes=changes, batch=audit_batch
    )
    return entry


def _check_postable(org: Any, lines: list[JournalLine], *, allow_inactive: bool) -> None:
    """The rules a posted entry's lines keep: two lines at least, accounts of the organization and
    active, debits equal to credits."""
    if len(lines) < 2:
        raise DomainError("ledger.too_few_lines", _("An entry needs at least two lines."), field="lines")
    for line in lines:
        if line.account.organization_id != org.pk:
            raise DomainError("not_found", _("Account not found."), field="lines")
        if not line.account.is_active and not allow_inactive:
            raise _line_error(
                "ledger.account_inactive",
                _("the account {account} is inactive.").format(account=str(line.account)),
                line.position,
            )
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        raise DomainError(
            "ledger.unbalanced",
            _("The entry is not balanced: debits {debit} and credits {credit} differ by {difference}.").format(
                debit=debit, credit=credit, difference=abs(debit - credit)
            ),
            field="lines",
        )


def _posting_period(
    *, org: Any, entry: JournalEntry, period: Period | None, allow_closed_period: bool = False
) -> Period:
    """The entry's period, share-locked until commit (the caller's when it locked it), and open."""
    if not entry.fiscal_year.contains(entry.date):
        raise DomainError("ledger.no_fiscal_year", _("The date is outside the entry's fiscal year."), field="date")
    usable = (
        period is not None
        and getattr(period, LOCKED_FOR_POSTING, False)
        and period.organization_id == org.pk
        and period.start_date <= entry.date <= period.end_date
    )
    if not usable:
        period = lock_period_for_posting(org=org, day=entry.date)
    if not allow_closed_period:
        require_open_period(period)
    return period


def _post(
    *,
    org: Any,
    actor: Any,
    entry: JournalEntry,
    allow_inactive: bool = False,
    allow_closed_period: bool = False,
    audit_batch: AuditBatch | None = None,
) -> JournalEntry:
    """Validate a locked draft and number it. The sequence row is locked by the last writes."""
    if entry.state != JournalEntry.State.DRAFT:
        raise PostedEntryError()
    lines = list(JournalLine.objects.filter(entry=entry).select_related("account").order_by("position", "pk"))
    _check_postable(org, lines, allow_inactive=allow_inactive)
    _posting_period(org=org, entry=entry, period=None, allow_closed_period=allow_closed_period)
    audit_record(
        org=org,
        actor=actor,
        instance=entry,
        action=AuditEntry.Action.UPDATE,
        changes={"state": [JournalEntry.State.DRAFT, JournalEntry.State.POSTED]},
        batch=audit_batch,
    )
    open_items_refresh(entry=entry, lines=lines)
    # Last writes before commit: take the number (locks the series row), then stamp the entry.
    entry.number = sequence_next(org=org, key=f"journal:{entry.journal_id}", period_key=entry.fiscal_year_id)
    entry.state = JournalEntry.State.POSTED
    entry.posted_at = timezone.now()
    entry.posted_by = actor
    entry.save(update_fields=["number", "state", "posted_at", "posted_by", "updated_at"])
    month_balances_add(entry=entry, lines=lines)
    return entry


def _create_posted(
    *,
    org: Any,
    actor: Any,
    entry: JournalEntry,
    prepared: list[JournalLine],
    period: Period | None,
    audit_batch: AuditBatch,
) -> JournalEntry:
    """Post a new entry in one go: the rules `_post` checks, on the prepared lines in memory (no
    re-reading), then, as the last writes, the number (locks the series row) and the entry
    inserted already posted with its lines. The audit trail is the same as a draft created and
    then posted: "created" (as a draft, with its lines) and "draft -> posted"."""
    _check_postable(org, prepared, allow_inactive=False)
    _posting_period(org=org, entry=entry, period=period)
    created_changes = audit_changes({}, audit_values(entry))
    created_changes["lines"] = [None, _lines_summary(prepared)]
    open_items_refresh(entry=entry, lines=prepared)
    entry.number = sequence_next(org=org, key=f"journal:{entry.journal_id}", period_key=entry.fiscal_year_id)
    entry.state = JournalEntry.State.POSTED
    entry.posted_at = timezone.now()
    entry.posted_by = actor
    entry.save(force_insert=True)
    _insert_lines(entry, prepared)
    month_balances_add(entry=entry, lines=prepared)
    number, entry.number = entry.number, None
    draft_text = str(entry)  # what the entry was called when created as a draft
    entry.number = number
    audit_batch.record(
        org=org,
        actor=actor,
        instance=entry,
        action=AuditEntry.Action.CREATE,
        changes=created_changes,
        object_repr=draft_text,
    )
    audit_batch.record(
        org=org,
        actor=actor,
        instance=entry,
        action=AuditEntry.Action.UPDATE,
        changes={"state": [JournalEntry.State.DRAFT, JournalEntry.State.POSTED]},
    )
    return entry


def journal_entry_create(
    *,
    org: Any,
    actor_membership: Any,
    journal: Journal,
    date: datetime.date,
    lines: Iterable[LineInput | Mapping[str, Any]],
    memo: str = "",
    reference: str = "",
    partner: Any = None,
    currency: str | None = None,
    source: Any = None,
    post: bool = False,
    kind: str = JournalEntry.Kind.REGULAR,
    required_capability: str = Capability.LEDGER_POST,
    fiscal_year: FiscalYear | None = None,
    period: Period | None = None,
    audit_batch: AuditBatch | None = None,
    savepoint: bool = True,
) -> JournalEntry:
    """Create an entry (draft, or posted when `post`), all or nothing.

    `partner` fills the lines that name none. `source` is the document the entry comes from.
    Apps posting their own documents pass the capability they checked (e.g. BILLING_EDIT) as
    `required_capability`; the manual form and the API use LEDGER_POST.

    For callers posting many documents (each in its own transaction), optional shortcuts that
    keep every rule: `fiscal_year` (the year containing `date`, checked), `period` (a period
    from `posting_period` / `lock_period_for_posting` in this transaction; checked open; any
    other period is locked again), `audit_batch` (the caller's `AuditBatch`, which the caller
    flushes before commit; by default the entry's audit entries are written at its end), and
    `savepoint=False` inside the caller's transaction when an error here ends that transaction
    anyway (no SAVEPOINT/RELEASE round trips; a caught error would leave it unusable).
    """
    require_capability(actor_membership, required_capability)
    require_member_of(actor_membership, org)
    _check_journal(org, journal)
    if kind not in JournalEntry.Kind.values:
        raise DomainError("ledger.kind_invalid", _("Unknown entry kind."), field="kind")
    entry_currency = _check_currency(currency or org.base_currency)
    actor = actor_membership.user
    batch = audit_batch if audit_batch is not None else AuditBatch()
    with transaction.atomic(savepoint=savepoint):
        prepared = prepare_lines(org=org, lines=lines, entry_currency=entry_currency, day=date, partner=partner)
        year = _entry_fiscal_year(org=org, day=date, actor=actor, fiscal_year=fiscal_year)
        entry = _new_entry(
            org=org,
            actor=actor,
            journal=journal,
            day=date,
            fiscal_year=year,
            memo=memo,
            reference=reference,
            currency=entry_currency,
            kind=kind,
            source=source,
            reversal_of=None,
        )
        if post:
            _create_posted(org=org, actor=actor, entry=entry, prepared=prepared, period=period, audit_batch=batch)
        else:
            entry.save(force_insert=True)
            _insert_lines(entry, prepared)
            changes = audit_changes({}, audit_values(entry))
            changes["lines"] = [None, _lines_summary(prepared)]
            batch.record(org=org, actor=actor, instance=entry, action=AuditEntry.Action.CREATE, changes=changes)
        if audit_batch is None:
            batch.flush()
    return entry


def _lock_entry(org: Any, entry: JournalEntry) -> JournalEntry:
    try:
        return JournalEntry.objects.select_for_update(of=("self",)).get(organization=org, pk=entry.pk)
    except JournalEntry.DoesNotExist:
        raise DomainError("not_found", _("Not found.")) from None


def journal_entry_post(
    *, org: Any, actor_membership: Any, entry: JournalEntry, required_capability: str = Capability.LEDGER_POST
) -> JournalEntry:
    """Post a draft: re-validate it, check the period is open, give it the next number."""
    require_capability(actor_membership, required_capability)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock_entry(org, entry)
        _check_journal(org, locked.journal)
        _post(org=org, actor=actor_membership.user, entry=locked)
    return locked


def journal_entry_update(
    *,
    org: Any,
    actor_membership: Any,
    entry: JournalEntry,
    journal: Journal,
    date: datetime.date,
    lines: Iterable[LineInput | Mapping[str, Any]],
    memo: str = "",
    reference: str = "",
    partner: Any = None,
    currency: str | None = None,
) -> JournalEntry:
    """Replace a draft's header and lines. A posted entry is refused: reverse it instead."""
    require_capability(actor_membership, Capability.LEDGER_POST)
    require_member_of(actor_membership, org)
    _check_journal(org, journal)
    entry_currency = _check_currency(currency or org.base_currency)
    actor = actor_membership.user
    with transaction.atomic():
        locked = _lock_entry(org, entry)
        if locked.state != JournalEntry.State.DRAFT:
            raise PostedEntryError()
        prepared = prepare_lines(org=org, lines=lines, entry_currency=entry_currency, day=date, partner=partner)
        before = audit_values(locked)
        before_lines = _lines_summary(locked.lines.select_related("account"))
        locked.journal = journal
        locked.fiscal_year = fiscal_year_for_date(org=org, day=date, actor=actor)
        locked.date = date
        locked.memo = (memo or "").strip()[:300]
        locked.reference = (reference or "").strip()[:100]
        locked.currency = entry_currency
        locked.save()
        JournalLine.objects.filter(entry=locked).delete()
        for position, line in enumerate(prepared, start=1):
            line.entry = locked
            line.position = position
        JournalLine.objects.bulk_create(prepared)
        changes = audit_changes(before, audit_values(locked))
        after_lines = _lines_summary(prepared)
        if after_lines != before_lines:
            changes["lines"] = [before_lines, after_lines]
        audit_record(org=org, actor=actor, instance=locked, action=AuditEntry.Action.UPDATE, changes=changes)
    return locked


def journal_entry_delete(*, org: Any, actor_membership: Any, entry: JournalEntry) -> None:
    """Delete a draft. A posted entry is refused: reverse it instead."""
    require_capability(actor_membership, Capability.LEDGER_POST)
    require_member_of(actor_membership, org)
    with transaction.atomic():
        locked = _lock_entry(org, entry)
        if locked.state != JournalEntry.State.DRAFT:
            raise PostedEntryError()
        audit_deleted(org=org, actor=actor_membership.user, instance=locked)
        locked.delete()


def journal_entry_reverse(
    *,
    org: Any,
    actor_membership: Any,
    entry: JournalEntry,
    date: datetime.date | None = None,
    memo: str = "",
    required_capability: str = Capability.LEDGER_POST,
) -> JournalEntry:
    """Post the mirror of a posted entry (debits and credits swapped), linked by `reversal_of`.

    Together they net to zero on every account, partner and analytic account. An entry is
    reversed at most once, and a reversal is not itself reversed (post a new entry instead).
    """
    require_capability(actor_membership, required_capability)
    require_member_of(actor_membership, org)
    actor = actor_membership.user
    day = date or org.today()
    with transaction.atomic():
        original = _lock_entry(org, entry)
        if original.state != JournalEntry.State.POSTED:
            raise DomainError("ledger.not_posted", _("Only a posted entry can be reversed."))
        if original.reversal_of_id is not None:
            raise DomainError("ledger.reversal_of_reversal", _("A reversal cannot be reversed; post a new entry."))
        if original.kind == JournalEntry.Kind.CLOSING:
            raise DomainError("ledger.closing_entry", _("A year-end closing entry cannot be reversed."))
        if JournalEntry.objects.filter(reversal_of=original).exists():
            raise DomainError("ledger.already_reversed", _("This entry has already been reversed."))
        mirror = [
            JournalLine(
                organization=org,
                account=line.account,
                debit=line.credit,
                credit=line.debit,
                partner_id=line.partner_id,
                description=line.description,
                currency=line.currency,
                amount_currency=-line.amount_currency,
                exchange_rate=line.exchange_rate,
                cost_center_id=line.cost_center_id,
                project_id=line.project_id,
            )
            for line in JournalLine.objects.filter(entry=original).select_related("account").order_by("position", "pk")
        ]
        default_memo = _("Reversal of {number}").format(number=original.display_number())
        reversal = _create(
            org=org,
            actor=actor,
            journal=original.journal,
            day=day,
            prepared=mirror,
            memo=memo or default_memo,
            reference=original.reference,
            currency=original.currency,
            kind=original.kind,
            reversal_of=original,
        )
        if original.source_type_id is not None:
            JournalEntry.objects.filter(pk=reversal.pk).update(
                source_type_id=original.source_type_id, source_id=original.source_id
            )
            reversal.source_type_id, reversal.source_id = original.source_type_id, original.source_id
        audit_record(
            org=org,
            actor=actor,
            instance=original,
            action=AuditEntry.Action.UPDATE,
            changes={"reversed_by": [None, str(reversal.pk)]},
        )
        _post(org=org, actor=actor, entry=reversal, allow_inactive=True)
    return reversal


def general_journal(org: Any) -> Journal:
    """The journal for opening, closing and adjusting entries: GEN, else the first general journal."""
    from mizan.ledger.charts import GENERAL_JOURNAL_CODE
    from mizan.ledger.models import JournalKind

    journals = Journal.objects.filter(organization=org, is_active=True)
    journal = journals.filter(code=GENERAL_JOURNAL_CODE).first() or journals.filter(kind=JournalKind.GENERAL).first()
    if journal is None:
        raise DomainError("ledger.no_general_journal", _("Create an active general journal first."))
    return journal


def closing_entry_post(*, org: Any, actor_membership: Any, fiscal_year: FiscalYear) -> JournalEntry | None:
    """The year-end entry moving income and expense balances to retained earnings (None when all
    are zero). Posted into the year's last day even if that period is already closed."""
    from mizan.ledger.selectors.balances import account_balances

    retained = Account.objects.filter(organization=org, role=AccountRole.RETAINED_EARNINGS).first()
    if retained is None:
        raise DomainError(
            "ledger.no_retained_earnings", _("Give the role “Retained earnings” to an account before closing the year.")
        )
    balances = account_balances(
        org=org,
        date_from=fiscal_year.start_date,
        date_to=fiscal_year.end_date,
        account_types=[AccountType.INCOME, AccountType.EXPENSE],
    )
    balances = {account_id: balance for account_id, balance in balances.items() if balance}
    if not balances:
        return None
    accounts = Account.objects.in_bulk(list(balances))
    lines = [
        LineInput(account=accounts[account_id], credit=balance)
        if balance > 0
        else LineInput(account=accounts[account_id], debit=-balance)
        for account_id, balance in sorted(balances.items(), key=lambda item: accounts[item[0]].code)
    ]
    net = sum(balances.values(), ZERO)  # debit - credit of income and expense: positive is a loss
    if net:
        lines.append(LineInput(account=retained, debit=net) if net > 0 else LineInput(account=retained, credit=-net))
    actor = actor_membership.user
    prepared = prepare_lines(
        org=org, lines=lines, entry_currency=org.base_currency, day=fiscal_year.end_date, allow_inactive=True
    )
    entry = _create(
        org=org,
        actor=actor,
        journal=general_journal(org),
        day=fiscal_year.end_date,
        prepared=prepared,
        memo=_("Year-end closing {year}").format(year=fiscal_year.name),
        reference="",
        currency=org.base_currency,
        kind=JournalEntry.Kind.CLOSING,
    )
    return _post(org=org, actor=actor, entry=entry, allow_inactive=True, allow_closed_period=True)
