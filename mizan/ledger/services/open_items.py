"""Keeping the open items (OpenItem) of reconciled accounts equal to the posted lines.

A partner's open items on an account follow from two things only: its opening-side amounts per
age date (debits of a receivable, credits of a payable; due date, else entry date) and the sum
of its settling side. `fifo_open_amounts` applies the settlements to the oldest amounts first,
the same rule the aging report applies to the lines, so both give the same buckets.

The posting service calls `open_items_refresh` before it numbers the entry: for each (account,
partner) the entry touches on a reconciled account, it locks the pair (PostgreSQL advisory locks
until commit: the organization's key shared, then the pair's, so two postings for one partner take
turns; SQLite has one writer already), sums the pair's posted lines per age date in one query,
adds the entry's own lines from memory and replaces the pair's rows. Recomputing the pair rather
than patching it keeps it exact whatever the order dates arrive in (a back-dated invoice moves
the settlements). `open_items_refresh_partners` does the same for partners whose lines moved (a
merge of companies). `open_items_rebuild` recomputes whole accounts, holding the organization's
key alone: for the migration, for bulk loads, when an account starts or stops being reconciled,
and as the repair tool of `manage.py ledger_rebuild_summaries`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction

from mizan.ledger.models import DEBIT_NATURE_TYPES, Account, JournalEntry, JournalLine, OpenItem

ZERO = Decimal("0")
MILL = Decimal("0.001")
BATCH_SIZE = 2000

#: The first half of the two-part advisory lock key of an organization's open items.
ORGANIZATION_LOCK = 0x4F49

#: (account id, partner id or None): the unit open items are kept per.
PairKey = tuple[int, int | None]


@dataclass
class PairActivity:
    """A pair's opening-side amounts per age date and the sum of its settling side."""

    opened: dict[datetime.date, Decimal] = field(default_factory=dict)
    settled: Decimal = ZERO

    def add(self, *, age_date: datetime.date, debit: Decimal, credit: Decimal, debit_nature: bool) -> None:
        opening, settling = (debit, credit) if debit_nature else (credit, debit)
        if opening:
            self.opened[age_date] = self.opened.get(age_date, ZERO) + opening
        self.settled += settling


def fifo_open_amounts(
    opened: Mapping[datetime.date, Decimal], settled: Decimal
) -> list[tuple[datetime.date | None, Decimal]]:
    """What stays open per age date once `settled` is applied to the oldest amounts first; a
    settlement beyond everything opened stays as one negative amount without a date."""
    remaining = settled
    open_amounts: list[tuple[datetime.date | None, Decimal]] = []
    for age_date in sorted(opened):
        amount = opened[age_date]
        applied = min(amount, max(remaining, ZERO))
        remaining -= applied
        if amount != applied:
            open_amounts.append((age_date, amount - applied))
    if remaining > 0:
        open_amounts.append((None, -remaining))
    return open_amounts


def open_items_refresh(*, entry: JournalEntry, lines: Iterable[JournalLine]) -> None:
    """Recompute the open items of the pairs `lines` (the entry being posted, not yet stamped
    posted, accounts loaded) touch on reconciled accounts: their posted lines plus these. Plain
    SQL (three statements, four on PostgreSQL), as it runs in every posting: the ORM would cost
    more to build them than to run them."""
    reconciled = [line for line in lines if line.account.reconcile]
    if not reconciled:
        return
    keys = sorted({(line.account_id, line.partner_id) for line in reconciled}, key=_sort_key)
    debit_nature = {line.account_id: line.account.type in DEBIT_NATURE_TYPES for line in reconciled}
    with connection.cursor() as cursor:
        _lock_pairs(cursor, entry.organization_id, keys)
        activity = _posted_activity(cursor, entry.organization_id, *_pairs_condition(keys, "l."), debit_nature)
        for line in reconciled:
            activity.setdefault((line.account_id, line.partner_id), PairActivity()).add(
                age_date=line.due_date or entry.date,
                debit=line.debit,
                credit=line.credit,
                debit_nature=debit_nature[line.account_id],
            )
        _replace_pairs(cursor, entry.organization_id, keys, activity)


def open_items_refresh_partners(*, org: Any, partner_ids: Iterable[int]) -> None:
    """Recompute these partners' open items on every reconciled account from their posted lines:
    after something other than a posting changed which partner lines belong to (a merge)."""
    accounts = list(Account.objects.filter(organization=org, reconcile=True).values_list("pk", "type"))
    if not accounts:
        return
    keys = sorted(
        {(account_id, partner_id) for account_id, _type in accounts for partner_id in partner_ids}, key=_sort_key
    )
    debit_nature = {account_id: kind in DEBIT_NATURE_TYPES for account_id, kind in accounts}
    with connection.cursor() as cursor:
        _lock_pairs(cursor, org.pk, keys)
        activity = _posted_activity(cursor, org.pk, *_pairs_condition(keys, "l."), debit_nature)
        _replace_pairs(cursor, org.pk, keys, activity)


def open_items_rebuild(*, org: Any, accounts: Iterable[Account] | None = None) -> int:
    """Recompute the open items of `accounts` (default: every account of `org`) from their posted
    lines; accounts that are not reconciled end with none. Returns the number of rows written."""
    chosen = Account.objects.filter(organization=org)
    if accounts is not None:
        chosen = chosen.filter(pk__in=[account.pk for account in accounts])
    return rebuild_open_items(organization_id=org.pk, accounts=list(chosen.values("pk", "type", "reconcile")))


def rebuild_open_items(*, organization_id: int, accounts: list[dict[str, Any]], using: Any = None) -> int:
    """`open_items_rebuild` from plain account rows (pk, type, reconcile) on a given connection:
    the migration passes its historical accounts and its schema editor's connection."""
    account_ids = [account["pk"] for account in accounts]
    if not account_ids:
        return 0
    listed = ", ".join(["%s"] * len(account_ids))
    using = using or connection
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        if using.vendor == "postgresql":
            # The organization's postings wait until this commits (they hold the same key shared),
            # then recompute their pairs over the rebuilt rows; other organizations never wait.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ORGANIZATION_LOCK, organization_id])
        cursor.execute(
            f"DELETE FROM {_items()} WHERE organization_id = %s AND account_id IN ({listed})",  # noqa: S608 (names from the models; values are parameters)
            [organization_id, *account_ids],
        )
        rows = open_item_rows(organization_id, open_items_from_lines(cursor, organization_id, accounts))
        _insert(cursor, rows)
        return len(rows)


def open_items_from_lines(
    cursor: Any, organization_id: int, accounts: list[dict[str, Any]]
) -> dict[PairKey, PairActivity]:
    """Each (reconciled account, partner) pair's posted lines summed per age date, from which its
    open items follow (`fifo_open_amounts`): what a rebuild writes and what a check expects."""
    debit_nature = {
        account["pk"]: account["type"] in DEBIT_NATURE_TYPES for account in accounts if account["reconcile"]
    }
    if not debit_nature:
        return {}
    chosen = ", ".join(["%s"] * len(debit_nature))
    return _posted_activity(cursor, organization_id, f"l.account_id IN ({chosen})", list(debit_nature), debit_nature)


def _items() -> str:
    return OpenItem._meta.db_table


def _posted_activity(
    cursor: Any, organization_id: int, condition: str, params: list[Any], debit_nature: dict[int, bool]
) -> dict[PairKey, PairActivity]:
    """The posted lines matching `condition` (on alias `l`) summed per pair and age date: one query."""
    age = "COALESCE(l.due_date, e.date)"
    cursor.execute(
        f"""SELECT l.account_id, l.partner_id, {age}, SUM(l.debit), SUM(l.credit)
              FROM {JournalLine._meta.db_table} l JOIN {JournalEntry._meta.db_table} e ON e.id = l.entry_id
             WHERE l.organization_id = %s AND e.state = %s AND {condition}
             GROUP BY l.account_id, l.partner_id, {age}""",  # noqa: S608 (as above)
        [organization_id, JournalEntry.State.POSTED, *params],
    )
    activity: dict[PairKey, PairActivity] = {}
    for account_id, partner_id, age_date, debit, credit in cursor.fetchall():
        activity.setdefault((account_id, partner_id), PairActivity()).add(
            age_date=age_date if isinstance(age_date, datetime.date) else datetime.date.fromisoformat(age_date),
            debit=_amount(debit),
            credit=_amount(credit),
            debit_nature=debit_nature[account_id],
        )
    return activity


def _amount(value: Any) -> Decimal:
    """A summed amount as an exact 3-place Decimal (SQLite sums decimal columns as floats)."""
    return Decimal(str(value or 0)).quantize(MILL, rounding=ROUND_HALF_UP)


def open_item_rows(organization_id: int, activity: dict[PairKey, PairActivity]) -> list[tuple[Any, ...]]:
    """(organization, account, partner, age date, amount) of the open items `activity` leaves."""
    return [
        (organization_id, account_id, partner_id, day, amount)
        for (account_id, partner_id), pair in sorted(activity.items(), key=lambda item: _sort_key(item[0]))
        for day, amount in fifo_open_amounts(pair.opened, pair.settled)
    ]


def _replace_pairs(
    cursor: Any, organization_id: int, keys: list[PairKey], activity: dict[PairKey, PairActivity]
) -> None:
    pairs, params = _pairs_condition(keys)
    delete = f"DELETE FROM {_items()} WHERE organization_id = %s AND {pairs}"  # noqa: S608 (as above)
    cursor.execute(delete, [organization_id, *params])
    _insert(cursor, open_item_rows(organization_id, activity))


def _insert(cursor: Any, rows: list[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        cursor.execute(
            f"INSERT INTO {_items()} (organization_id, account_id, partner_id, age_date, amount) VALUES "  # noqa: S608 (as above)
            + ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch)),
            [value for row in batch for value in row],
        )


def _sort_key(key: PairKey) -> tuple[int, int]:
    return key[0], key[1] or 0


def _pairs_condition(keys: list[PairKey], alias: str = "") -> tuple[str, list[Any]]:
    """SQL matching the pairs' rows: columns account_id and partner_id (of `alias`, if given)."""
    parts, params = [], []
    for account_id, partner_id in keys:
        if partner_id is None:
            parts.append(f"({alias}account_id = %s AND {alias}partner_id IS NULL)")
            params.append(account_id)
        else:
            parts.append(f"({alias}account_id = %s AND {alias}partner_id = %s)")
            params += [account_id, partner_id]
    return "(" + " OR ".join(parts) + ")", params


def _lock_pairs(cursor: Any, organization_id: int, keys: list[PairKey]) -> None:
    """PostgreSQL transaction-scoped advisory locks, in one statement: the organization's key
    shared (a rebuild takes it alone), then each pair's, in key order (two postings never wait for
    each other in a cycle; a colliding key only makes two postings take turns)."""
    if connection.vendor != "postgresql":
        return
    pair_keys = [
        ((account_id & 0x7FFFFFFF) << 32) | ((partner_id or 0) & 0xFFFFFFFF) for account_id, partner_id in keys
    ]
    locks = ", ".join(["pg_advisory_xact_lock_shared(%s, %s)"] + ["pg_advisory_xact_lock(%s)"] * len(pair_keys))
    cursor.execute(f"SELECT {locks}", [ORGANIZATION_LOCK, organization_id, *pair_keys])
