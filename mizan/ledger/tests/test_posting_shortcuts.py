"""The shortcuts a bulk caller may hand the posting service keep every rule (issue 6).

`journal_entry_create(fiscal_year=, period=, audit_batch=, savepoint=)`, `posting_period`, the
one-statement `sequence_next` (UPDATE ... RETURNING) and its fallback, `AuditBatch`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mizan.core.errors import DomainError
from mizan.core.models import AuditEntry, Sequence
from mizan.core.roles import Role
from mizan.core.services import numbering
from mizan.core.services.audit import AuditBatch, audit_record
from mizan.core.services.numbering import sequence_next
from mizan.ledger.models import FiscalYear, JournalEntry, Period
from mizan.ledger.services.entries import journal_entry_create
from mizan.ledger.services.periods import (
    add_months,
    lock_period_for_posting,
    period_close,
    period_for_date,
    posting_period,
)
from mizan.ledger.tests.conftest import account, journal, post

pytestmark = pytest.mark.django_db

LINES = [("1130", "10", "0"), ("4100", "0", "10")]


def _entries(org) -> int:
    return JournalEntry.objects.filter(organization=org).count()


def test_posting_period_reads_the_period_and_its_year_in_one_statement(tenant):
    org = tenant.org
    day = org.today()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        period = posting_period(org=org, day=day)
        year = period.fiscal_year
    assert len([q for q in captured.captured_queries if "ledger_period" in q["sql"]]) == 1
    assert len(captured) == 1
    assert period.start_date <= day <= period.end_date and period.is_open
    assert year == FiscalYear.objects.get(organization=org, start_date__lte=day, end_date__gte=day)
    assert year.start_date == FiscalYear.objects.get(pk=year.pk).start_date
    if connection.vendor == "postgresql":
        assert "FOR SHARE" in captured.captured_queries[0]["sql"]


def test_posting_period_opens_a_missing_next_year_like_fiscal_year_for_date(tenant):
    org = tenant.org
    current = FiscalYear.objects.get(organization=org)
    day = add_months(current.start_date, 13)
    with transaction.atomic():
        period = posting_period(org=org, day=day, actor=tenant.owner)
    assert period.fiscal_year.start_date == add_months(current.start_date, 12)
    assert FiscalYear.objects.filter(organization=org).count() == 2


def test_posting_period_refuses_a_date_with_no_fiscal_year(tenant):
    org = tenant.org
    with pytest.raises(DomainError) as error, transaction.atomic():
        posting_period(org=org, day=datetime.date(1990, 1, 1))
    assert error.value.code == "ledger.no_fiscal_year"


def test_a_period_not_locked_for_posting_is_locked_again_and_a_closed_one_refused(tenant):
    org = tenant.org
    day = org.today()
    period_close(org=org, actor_membership=tenant.members[Role.OWNER], period=period_for_date(org=org, day=day))
    stale = Period.objects.get(organization=org, start_date__lte=day, end_date__gte=day)
    stale.state = Period.State.OPEN  # a stale copy that still says "open"
    before = _entries(org)
    with pytest.raises(DomainError) as error:
        post(tenant, LINES, period=stale)
    assert error.value.code == "ledger.period_closed"
    with pytest.raises(DomainError) as error, transaction.atomic():
        post(tenant, LINES, period=lock_period_for_posting(org=org, day=day))
    assert error.value.code == "ledger.period_closed"
    assert _entries(org) == before


def test_a_given_fiscal_year_must_contain_the_date(tenant, other_tenant):
    org = tenant.org
    year = FiscalYear.objects.get(organization=org)
    before = _entries(org)
    with pytest.raises(DomainError) as error:
        post(tenant, LINES, day=add_months(year.start_date, 12), fiscal_year=year)
    assert error.value.code == "ledger.no_fiscal_year"
    with pytest.raises(DomainError) as error:
        post(tenant, LINES, fiscal_year=FiscalYear.objects.get(organization=other_tenant.org))
    assert error.value.code == "not_found"
    assert _entries(org) == before


def test_shortcuts_post_the_same_entry(tenant):
    org = tenant.org
    with transaction.atomic():
        period = posting_period(org=org, day=org.today())
        batch = AuditBatch()
        entry = post(tenant, LINES, fiscal_year=period.fiscal_year, period=period, audit_batch=batch, savepoint=False)
        written = AuditEntry.objects.filter(object_id=str(entry.pk), content_type__model="journalentry")
        assert len(batch) == 2 and not written.exists()
        batch.flush()
    entry.refresh_from_db()
    assert entry.state == JournalEntry.State.POSTED and entry.number == 1
    assert entry.fiscal_year_id == period.fiscal_year_id
    assert list(
        AuditEntry.objects.filter(object_id=str(entry.pk), content_type__model="journalentry")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE]


def test_a_posted_entry_costs_the_same_statements_for_2_and_40_lines(tenant):
    org = tenant.org
    post(tenant, LINES)  # the journal's counter row exists from here on
    receivable, revenue = account(org, "1130"), account(org, "4100")

    def lines(count: int) -> list[dict]:
        debits = [{"account": receivable, "debit": Decimal("1")} for _n in range(count)]
        return debits + [{"account": revenue, "credit": Decimal("1")} for _n in range(count)]

    def create(count: int) -> None:
        journal_entry_create(
            org=org,
            actor_membership=tenant.members[Role.ACCOUNTANT],
            journal=journal(org),
            date=org.today(),
            lines=lines(count),
            post=True,
        )

    with CaptureQueriesContext(connection) as two:
        create(1)
    with CaptureQueriesContext(connection) as forty:
        create(20)
    assert len(two) == len(forty)


def test_audit_batch_writes_in_order_with_one_insert(tenant):
    org = tenant.org
    batch = AuditBatch()
    with transaction.atomic():
        first = audit_record(org=org, actor=None, instance=org, action="update", changes={"a": [1, 2]}, batch=batch)
        second = batch.record(org=org, actor=None, instance=org, action="update", changes={"b": [1, 2]})
        assert first.pk is None and second.pk is None
        with CaptureQueriesContext(connection) as captured:
            written = batch.flush()
        assert len(captured) == 1
        assert batch.flush() == []
    assert [entry.pk for entry in written] == sorted(entry.pk for entry in written)
    assert list(AuditEntry.objects.filter(pk__in=[e.pk for e in written]).order_by("id").values_list("changes")) == [
        ({"a": [1, 2]},),
        ({"b": [1, 2]},),
    ]


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "select-for-update"])
def test_sequence_next_both_ways(tenant, monkeypatch, returning):
    monkeypatch.setattr(numbering, "_update_returning", lambda connection: returning)
    org = tenant.org
    with transaction.atomic():
        assert [sequence_next(org=org, key="both", period_key=7) for _n in range(3)] == [1, 2, 3]
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        sequence_next(org=org, key="both", period_key=7)
        1 / 0  # noqa: B018
    with transaction.atomic():
        assert sequence_next(org=org, key="both", period_key=7) == 4
    assert Sequence.objects.get(organization=org, key="both", period_key="7").next_value == 5


def test_sequence_next_takes_a_number_in_one_statement_where_supported(tenant):
    org = tenant.org
    with transaction.atomic():
        sequence_next(org=org, key="one", period_key="")
        with CaptureQueriesContext(connection) as captured:
            assert sequence_next(org=org, key="one", period_key="") == 2
    if numbering._update_returning(connection):
        assert len(captured) == 1 and "RETURNING" in captured.captured_queries[0]["sql"]
    else:
        assert len(captured) == 2
