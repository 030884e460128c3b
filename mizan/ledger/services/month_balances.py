"""Keeping the account month balances (AccountMonthBalance) equal to the posted lines.

The posting service calls `month_balances_add` in the posting's transaction, after the entry
is stamped posted: one INSERT ... ON CONFLICT DO UPDATE adding the entry's sums per account and
currency to its month (PostgreSQL and SQLite alike; concurrent postings add, never overwrite).
Posted lines never change and are never deleted (a correction is a reversing entry, itself
posted through the same service), so nothing else has to subtract. `month_balances_rebuild`
recomputes an organization's rows from its lines: for the migration, for bulk loads (the
benchmark's dataset M) and as the repair tool of `manage.py ledger_rebuild_summaries`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from mizan.ledger.models import AccountMonthBalance, JournalEntry, JournalLine

ZERO = Decimal("0")
_KEY = ("organization_id", "account_id", "month", "currency", "is_closing")
_SUMS = ("debit", "credit", "amount_currency")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_balances_add(*, entry: JournalEntry, lines: Iterable[JournalLine]) -> None:
    """Add a just-posted entry's lines to its month's balances: one statement."""
    sums: dict[tuple[int, str], list[Decimal]] = {}
    for line in lines:
        totals = sums.setdefault((line.account_id, line.currency), [ZERO, ZERO, ZERO])
        totals[0] += line.debit
        totals[1] += line.credit
        totals[2] += line.amount_currency
    if not sums:
        return
    month = month_start(entry.date)
    is_closing = entry.kind == JournalEntry.Kind.CLOSING
    params: list[Any] = []
    for (account_id, currency), (debit, credit, amount_currency) in sorted(sums.items()):
        params += [entry.organization_id, account_id, month, currency, is_closing, debit, credit, amount_currency]
    table = AccountMonthBalance._meta.db_table
    columns = (*_KEY, *_SUMS)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in _SUMS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(sums))} "  # noqa: S608 (names from the model)
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def month_balances_rebuild(*, org: Any) -> int:
    """Recompute `org`'s month balances from its posted lines; the number of rows written."""
    table = AccountMonthBalance._meta.db_table
    month = (
        "date_trunc('month', e.date)::date" if connection.vendor == "postgresql" else "date(e.date, 'start of month')"
    )
    columns = ", ".join((*_KEY, *_SUMS))
    sql = f"""
        INSERT INTO {table} ({columns})
        SELECT organization_id, account_id, month, currency, is_closing,
               SUM(debit), SUM(credit), SUM(amount_currency)
          FROM (SELECT l.organization_id, l.account_id, {month} AS month, l.currency,
                       (e.kind = %s) AS is_closing, l.debit, l.credit, l.amount_currency
                  FROM {JournalLine._meta.db_table} l
                  JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id
                 WHERE l.organization_id = %s AND e.state = %s) AS posted
         GROUP BY organization_id, account_id, month, currency, is_closing
    """  # noqa: S608 (table names from the models; values are parameters)
    closing = JournalEntry.Kind.CLOSING
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Postings wait (they add on top of the rebuilt rows) instead of inserting a row the
            # rebuild then collides with. SQLite has one writer at a time already.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        AccountMonthBalance.objects.filter(organization=org).delete()
        with connection.cursor() as cursor:
            cursor.execute(sql, [closing, org.pk, JournalEntry.State.POSTED])
            return cursor.rowcount
