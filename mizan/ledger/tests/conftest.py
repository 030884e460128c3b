"""Ledger test helpers: accounts by role or code, and a one-call posting."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from mizan.core.roles import Role
from mizan.ledger.models import Account, Journal, JournalEntry
from mizan.ledger.services.entries import journal_entry_create


def account(org: Any, code: str) -> Account:
    return Account.objects.get(organization=org, code=code)


def journal(org: Any, code: str = "GEN") -> Journal:
    return Journal.objects.get(organization=org, code=code)


def post(
    tenant: Any,
    lines: list[tuple[str, str, str]],
    *,
    day: datetime.date | None = None,
    journal_code: str = "GEN",
    post: bool = True,
    **extra: Any,
) -> JournalEntry:
    """Post [(account code, debit, credit), ...] as the accountant."""
    org = tenant.org
    return journal_entry_create(
        org=org,
        actor_membership=tenant.members[Role.ACCOUNTANT],
        journal=journal(org, journal_code),
        date=day or org.today(),
        lines=[{"account": account(org, code), "debit": Decimal(d), "credit": Decimal(c)} for code, d, c in lines],
        post=post,
        **extra,
    )


@pytest.fixture
def accountant(tenant):
    return tenant.members[Role.ACCOUNTANT]
