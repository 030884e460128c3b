"""Reads for the chart of accounts, journals and analytic accounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from mizan.ledger.models import Account, AccountType, AnalyticAccount, Journal, JournalLine
from mizan.ledger.selectors.balances import account_balances


def account_list(*, org: Any, active_only: bool = False) -> QuerySet[Account]:
    accounts = Account.objects.filter(organization=org).select_related("parent").order_by("code")
    if active_only:
        accounts = accounts.filter(is_active=True)
    return accounts


def postable_account_list(*, org: Any) -> QuerySet[Account]:
    """Active accounts that group no sub-accounts: what an entry line can use."""
    children = Account.objects.filter(parent=OuterRef("pk"))
    return Account.objects.filter(organization=org, is_active=True).exclude(Exists(children)).order_by("code")


@dataclass
class ChartGroup:
    type: str
    label: str
    accounts: list[Account]


def account_chart(*, org: Any) -> list[ChartGroup]:
    """Accounts grouped by type, each with `balance` (debit - credit of posted lines) and
    `has_lines`: three queries whatever the size of the chart."""
    balances = account_balances(org=org)
    used = set(JournalLine.objects.filter(organization=org).values_list("account_id", flat=True).distinct())
    groups = {value: ChartGroup(value, label, []) for value, label in AccountType.choices}
    for account in account_list(org=org):
        account.balance = balances.get(account.pk, Decimal("0"))
        account.has_lines = account.pk in used
        account.depth = _depth(account)
        groups[account.type].accounts.append(account)
    return list(groups.values())


def _depth(account: Account) -> int:
    # codes in the templates grow with depth; parents are loaded by select_related one level deep
    return 0 if account.parent_id is None else (1 if account.parent.parent_id is None else 2)


def journal_list(*, org: Any) -> QuerySet[Journal]:
    return (
        Journal.objects.filter(organization=org)
        .select_related("default_account")
        .annotate(entry_count=Count("entries"))
        .order_by("code")
    )


def analytic_account_list(*, org: Any, kind: str | None = None, active_only: bool = False) -> QuerySet[AnalyticAccount]:
    accounts = AnalyticAccount.objects.filter(organization=org).order_by("kind", "code")
    if kind:
        accounts = accounts.filter(kind=kind)
    if active_only:
        accounts = accounts.filter(is_active=True)
    return accounts
