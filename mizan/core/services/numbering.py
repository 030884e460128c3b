"""Gapless numbers from a locked counter row (never a database sequence, which leaves gaps)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from mizan.core.models import Sequence

_CREATE_ATTEMPTS = 5


def sequence_next(*, org: Any, key: str, period_key: str | int = "") -> int:
    """Take the next number of series `key` in `period_key`, locking its row until commit.

    Must run inside the transaction that uses the number: if it rolls back, the increment rolls
    back too and the number is taken by the next caller, so there is never a gap. Call it as
    late as possible (the last write before commit): the row stays locked until the commit and
    every other writer of the series waits for it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number.")
    period_key = str(period_key)
    rows = Sequence.objects.select_for_update().filter(organization_id=org.pk, key=key, period_key=period_key)
    for _attempt in range(_CREATE_ATTEMPTS):
        row = rows.first()
        if row is None:
            try:
                # The savepoint keeps the outer transaction usable when a concurrent first use wins.
                with transaction.atomic():
                    row = Sequence.objects.create(organization_id=org.pk, key=key, period_key=period_key, next_value=1)
            except IntegrityError:
                continue  # another transaction created the row; lock it on the next round
        Sequence.objects.filter(pk=row.pk).update(next_value=F("next_value") + 1)
        return row.next_value
    raise RuntimeError(f"Could not create the numbering row {key}/{period_key}.")
