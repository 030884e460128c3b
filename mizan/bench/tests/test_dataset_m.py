"""Dataset M at a tiny scale in the test database: exact counts, determinism, Arabic names, the
checker passing on a good build and failing on a corrupted one. Not timed (no assertion on seconds).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mizan.bench.dataset_m import SPEC, build_dataset_m, counts_for, make_plan
from mizan.bench.dataset_m_check import check_dataset, dataset_hash
from mizan.billing.models import Allocation, Invoice, Payment
from mizan.core.models import Organization
from mizan.crm.models import Activity, Company, Contact, Deal
from mizan.ledger.models import JournalEntry, JournalLine

TINY = 0.002  # 40 companies, 80 contacts, 10 deals, 200 activities, 100 invoices, 70 payments


def test_counts_follow_the_scale() -> None:
    assert counts_for(1) == SPEC
    assert counts_for(TINY) == {
        "companies": 40,
        "contacts": 80,
        "deals": 10,
        "activities": 200,
        "invoices": 100,
        "payments": 70,
    }
    assert counts_for(0.00001)["deals"] == 1  # never zero of anything


def test_the_plan_is_deterministic_and_bilingual() -> None:
    first, second = make_plan(TINY), make_plan(TINY)
    assert first.companies == second.companies
    assert first.invoices == second.invoices
    assert first.payments == second.payments
    assert make_plan(TINY, seed=1).companies != first.companies
    company = first.companies[0]
    assert any("\u0600" <= char <= "\u06ff" for char in company.name_ar)
    assert company.name_latin.isascii()
    lines = sum(len(invoice.lines) for invoice in make_plan(0.02).invoices)
    assert 2.7 <= lines / 1000 <= 3.3  # about three lines an invoice
    kinds = {payment.kind for payment in make_plan(0.02).payments}
    assert kinds == {"full", "part", "over"}
    dates = [(payment.date, payment.index) for payment in first.payments]
    assert dates == sorted(dates)


@pytest.mark.parametrize("path", ["bulk", "services"])
def test_a_build_has_the_planned_rows_and_passes_its_checks(db, path) -> None:
    result = build_dataset_m(TINY, path=path)
    assert result.passed, result.problems
    assert result.path == path
    org = Organization.objects.get(pk=result.organization_id)
    assert Company.objects.filter(organization=org).count() == 40
    assert Contact.objects.filter(organization=org).count() == 80
    assert Deal.objects.filter(organization=org).count() == 10
    assert Activity.objects.filter(organization=org).count() == 200
    assert Invoice.objects.filter(organization=org, kind="invoice").exclude(status="draft").count() == 100
    assert Payment.objects.filter(organization=org).count() == 70
    assert Allocation.objects.filter(organization=org).count() == 70
    entries = JournalEntry.objects.filter(organization=org, state="posted")
    fx = entries.filter(journal__kind="general").count()
    assert entries.count() == 100 + 70 + fx
    assert result.tables["crm_company"] == 40
    assert result.tables["billing_invoiceline"] == sum(len(i.lines) for i in make_plan(TINY).invoices)
    assert result.tables["ledger_journalline"] == JournalLine.objects.filter(organization=org).count()
    # Arabic and English names, searchable the way the CRM services index them.
    company = Company.objects.filter(organization=org).order_by("pk").first()
    assert any("\u0600" <= char <= "\u06ff" for char in company.name_ar)
    assert company.name_latin and company.search_name.startswith(company.search_name.split()[0])
    assert Company.objects.filter(organization=org, search_name__contains="شركه").exists()  # ة folded to ه
    # Two fiscal years, two currencies, every payment kind.
    assert set(Invoice.objects.filter(organization=org).values_list("fiscal_year__name", flat=True)) == {"2025", "2026"}
    assert set(Invoice.objects.filter(organization=org).values_list("currency", flat=True)) == {"SAR", "USD"}
    statuses = set(Invoice.objects.filter(organization=org).values_list("status", flat=True))
    assert statuses == {"posted", "partially_paid", "paid"}
    assert Payment.objects.filter(organization=org, amount_used__lt=models_amount()).exists()  # an overpayment
    assert set(Deal.objects.filter(organization=org).values_list("status", flat=True)) <= {"open", "won", "lost"}


def models_amount():
    from django.db.models import F

    return F("amount")


def test_two_builds_are_identical_and_both_paths_give_the_same_books(db) -> None:
    first = build_dataset_m(TINY, path="bulk")
    second = build_dataset_m(TINY, path="bulk")
    through_services = build_dataset_m(TINY, path="services")
    assert first.digest == second.digest == through_services.digest
    assert first.summary == second.summary == through_services.summary


def test_the_checker_fails_on_a_corrupted_dataset(db) -> None:
    result = build_dataset_m(TINY, path="bulk")
    org = Organization.objects.get(pk=result.organization_id)
    assert check_dataset(org) == []
    before = dataset_hash(org)
    # Remove one revenue line of a posted entry behind the services' back (the ORM refuses).
    line = (
        JournalLine.objects.filter(organization=org, entry__journal__kind="sales", credit__gt=0).order_by("pk").first()
    )
    JournalLine.objects.filter(pk=line.pk).update(credit=Decimal("0.01") + line.credit)
    problems = check_dataset(org)
    assert any(problem.startswith("unbalanced entries: 1 case") for problem in problems), problems
    assert any(problem.startswith("trial balance does not sum to zero") for problem in problems), problems
    assert dataset_hash(org) != before


def test_the_checker_catches_a_deleted_journal_line_and_a_wrong_status(db) -> None:
    from django.db import connection

    result = build_dataset_m(TINY, path="bulk")
    org = Organization.objects.get(pk=result.organization_id)
    line = JournalLine.objects.filter(organization=org, entry__journal__kind="sales").order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {JournalLine._meta.db_table} WHERE id = %s", [line.pk])
    invoice = Invoice.objects.filter(organization=org, status="paid").order_by("pk").first()
    Invoice.objects.filter(pk=invoice.pk).update(status="posted")
    problems = check_dataset(org)
    rules = {problem.split(":")[0] for problem in problems}
    assert "unbalanced entries" in rules
    assert "settlement" in rules
    assert line.account.reconcile  # the invoice's receivable line: its client's open items are off
    assert "open items differ from the balances of the posted lines" in rules
