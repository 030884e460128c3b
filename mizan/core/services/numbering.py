"""Gapless numbers from a locked counter row (never a database sequence, which leaves gaps)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from mizan.core.models import Sequence

_CREATE_ATTEMPTS = 5
#: SQLite learned `UPDATE ... RETURNING` in 3.35.
_SQLITE_RETURNING = (3, 35, 0)


def _update_returning(connection: Any) -> bool:
    """Whether the database can increment the counter and return it in one statement."""
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        return tuple(connection.Database.sqlite_version_info) >= _SQLITE_RETURNING
    return False


def _take_returning(connection: Any, *, org_id: int, key: str, period_key: str) -> int | None:
    """`UPDATE ... SET next_value = next_value + 1 ... RETURNING`: the number taken, None if no row.

    The UPDATE locks the row until commit (PostgreSQL: a row lock; SQLite: the database write
    lock), exactly like SELECT ... FOR UPDATE followed by the UPDATE, in one round trip.
    """
    quote = connection.ops.quote_name
    table = quote(Sequence._meta.db_table)
    next_value = quote("next_value")
    sql = (
        f"UPDATE {table} SET {next_value} = {next_value} + 1 "  # noqa: S608 - identifiers quoted, values bound
        f"WHERE {quote('organization_id')} = %s AND {quote('key')} = %s AND {quote('period_key')} = %s "
        f"RETURNING {next_value}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, key, period_key])
        row = cursor.fetchone()
    return None if row is None else int(row[0]) - 1


def sequence_next(*, org: Any, key: str, period_key: str | int = "") -> int:
    """Take the next number of series `key` in `period_key`, locking its row until commit.

    Must run inside the transaction that uses the number: if it rolls back, the increment rolls
    back too and the number is taken by the next caller, so there is never a gap. Call it as
    late as possible (the last write before commit): the row stays locked until the commit and
    every other writer of the series waits for it.

    PostgreSQL and SQLite >= 3.35 take the number in one statement (UPDATE ... RETURNING);
    other databases lock the row (SELECT ... FOR UPDATE) and then increment it.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number.")
    period_key = str(period_key)
    returning = _update_returning(connection)
    rows = Sequence.objects.select_for_update().filter(organization_id=org.pk, key=key, period_key=period_key)
    for _attempt in range(_CREATE_ATTEMPTS):
        if returning:
            number = _take_returning(connection, org_id=org.pk, key=key, period_key=period_key)
            if number is not None:
                return number
            row = None
        else:
            row = rows.first()
        if row is None:
            try:
                # The savepoint keeps the outer transaction usable when a concurrent first use wins.
                with transaction.atomic():
                    row = Sequence.objects.create(
                        organization_id=org.pk, key=key, period_key=period_key, next_value=2 if returning else 1
                    )
            except IntegrityError:
                continue  # another transaction created the row; lock it on the next round
            if returning:
                return 1  # the row is ours (inserted, so locked) until commit, already at 2
        Sequence.objects.filter(pk=row.pk).update(next_value=F("next_value") + 1)
        return row.next_value
    raise RuntimeError(f"Could not create the numbering row {key}/{period_key}.")
