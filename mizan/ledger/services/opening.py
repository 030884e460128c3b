"""Opening balances from a CSV file: one balanced opening entry, its difference shown explicitly."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter, round_money
from mizan.core.roles import Capability
from mizan.ledger.models import Account, AccountRole, JournalEntry
from mizan.ledger.numbers import normalize_number
from mizan.ledger.services.common import require_member_of
from mizan.ledger.services.entries import LineInput, general_journal, journal_entry_create

ZERO = Decimal("0")
MAX_ROWS = 5000


@dataclass
class OpeningBalancePlan:
    """What the import will post: the file's lines, then the difference line (if any)."""

    lines: list[LineInput] = field(default_factory=list)
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    difference_account: Account | None = None

    @property
    def difference(self) -> Decimal:
        """Debit minus credit of the file; the opening-balance account takes the opposite."""
        return self.total_debit - self.total_credit

    @property
    def difference_amount(self) -> Decimal:
        return abs(self.difference)

    def all_lines(self) -> list[LineInput]:
        lines = list(self.lines)
        if self.difference and self.difference_account is not None:
            amount = abs(self.difference)
            side = {"credit": amount} if self.difference > 0 else {"debit": amount}
            lines.append(
                LineInput(account=self.difference_account, description=_("Opening balance difference"), **side)
            )
        return lines


def _row_error(number: int, message: str) -> DomainError:
    return DomainError(
        "ledger.import_row",
        _("Row {row}: {message}").format(row=active_formatter().number(number), message=message),
        field="file",
    )


def _decimal(text: str, number: int, currency: str) -> Decimal:
    text = normalize_number(text or "")
    if not text:
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _row_error(number, _("amounts must be numbers.")) from None
    if not value.is_finite() or value < 0:
        raise _row_error(number, _("amounts cannot be negative."))
    if value != round_money(value, currency):
        raise _row_error(number, _("too many decimal places for {currency}.").format(currency=currency))
    return value


def _partner(org: Any, text: str, number: int) -> Any:
    from mizan.crm.models import Company

    text = (text or "").strip()
    if not text:
        return None
    matches = list(
        Company.objects.filter(organization=org).filter(Q(name_ar=text) | Q(name_latin=text) | Q(vat_number=text))[:2]
    )
    if len(matches) != 1:
        raise _row_error(
            number,
            _("no single client named “{name}” (use the exact name or VAT number).").format(name=text)
            if not matches
            else _("several clients match “{name}”; use the VAT number.").format(name=text),
        )
    return matches[0]


def opening_balances_parse(*, org: Any, text: str) -> OpeningBalancePlan:
    """Read `account code, debit, credit[, partner]` rows (header optional) into a plan."""
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(cell.strip() for cell in row)]
    if rows and rows[0] and rows[0][0].strip().lower() in {"account", "account_code", "code"}:
        rows = rows[1:]
    if not rows:
        raise DomainError("ledger.import_empty", _("The file has no balances."), field="file")
    if len(rows) > MAX_ROWS:
        raise DomainError(
            "ledger.import_too_large",
            _("Import at most {count} rows at a time.").format(count=active_formatter().number(MAX_ROWS)),
            field="file",
        )
    accounts = {account.code: account for account in Account.objects.filter(organization=org)}
    plan = OpeningBalancePlan()
    currency = org.base_currency
    for number, row in enumerate(rows, start=1):
        if len(row) < 3:
            raise _row_error(number, _("expected account code, debit and credit."))
        account = accounts.get(row[0].strip())
        if account is None:
            raise _row_error(number, _("no account with the code “{code}”.").format(code=row[0].strip()))
        debit, credit = _decimal(row[1], number, currency), _decimal(row[2], number, currency)
        if debit and credit:
            raise _row_error(number, _("enter a debit or a credit, not both."))
        if not debit and not credit:
            continue  # a zero balance is simply not opened
        partner = _partner(org, row[3] if len(row) > 3 else "", number)
        plan.lines.append(LineInput(account=account, debit=debit, credit=credit, partner=partner))
        plan.total_debit += debit
        plan.total_credit += credit
    if not plan.lines:
        raise DomainError("ledger.import_empty", _("The file has no balances."), field="file")
    if plan.difference:
        plan.difference_account = Account.objects.filter(
            organization=org, role=AccountRole.OPENING_BALANCE, is_active=True
        ).first()
        if plan.difference_account is None:
            raise DomainError(
                "ledger.no_opening_account",
                _("Give the role “Opening balance equity” to an active account to take the difference."),
                field="file",
            )
    return plan


def opening_balances_import(*, org: Any, actor_membership: Any, text: str, date: datetime.date) -> JournalEntry:
    """Post one opening entry (kind "opening") in the general journal. Refused when the fiscal
    year already has one: reverse it first, so balances are never opened twice."""
    require_capability(actor_membership, Capability.LEDGER_POST)
    require_member_of(actor_membership, org)
    plan = opening_balances_parse(org=org, text=text)
    from mizan.ledger.services.periods import fiscal_year_for_date

    with transaction.atomic():
        year = fiscal_year_for_date(org=org, day=date, actor=actor_membership.user)
        already = (
            JournalEntry.objects.filter(
                organization=org, fiscal_year=year, kind=JournalEntry.Kind.OPENING, state=JournalEntry.State.POSTED
            )
            .exclude(reversed_by__isnull=False)
            .filter(reversal_of__isnull=True)
        )
        if already.exists():
            raise DomainError(
                "ledger.opening_exists",
                _("This fiscal year already has opening balances; reverse that entry before importing again."),
                field="file",
            )
        return journal_entry_create(
            org=org,
            actor_membership=actor_membership,
            journal=general_journal(org),
            date=date,
            lines=plan.all_lines(),
            memo=_("Opening balances"),
            kind=JournalEntry.Kind.OPENING,
            post=True,
        )
