"""The open items of reconciled accounts: kept by the posting service equal to a rebuild from the
lines whatever order the dates come in, and the aging read from them gives the figures the lines
give (FIFO per partner)."""

from __future__ import annotations

import datetime
import importlib
import threading
from decimal import Decimal as D
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mizan.core.roles import Role
from mizan.ledger.models import AccountMonthBalance, Journal, JournalKind, OpenItem
from mizan.ledger.selectors.reports import AGING_BUCKETS, aging
from mizan.ledger.services.accounts import account_update
from mizan.ledger.services.entries import LineInput, journal_entry_create
from mizan.ledger.services.month_balances import month_balances_rebuild
from mizan.ledger.services.open_items import fifo_open_amounts, open_items_rebuild
from mizan.ledger.tests.report_scenario import books_for, build_scenario, company, day

pytestmark = pytest.mark.django_db


def _items(org) -> dict:
    """The open items as {(account, partner, age date): amount}."""
    return {
        (row.account_id, row.partner_id, row.age_date): row.amount
        for row in OpenItem.objects.filter(organization=org).order_by("pk")
    }


def _figures(report) -> tuple:
    return (
        report.count,
        report.totals,
        [(row.partner_id, row.buckets) for row in report.rows],
    )


def _aging_both_ways(org, kind: str, as_of: datetime.date) -> tuple[tuple, tuple]:
    """The aging as the selector answers it, and from the lines alone."""
    chosen = aging(org=org, kind=kind, as_of=as_of, page_size=None)
    with mock.patch("mizan.ledger.selectors.reports._open_items_cover", return_value=False):
        from_lines = aging(org=org, kind=kind, as_of=as_of, page_size=None)
    return _figures(chosen), _figures(from_lines)


# --- The rule ------------------------------------------------------------------------------


def test_fifo_settles_the_oldest_amounts_first():
    opened = {day(3, 1): D("100"), day(1, 1): D("50"), day(2, 1): D("70")}
    assert fifo_open_amounts(opened, D("0")) == [(day(1, 1), D("50")), (day(2, 1), D("70")), (day(3, 1), D("100"))]
    assert fifo_open_amounts(opened, D("80")) == [(day(2, 1), D("40")), (day(3, 1), D("100"))]
    assert fifo_open_amounts(opened, D("120")) == [(day(3, 1), D("100"))]  # exactly two settled
    assert fifo_open_amounts(opened, D("220")) == []
    assert fifo_open_amounts(opened, D("230.5")) == [(None, D("-10.5"))]  # paid more than owed
    assert fifo_open_amounts({}, D("5")) == [(None, D("-5"))]
    assert fifo_open_amounts({}, D("0")) == []


# --- Kept by the posting service -------------------------------------------------------------


def test_posting_keeps_the_open_items_of_reconciled_accounts_only(tenant):
    scenario = build_scenario(tenant)
    books, org = scenario.books, scenario.books.org
    assert books.receivable.reconcile and books.payable.reconcile and not books.bank.reconcile
    items = _items(org)
    receivable, payable = books.receivable.pk, books.payable.pk
    assert items == {
        # A: 1,150 (01-10) and 575 (02-05), 500 received: the oldest keeps 650.
        (receivable, scenario.client_a.pk, day(1, 10)): D("650.000"),
        (receivable, scenario.client_a.pk, day(2, 5)): D("575.000"),
        # B: 2,300 due 02-14, 1,500 received.
        (receivable, scenario.client_b.pk, day(2, 14)): D("800.000"),
        # C paid 100 with nothing owed: a credit balance without a date.
        (receivable, scenario.client_c.pk, None): D("-100.000"),
        # V: billed 460, paid 200 (a payable opens on the credit side).
        (payable, scenario.vendor.pk, day(1, 25)): D("260.000"),
    }
    assert open_items_rebuild(org=org) == len(items)
    assert _items(org) == items


def test_a_back_dated_invoice_takes_the_earlier_settlement(tenant):
    """FIFO by age date whatever the posting order: the pair is recomputed, not patched."""
    books = books_for(tenant)
    client = company(books.org, "Late Client")
    receivable = books.receivable

    def invoice(when, amount, due=None):
        books.post(
            when,
            [LineInput(receivable, debit=amount, partner=client), LineInput(books.revenue, credit=amount)],
            due_date=due,
        )

    invoice(day(3, 1), "300", due=day(3, 31))
    books.post(day(3, 5), [LineInput(books.bank, debit="200"), LineInput(receivable, credit="200", partner=client)])
    assert _items(books.org) == {(receivable.pk, client.pk, day(3, 31)): D("100.000")}
    invoice(day(2, 1), "150", due=day(2, 15))  # older: the 200 now settles it first
    assert _items(books.org) == {(receivable.pk, client.pk, day(3, 31)): D("250.000")}
    entry = books.post(
        day(3, 6), [LineInput(books.bank, debit="400"), LineInput(receivable, credit="400", partner=client)]
    )
    assert _items(books.org) == {(receivable.pk, client.pk, None): D("-150.000")}
    books.reverse(entry, day(3, 7))  # re-opens 400 on 03-07, older than 03-31: settled first
    assert _items(books.org) == {(receivable.pk, client.pk, day(3, 31)): D("250.000")}
    before = _items(books.org)
    open_items_rebuild(org=books.org)
    assert _items(books.org) == before


def test_drafts_and_other_organizations_leave_the_open_items_alone(tenant, other_tenant):
    books = books_for(tenant)
    client = company(books.org, "Client")
    journal_entry_create(
        org=books.org,
        actor_membership=books.membership,
        journal=books.journal,
        date=day(2, 1),
        lines=[LineInput(books.receivable, debit="50", partner=client), LineInput(books.revenue, credit="50")],
        post=False,
    )
    assert _items(books.org) == {}
    other = books_for(other_tenant)
    other_client = company(other.org, "Other client")
    other.post(
        day(2, 1),
        [LineInput(other.receivable, debit="80", partner=other_client), LineInput(other.revenue, credit="80")],
    )
    assert _items(books.org) == {}
    assert list(_items(other.org).values()) == [D("80.000")]
    assert aging(org=books.org, kind="receivable", as_of=day(12, 31)).count == 0


def test_turning_reconciliation_off_and_on_rebuilds_the_account(tenant):
    scenario = build_scenario(tenant)
    books, org = scenario.books, scenario.books.org
    kept = _items(org)
    owner = tenant.members[Role.OWNER]
    account_update(org=org, actor_membership=owner, account=books.payable, data={"reconcile": False})
    assert {key for key in _items(org) if key[0] == books.payable.pk} == set()
    # Without open items the aging of payables comes from the lines, with the same figures.
    payables = aging(org=org, kind="payable", as_of=day(12, 31))
    assert payables.total.amount == D("260.000")
    account_update(org=org, actor_membership=owner, account=books.payable, data={"reconcile": True})
    assert _items(org) == kept


def test_merging_companies_recomputes_the_kept_companys_open_items(tenant):
    """An invoice to one record and its payment to its duplicate: once merged, nothing is open."""
    from mizan.crm.services.duplicates import company_merge

    books = books_for(tenant)
    keep, duplicate = company(books.org, "Keep"), company(books.org, "Duplicate")
    books.post(
        day(1, 10), [LineInput(books.receivable, debit="100", partner=keep), LineInput(books.revenue, credit="100")]
    )
    books.post(
        day(2, 10), [LineInput(books.bank, debit="100"), LineInput(books.receivable, credit="100", partner=duplicate)]
    )
    assert len(_items(books.org)) == 2  # 100 open for one, -100 for the other
    company_merge(org=books.org, actor_membership=tenant.members[Role.OWNER], keep=keep, merge=duplicate)
    assert _items(books.org) == {}
    chosen, from_lines = _aging_both_ways(books.org, "receivable", day(12, 31))
    assert chosen == from_lines and chosen[0] == 0


def test_the_migration_fills_the_open_items_of_earlier_postings(tenant):
    scenario = build_scenario(tenant)
    org = scenario.books.org
    kept = _items(org)
    OpenItem.objects.all().delete()
    migration = importlib.import_module("mizan.ledger.migrations.0003_open_items")
    migration.fill_from_posted_lines(apps, SimpleNamespace(connection=connection))
    assert _items(org) == kept


def test_the_rebuild_command_repairs_the_open_items(tenant):
    from io import StringIO

    from django.core.management import call_command

    scenario = build_scenario(tenant)
    org = scenario.books.org
    kept = _items(org)
    OpenItem.objects.filter(organization=org).update(amount=D("1"))
    out = StringIO()
    call_command("ledger_rebuild_summaries", "--organization", str(org.pk), stdout=out)
    assert _items(org) == kept and f"{len(kept)} open item(s)" in out.getvalue()


# --- The aging read from them ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["receivable", "payable"])
def test_the_aging_from_open_items_equals_the_aging_from_lines(tenant, kind):
    scenario = build_scenario(tenant)
    org = scenario.books.org
    for as_of in (day(3, 1), day(3, 20), day(12, 31)):
        chosen, from_lines = _aging_both_ways(org, kind, as_of)
        assert chosen == from_lines
    receivables = aging(org=org, kind="receivable", as_of=day(3, 20), page_size=None)
    buckets = {row.partner: row.buckets for row in receivables.rows}
    assert (buckets["Client A"]["days_61_90"], buckets["Client A"]["days_31_60"]) == (D("650.000"), D("575.000"))
    assert buckets["Client C"]["current"] == D("-100.000")


def test_partnerless_items_come_last_on_the_last_page_either_way(tenant):
    scenario = build_scenario(tenant)
    books = scenario.books
    books.post(day(3, 2), [LineInput(books.receivable, debit="40"), LineInput(books.revenue, credit="40")])
    chosen, from_lines = _aging_both_ways(books.org, "receivable", day(12, 31))
    assert chosen == from_lines
    pages = [aging(org=books.org, kind="receivable", as_of=day(12, 31), page=n, page_size=2) for n in (1, 2)]
    clients = [scenario.client_a.pk, scenario.client_b.pk, scenario.client_c.pk, None]
    assert [row.partner_id for page in pages for row in page.rows] == clients
    assert pages[1].rows[-1].buckets["over_90"] == D("40.000") and pages[1].count == 4
    assert sum(pages[0].totals.values()) == D("650") + D("575") + D("800") - D("100") + D("40")


def test_a_date_before_the_last_posting_is_aged_from_the_lines(tenant):
    """Open items sum every posted line: at an earlier date only the lines can answer."""
    scenario = build_scenario(tenant)
    org = scenario.books.org
    with mock.patch("mizan.ledger.selectors.reports._aging_from_open_items") as from_items:
        report = aging(org=org, kind="receivable", as_of=day(2, 10), page_size=None)
    from_items.assert_not_called()
    # On 02-10: A owes 1,150 + 575 - 500; B's receipt of 02-10 is counted, C's of 03-01 not.
    assert {row.partner: sum(row.buckets.values()) for row in report.rows} == {
        "Client A": D("1225.000"),
        "Client B": D("800.000"),
    }


entry_strategy = st.tuples(
    st.integers(min_value=0, max_value=120),  # day
    st.integers(min_value=0, max_value=2),  # partner
    st.integers(min_value=1, max_value=500_00),  # cents
    st.sampled_from(["invoice", "receipt", "bill", "payment"]),
    st.integers(min_value=-1, max_value=60),  # due in days (-1: none)
    st.booleans(),  # reverse it
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry_strategy, min_size=1, max_size=10))
def test_random_postings_keep_open_items_equal_to_a_rebuild_and_the_aging_equal_to_the_lines(tenant, entries):
    with transaction.atomic():
        books = books_for(tenant)
        partners = [company(books.org, f"P{index}") for index in range(3)]
        start = day(1, 1)
        for offset, partner_index, cents, kind, due_in, reverse in entries:
            when = start + datetime.timedelta(days=offset)
            amount = str(D(cents) / 100)
            partner = partners[partner_index]
            lines = {
                "invoice": [
                    LineInput(books.receivable, debit=amount, partner=partner),
                    LineInput(books.revenue, credit=amount),
                ],
                "receipt": [
                    LineInput(books.bank, debit=amount),
                    LineInput(books.receivable, credit=amount, partner=partner),
                ],
                "bill": [
                    LineInput(books.expense, debit=amount),
                    LineInput(books.payable, credit=amount, partner=partner),
                ],
                "payment": [
                    LineInput(books.payable, debit=amount, partner=partner),
                    LineInput(books.bank, credit=amount),
                ],
            }[kind]
            due = when + datetime.timedelta(days=due_in) if due_in >= 0 and kind in ("invoice", "bill") else None
            entry = books.post(when, lines, due_date=due)
            if reverse:
                books.reverse(entry, when + datetime.timedelta(days=1))
        kept = _items(books.org)
        open_items_rebuild(org=books.org)
        assert _items(books.org) == kept
        for kind in ("receivable", "payable"):
            for as_of in (day(6, 30), day(12, 31)):  # after every posting: from the open items
                chosen, from_lines = _aging_both_ways(books.org, kind, as_of)
                assert chosen == from_lines
        transaction.set_rollback(True)


# --- Concurrency ---------------------------------------------------------------------------

THREADS = 12
SUMMED = ("account_id", "month", "currency", "is_closing", "debit", "credit", "amount_currency")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL locks and real concurrency; SQLite serializes every writer.",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_for_one_partner_keep_its_open_items_exact(tenant):
    """Invoices and receipts of one client posted at once from two journals: the pair's lock makes
    each recompute see the others' committed lines."""
    this_year = tenant.org.today().year
    books = books_for(tenant, years=(this_year - 1, this_year))
    org = books.org
    client = company(org, "Busy client")
    second = Journal.objects.create(organization=org, code="RBNK", name_en="Bank 2", kind=JournalKind.GENERAL)
    today = org.today()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            amount = str(D(10 + index))
            if index % 2:
                lines = [
                    LineInput(books.receivable, debit=amount, partner=client),
                    LineInput(books.revenue, credit=amount),
                ]
            else:
                lines = [
                    LineInput(books.bank, debit=amount),
                    LineInput(books.receivable, credit=amount, partner=client),
                ]
            journal_entry_create(
                org=org,
                actor_membership=books.membership,
                journal=books.journal if index % 2 else second,
                date=today - datetime.timedelta(days=index),
                lines=lines,
                post=True,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    kept = _items(org)
    open_items_rebuild(org=org)
    assert _items(org) == kept
    owed = sum(D(10 + index) for index in range(1, THREADS, 2)) - sum(D(10 + index) for index in range(0, THREADS, 2))
    assert sum(kept.values()) == owed
    report = aging(org=org, kind="receivable", as_of=today)
    assert sum(report.totals[name] for name in AGING_BUCKETS) == owed
    # The month balances' concurrent upserts added up too (ADR 0006).
    balances = list(AccountMonthBalance.objects.filter(organization=org).order_by("pk").values_list(*SUMMED))
    month_balances_rebuild(org=org)
    assert sorted(balances) == sorted(AccountMonthBalance.objects.filter(organization=org).values_list(*SUMMED))
