"""Gapless numbering: per journal and fiscal year, assigned at posting, never a database sequence."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from mizan.core.models import Sequence
from mizan.core.roles import Role
from mizan.core.services.numbering import sequence_next
from mizan.ledger.models import JournalEntry
from mizan.ledger.services.entries import journal_entry_create
from mizan.ledger.services.periods import add_months
from mizan.ledger.tests.conftest import account, journal, post


@pytest.mark.django_db
def test_numbers_are_consecutive_per_journal(tenant):
    numbers = [post(tenant, [("1130", "1", "0"), ("4100", "0", "1")]).number for _ in range(3)]
    other = post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], journal_code="SAL")
    assert numbers == [1, 2, 3]
    assert other.number == 1


@pytest.mark.django_db
def test_drafts_take_no_number_and_failed_posting_leaves_no_gap(tenant):
    post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], post=False)
    with pytest.raises(Exception):  # noqa: B017 - an unbalanced entry, rolled back
        post(tenant, [("1130", "1", "0"), ("4100", "0", "2")])
    assert post(tenant, [("1130", "1", "0"), ("4100", "0", "1")]).number == 1


@pytest.mark.django_db
def test_numbering_restarts_each_fiscal_year(tenant):
    org = tenant.org
    first = post(tenant, [("1130", "1", "0"), ("4100", "0", "1")])
    next_year_day = add_months(first.fiscal_year.start_date, 12)
    second = post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=next_year_day)
    third = post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=next_year_day)
    assert (first.number, second.number, third.number) == (1, 1, 2)
    assert second.fiscal_year != first.fiscal_year
    assert second.display_number().startswith(f"GEN/{second.fiscal_year.name}/")
    assert Sequence.objects.filter(organization=org).count() == 2


@pytest.mark.django_db
def test_sequence_next_counts_per_series_and_period(tenant):
    with transaction.atomic():
        assert [sequence_next(org=tenant.org, key="test", period_key="1") for _ in range(3)] == [1, 2, 3]
        assert sequence_next(org=tenant.org, key="test", period_key="2") == 1


@pytest.mark.django_db
def test_sequence_rolls_back_with_its_transaction(tenant):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        sequence_next(org=tenant.org, key="rollback", period_key="")
        1 / 0  # noqa: B018
    with transaction.atomic():
        assert sequence_next(org=tenant.org, key="rollback", period_key="") == 1


POSTINGS = 50


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL row locks and real concurrency; SQLite serializes every writer "
    "(run with DATABASE_URL=postgres://... to exercise it).",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_get_gapless_distinct_numbers(tenant):
    """50 threads post to one journal at once; every 5th rolls back after taking its number."""
    org = tenant.org
    gen = journal(org)
    receivable, revenue = account(org, "1130"), account(org, "4100")
    member = tenant.members[Role.ACCOUNTANT]
    day = org.today()
    barrier = threading.Barrier(POSTINGS)
    errors: list[BaseException] = []

    class RollBack(Exception):
        pass

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                journal_entry_create(
                    org=org,
                    actor_membership=member,
                    journal=gen,
                    date=day,
                    lines=[
                        {"account": receivable, "debit": Decimal(index + 1)},
                        {"account": revenue, "credit": Decimal(index + 1)},
                    ],
                    post=True,
                )
                if index % 5 == 0:
                    raise RollBack
        except RollBack:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(POSTINGS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = sorted(JournalEntry.objects.filter(organization=org, journal=gen).values_list("number", flat=True))
    kept = POSTINGS - POSTINGS // 5
    assert numbers == list(range(1, kept + 1))
    assert Sequence.objects.get(organization=org, key=f"journal:{gen.pk}").next_value == kept + 1


@pytest.mark.django_db
def test_fiscal_year_helper_dates():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2024, 11, 1), 3) == datetime.date(2025, 2, 1)
