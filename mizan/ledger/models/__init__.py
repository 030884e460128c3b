"""Ledger models. Conventions the reports and the posting apps rely on:

- Amounts are base-currency `debit`/`credit` (Decimal, 3 places, never negative, exactly one
  side non-zero per line). `amount_currency` is signed (+debit / -credit) in the line's `currency`,
  with `exchange_rate` (1 unit = rate base units); base-currency lines carry rate 1.
- Only `state="posted"` entries count in reports. The year-end closing entry has
  `kind="closing"` (exclude it from profit and loss); opening balances have `kind="opening"`.
- Accounts are found by `role` (single roles are unique per organization); `type` drives the
  statements (asset/liability/equity/income/expense).
- Analytic dimensions: `JournalLine.cost_center` (kind department or cost_center) and
  `JournalLine.project` (kind project) point to `AnalyticAccount`.
"""

from mizan.ledger.models.accounts import (
    DEBIT_NATURE_TYPES,
    MULTIPLE_ROLES,
    ROLE_TYPES,
    SINGLE_ROLES,
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
)
from mizan.ledger.models.currencies import ExchangeRate
from mizan.ledger.models.entries import (
    AccountMonthBalance,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
    OpenItem,
    PostedEntryError,
)
from mizan.ledger.models.periods import FiscalYear, Period

__all__ = [
    "DEBIT_NATURE_TYPES",
    "MULTIPLE_ROLES",
    "ROLE_TYPES",
    "SINGLE_ROLES",
    "Account",
    "AccountMonthBalance",
    "AccountRole",
    "AccountType",
    "AnalyticAccount",
    "AnalyticKind",
    "ExchangeRate",
    "FiscalYear",
    "Journal",
    "JournalEntry",
    "JournalKind",
    "JournalLine",
    "OpenItem",
    "Period",
    "PostedEntryError",
]
