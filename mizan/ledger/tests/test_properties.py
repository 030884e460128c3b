"""Ledger invariants as properties: for any sequence of valid postings and reversals, the trial
balance sums to zero (raw SQL), assets = liabilities + equity + (income - expense), a posted entry
never changes, and a reversal nets its entry to zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mizan.core.roles import Role
from mizan.ledger.models import AccountType, JournalEntry, JournalLine
from mizan.ledger.selectors.balances import account_balances, reround
from mizan.ledger.services.entries import journal_entry_create, journal_entry_reverse
from mizan.ledger.tests.conftest import account, journal

pytestmark = pytest.mark.django_db

#: Detail accounts of every type in the installed chart.
CODES = ["1110", "1120", "1130", "1140", "2110", "2120", "3100", "4100", "4200", "5100", "5300", "5500"]
JOURNALS = ["GEN", "SAL", "BNK"]

amounts = st.integers(min_value=1, max_value=10**9).map(lambda cents: Decimal(cents).scaleb(-2))
sides = st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=3)
posting = st.tuples(st.just("post"), st.sampled_from(JOURNALS), sides, sides)
reversal = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50))
operations = st.lists(st.one_of(posting, posting, reversal), min_size=1, max_size=8)


def _raw_trial_balance_total(org) -> Decimal:
    table_line, table_entry = JournalLine._meta.db_table, JournalEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(l.debit), 0) - COALESCE(SUM(l.credit), 0) FROM {table_line} l "
            f"JOIN {table_entry} e ON e.id = l.entry_id WHERE e.state = %s AND l.organization_id = %s",
            ["posted", org.pk],
        )
        return reround(cursor.fetchone()[0])


def _snapshot(entry: JournalEntry) -> tuple:
    fresh = JournalEntry.objects.get(pk=entry.pk)
    lines = tuple(
        JournalLine.objects.filter(entry=fresh)
        .order_by("position")
        .values_list("account_id", "debit", "credit", "partner_id", "amount_currency", "exchange_rate")
    )
    return (fresh.number, fresh.date, fresh.state, fresh.journal_id, fresh.memo, fresh.posted_at, lines)


def _balanced_lines(org, debits, credits):
    lines = [{"account": account(org, code), "debit": amount} for code, amount in debits]
    lines += [{"account": account(org, code), "credit": amount} for code, amount in credits]
    difference = sum((a for _c, a in debits), Decimal(0)) - sum((a for _c, a in credits), Decimal(0))
    if difference > 0:
        lines.append({"account": account(org, "3100"), "credit": difference})
    elif difference < 0:
        lines.append({"account": account(org, "3100"), "debit": -difference})
    return lines


def _check_invariants(org, snapshots, reversals) -> None:
    assert _raw_trial_balance_total(org) == 0
    balances = account_balances(org=org)
    by_type = {value: Decimal(0) for value in AccountType.values}
    types = dict(org_accounts(org))
    for account_id, balance in balances.items():
        by_type[types[account_id]] += balance
    assets = by_type["asset"]
    liabilities, equity = -by_type["liability"], -by_type["equity"]
    income, expense = -by_type["income"], by_type["expense"]
    assert assets == liabilities + equity + (income - expense)
    for entry, snapshot in snapshots.items():
        assert _snapshot(entry) == snapshot
    for original, mirror in reversals:
        net: dict[int, Decimal] = {}
        for line in JournalLine.objects.filter(entry__in=[original, mirror]):
            net[line.account_id] = net.get(line.account_id, Decimal(0)) + line.debit - line.credit
        assert all(value == 0 for value in net.values())


def org_accounts(org):
    from mizan.ledger.models import Account

    return Account.objects.filter(organization=org).values_list("pk", "type")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=operations)
def test_ledger_invariants_hold_for_any_postings_and_reversals(tenant, ops):
    org = tenant.org
    member = tenant.members[Role.ACCOUNTANT]
    savepoint = transaction.savepoint()
    try:
        posted: list[JournalEntry] = []
        snapshots: dict[JournalEntry, tuple] = {}
        reversals: list[tuple[JournalEntry, JournalEntry]] = []
        for operation in ops:
            if operation[0] == "post":
                _kind, journal_code, debits, credits = operation
                entry = journal_entry_create(
                    org=org,
                    actor_membership=member,
                    journal=journal(org, journal_code),
                    date=org.today(),
                    lines=_balanced_lines(org, debits, credits),
                    post=True,
                )
                posted.append(entry)
            else:
                candidates = [e for e in posted if e.reversal_of_id is None and e not in {o for o, _m in reversals}]
                if not candidates:
                    continue
                original = candidates[operation[1] % len(candidates)]
                mirror = journal_entry_reverse(org=org, actor_membership=member, entry=original)
                reversals.append((original, mirror))
                posted.append(mirror)
            for entry in posted:
                snapshots.setdefault(entry, _snapshot(entry))
            _check_invariants(org, snapshots, reversals)
        numbers: dict[int, list[int]] = {}
        for entry in posted:
            numbers.setdefault(entry.journal_id, []).append(entry.number)
        assert all(sorted(values) == list(range(1, len(values) + 1)) for values in numbers.values())
    finally:
        transaction.savepoint_rollback(savepoint)
