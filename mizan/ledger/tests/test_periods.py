"""Fiscal years, period locking and reopening, and the year-end closing."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.ledger.models import AccountType, FiscalYear, JournalEntry, Period
from mizan.ledger.selectors.balances import account_balances
from mizan.ledger.services.periods import (
    add_months,
    fiscal_year_close,
    fiscal_year_create,
    period_close,
    period_for_date,
    period_reopen,
)
from mizan.ledger.tests.conftest import account, post

pytestmark = pytest.mark.django_db


def _current_period(tenant) -> Period:
    return period_for_date(org=tenant.org, day=tenant.org.today())


def test_new_organization_has_current_year_with_twelve_open_periods(tenant):
    year = FiscalYear.objects.get(organization=tenant.org)
    assert year.contains(tenant.org.today())
    periods = list(year.periods.order_by("start_date"))
    assert len(periods) == 12 and all(p.is_open for p in periods)
    assert periods[0].start_date == year.start_date and periods[-1].end_date == year.end_date
    assert all(b.start_date == a.end_date + datetime.timedelta(days=1) for a, b in itertools.pairwise(periods))


def test_fiscal_year_follows_the_start_month(db):
    from mizan.core.tests.factories import make_organization

    org = make_organization(country="EG", fiscal_year_start_month=7)
    year = FiscalYear.objects.get(organization=org)
    assert year.start_date.month == 7 and year.start_date.day == 1
    assert year.end_date == add_months(year.start_date, 12) - datetime.timedelta(days=1)
    assert year.name == f"{year.start_date.year}-{year.end_date.year % 100:02d}"


def test_closed_period_blocks_posting_until_reopened(tenant, accountant):
    period = period_close(org=tenant.org, actor_membership=accountant, period=_current_period(tenant))
    assert period.state == Period.State.CLOSED and period.closed_by == tenant.user(Role.ACCOUNTANT)
    with pytest.raises(DomainError) as error:
        post(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    assert error.value.code == "ledger.period_closed"
    assert JournalEntry.objects.count() == 0
    draft = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")], post=False)
    from mizan.ledger.services.entries import journal_entry_post

    with pytest.raises(DomainError):
        journal_entry_post(org=tenant.org, actor_membership=accountant, entry=draft)
    draft.refresh_from_db()
    assert draft.state == JournalEntry.State.DRAFT and draft.number is None
    # Reopening needs its own capability: the accountant may close but not reopen.
    with pytest.raises(PermissionDeniedError):
        period_reopen(org=tenant.org, actor_membership=accountant, period=period)
    reopened = period_reopen(
        org=tenant.org, actor_membership=tenant.members[Role.ADMIN], period=period, reason="Late invoice"
    )
    assert reopened.is_open
    audit = AuditEntry.objects.filter(content_type__model="period", object_id=str(period.pk)).first()
    assert audit.actor == tenant.user(Role.ADMIN)
    assert audit.changes == {"state": ["closed", "open"], "reason": [None, "Late invoice"]}
    assert journal_entry_post(org=tenant.org, actor_membership=accountant, entry=draft).number == 1


def test_closing_needs_the_capability(tenant):
    with pytest.raises(PermissionDeniedError):
        period_close(org=tenant.org, actor_membership=tenant.members[Role.SALES], period=_current_period(tenant))
    assert _current_period(tenant).is_open


def test_fiscal_year_create_next_and_refuses_overlap(tenant, accountant):
    current = FiscalYear.objects.get(organization=tenant.org)
    following = fiscal_year_create(org=tenant.org, actor_membership=accountant)
    assert following.start_date == current.end_date + datetime.timedelta(days=1)
    assert following.periods.count() == 12
    with pytest.raises(DomainError) as error:
        fiscal_year_create(org=tenant.org, actor_membership=accountant, start_date=current.start_date)
    assert error.value.code == "ledger.fiscal_year_overlaps"
    with pytest.raises(DomainError):
        fiscal_year_create(org=tenant.org, actor_membership=accountant, start_date=datetime.date(2030, 1, 15))
    assert FiscalYear.objects.filter(organization=tenant.org).count() == 2


def test_posting_just_after_the_last_year_opens_it_but_far_dates_are_refused(tenant):
    current = FiscalYear.objects.get(organization=tenant.org)
    entry = post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=current.end_date + datetime.timedelta(days=3))
    assert entry.fiscal_year.start_date == current.end_date + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as error:
        post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=current.start_date - datetime.timedelta(days=1))
    assert error.value.code == "ledger.no_fiscal_year"
    with pytest.raises(DomainError):
        post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=add_months(current.end_date, 60))
    assert FiscalYear.objects.filter(organization=tenant.org).count() == 2


def test_year_end_close_moves_income_and_expense_to_retained_earnings(tenant, accountant):
    org = tenant.org
    year = FiscalYear.objects.get(organization=org)
    day = year.start_date + datetime.timedelta(days=5)
    post(tenant, [("1130", "1150", "0"), ("4100", "0", "1000"), ("2120", "0", "150")], day=day)
    post(tenant, [("5300", "300", "0"), ("1120", "0", "300")], day=day)
    post(tenant, [("5200", "200", "0"), ("1120", "0", "200")], day=day)
    # The last month already closed by the accountant: the closing entry still goes in.
    period_close(org=org, actor_membership=accountant, period=period_for_date(org=org, day=year.end_date))
    closed = fiscal_year_close(org=org, actor_membership=accountant, fiscal_year=year)
    assert closed.is_closed and closed.closing_entry is not None
    closing = closed.closing_entry
    assert closing.kind == JournalEntry.Kind.CLOSING and closing.date == year.end_date and closing.is_posted
    balances = account_balances(org=org, date_to=year.end_date)
    income_expense = account_balances(org=org, account_types=[AccountType.INCOME, AccountType.EXPENSE])
    assert all(value == 0 for value in income_expense.values())
    assert balances[account(org, "3200").pk] == Decimal("-500.000")  # a 500 profit, credit side
    assert set(Period.objects.filter(fiscal_year=year).values_list("state", flat=True)) == {"closed"}
    with pytest.raises(DomainError) as error:
        post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=day)
    assert error.value.code == "ledger.period_closed"
    with pytest.raises(DomainError):
        period_reopen(org=org, actor_membership=tenant.members[Role.OWNER], period=period_for_date(org=org, day=day))
    with pytest.raises(DomainError):
        fiscal_year_close(org=org, actor_membership=accountant, fiscal_year=year)
    from mizan.ledger.services.entries import journal_entry_reverse

    with pytest.raises(DomainError) as error:
        journal_entry_reverse(org=org, actor_membership=accountant, entry=closing, date=add_months(year.end_date, 1))
    assert error.value.code == "ledger.closing_entry"


def test_year_end_close_refuses_drafts_and_earlier_open_years(tenant, accountant):
    org = tenant.org
    year = FiscalYear.objects.get(organization=org)
    post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], day=year.start_date, post=False)
    with pytest.raises(DomainError) as error:
        fiscal_year_close(org=org, actor_membership=accountant, fiscal_year=year)
    assert error.value.code == "ledger.drafts_in_year"
    following = fiscal_year_create(org=org, actor_membership=accountant)
    with pytest.raises(DomainError) as error:
        fiscal_year_close(org=org, actor_membership=accountant, fiscal_year=following)
    assert error.value.code == "ledger.earlier_year_open"
    year.refresh_from_db()
    assert not year.is_closed


def test_year_end_close_without_activity_closes_without_entry(tenant, accountant):
    year = FiscalYear.objects.get(organization=tenant.org)
    closed = fiscal_year_close(org=tenant.org, actor_membership=accountant, fiscal_year=year)
    assert closed.is_closed and closed.closing_entry is None
    assert JournalEntry.objects.count() == 0
