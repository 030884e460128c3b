"""Workload W1 at a tiny scale in the test database, its checks, its report and the command's guards.

Not a timed test: nothing here asserts seconds (CI runs the benchmark only to keep it working).
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from mizan.bench import runner, w1_data
from mizan.bench.w1 import SHARED_REFERENCE, STAGES, StageResult, W1Result, check_totals, load_reference, run_w1
from mizan.billing.models import Invoice, Payment
from mizan.ledger.models import JournalEntry

TINY = 0.01  # 2 customers, 20 invoices (16 paid)


def test_w1_runs_through_the_services_and_its_reports_match_the_expected_totals(db) -> None:
    result = run_w1(TINY, trace=True, reference=(w1_data, "vendored"))
    assert result.passed, result.mismatches
    assert [stage.name for stage in result.stages] == list(STAGES)
    assert result.measured["customers"] == "2"
    assert result.measured["invoices"] == "20"
    assert result.measured["invoices_paid"] == "16"
    assert result.measured["total"] == w1_data.expected_totals(TINY)["total"] == "103493.83"
    assert result.measured["largest_customer_balance"] == "Customer 00001=12050.53"
    assert result.measured["trial_balance_sum"] == "0.00"
    # What the stages left in the books: 20 invoices posted with entries, 16 payments, numbers by date.
    invoices = Invoice.objects.filter(organization__name_en="W1 Service Company").order_by("number")
    assert invoices.count() == 20
    assert invoices.filter(status=Invoice.Status.PAID).count() == 16
    assert invoices.filter(journal_entry__isnull=True).count() == 0
    dates = [invoice.issue_date for invoice in invoices]
    assert dates == sorted(dates)
    assert [invoice.number for invoice in invoices] == list(range(1, 21))
    assert Payment.objects.filter(organization=invoices[0].organization).count() == 16
    assert JournalEntry.objects.filter(organization=invoices[0].organization, state="posted").count() == 36
    create, post, pay, reports = result.stages
    assert (create.invoices, post.invoices, pay.invoices, reports.invoices) == (20, 20, 16, None)
    for stage in result.stages:
        assert stage.seconds > 0
        assert stage.queries > 0
        assert sum(count for _shape, count, _seconds in stage.top_queries) <= stage.queries
    assert reports.queries < 20  # report selectors aggregate in SQL: a handful of queries, whatever the size
    assert ("INSERT billing_invoice", 20) in [(shape, count) for shape, count, _seconds in create.top_queries]
    assert result.database["vendor"] in ("sqlite", "postgresql")


def _result(passed: bool = True) -> W1Result:
    expected = w1_data.expected_totals(TINY)
    measured = dict(expected) if passed else dict(expected, tax="0.00")
    stages = [
        StageResult(name="create", seconds=0.5, cpu_seconds=0.4, queries=180, invoices=20),
        StageResult(name="post", seconds=2.0, cpu_seconds=1.5, queries=700, invoices=20, top_queries=[("X", 3, 0.012)]),
        StageResult(name="pay", seconds=0.8, cpu_seconds=0.6, queries=450, invoices=16),
        StageResult(name="reports", seconds=0.03, cpu_seconds=0.02, queries=6),
    ]
    return W1Result(
        scale=TINY,
        reference="vendored",
        setup_seconds=0.2,
        stages=stages,
        expected=expected,
        measured=measured,
        mismatches=check_totals(measured, expected),
        database={"vendor": "sqlite", "name": "SQLite", "version": "3.40.1"},
    )


def test_the_report_is_written_as_json_with_the_machine_details(tmp_path) -> None:
    report = runner.build_report(_result().as_dict(), migrate_seconds=1.5)
    path = runner.write_json(report, tmp_path / "out" / "w1.json")
    loaded = json.loads(path.read_text())
    assert loaded["workload"] == "W1"
    assert loaded["scale"] == TINY
    assert loaded["migrate_seconds"] == 1.5
    assert loaded["database"] == {"vendor": "sqlite", "name": "SQLite", "version": "3.40.1"}
    assert {"cpu_model", "cpu_count", "memory_gib", "os", "python", "django", "load_average"} <= set(loaded["machine"])
    assert loaded["machine"]["load_average_before"] is None  # only a run in a fresh database measures it
    assert loaded["machine"]["cpu_count"] >= 1
    assert set(loaded["git"]) == {"commit", "dirty"}
    assert loaded["date"]
    assert loaded["checks"]["passed"] is True
    assert loaded["checks"]["measured"] == loaded["checks"]["expected"]
    stages = {stage["stage"]: stage for stage in loaded["stages"]}
    assert list(stages) == list(STAGES)
    assert stages["post"] == {
        "stage": "post",
        "seconds": 2.0,
        "cpu_seconds": 1.5,
        "invoices": 20,
        "invoices_per_second": 10.0,
        "queries": 700,
        "queries_per_invoice": 35.0,
        "top_queries": [["X", 3, 0.012]],
    }
    assert stages["reports"]["invoices_per_second"] is None
    table = runner.format_table(loaded).splitlines()
    assert table[0] == "W1 at scale 0.01 on SQLite 3.40.1: 2 customers, 20 invoices (16 paid)"
    assert table[3].split() == ["post", "2.00", "1.50", "10.0", "700", "35.0"]
    assert table[5].split() == ["reports", "0.03", "0.02", "-", "6", "-"]
    assert table[-1] == "checks: passed (10 figures equal the expected totals)"
    assert runner.format_trace(loaded).splitlines() == [
        "post: most frequent statements, per invoice: count, milliseconds executing",
        "      0.15    0.600  X",
    ]


def test_a_wrong_expected_total_fails_the_check() -> None:
    measured = w1_data.expected_totals(TINY)
    wrong = dict(measured, tax="12709.83", largest_customer_balance="Customer 00002=12050.53")
    assert check_totals(measured, wrong) == [
        "tax: expected 12709.83, got 12709.82",
        "largest_customer_balance: expected Customer 00002=12050.53, got Customer 00001=12050.53",
    ]
    assert check_totals({}, {"paid": "1.00"}) == ["paid: expected 1.00, not measured"]
    # Equal amounts written with other places are equal; a sub-cent difference is not.
    assert check_totals({"paid": "1.500"}, {"paid": "1.50"}) == []
    assert check_totals({"paid": "1.505"}, {"paid": "1.50"}) == ["paid: expected 1.50, got 1.505"]
    assert not _result(passed=False).passed


def test_a_run_with_a_wrong_expected_total_is_not_passed(db) -> None:
    expected = dict(w1_data.expected_totals(0.005), untaxed="1.00")
    result = run_w1(0.005, reference=(w1_data, "vendored"), expected=expected)
    assert not result.passed
    assert result.mismatches == [f"untaxed: expected 1.00, got {w1_data.expected_totals(0.005)['untaxed']}"]


def test_the_command_exits_non_zero_when_a_check_fails(monkeypatch, tmp_path, capsys) -> None:
    report = {
        "scale": 0.01,
        "database": {"name": "SQLite", "version": "3"},
        "stages": [
            {
                "stage": "post",
                "seconds": 1.0,
                "cpu_seconds": 0.5,
                "invoices": 20,
                "invoices_per_second": 20.0,
                "queries": 700,
                "queries_per_invoice": 35.0,
            }
        ],
        "checks": {
            "passed": False,
            "mismatches": ["tax: expected 1.00, got 2.00"],
            "expected": {"customers": "2", "invoices": "20", "invoices_paid": "16", "tax": "1.00"},
            "measured": {"tax": "2.00"},
        },
    }
    monkeypatch.setattr(runner, "run_in_fresh_database", lambda *args, **kwargs: report)
    with pytest.raises(CommandError, match="differ from the expected totals"):
        call_command("bench", "w1", "--scale", "0.01", "--json", str(tmp_path / "r.json"))
    out = capsys.readouterr().out
    assert "checks: FAILED (1 of 4 figures differ)" in out
    assert "tax: expected 1.00, got 2.00" in out
    assert json.loads((tmp_path / "r.json").read_text())["checks"]["passed"] is False


def test_the_worker_refuses_to_run_outside_a_fresh_database(db, tenant, monkeypatch, tmp_path) -> None:
    with pytest.raises(CommandError, match="internal"):
        call_command("bench", "w1", "--scale", "0.01", "--worker-output", str(tmp_path / "x.json"))
    monkeypatch.setenv(runner.WORKER_ENV, "1")
    with pytest.raises(CommandError, match="fresh database"):
        call_command("bench", "w1", "--scale", "0.01", "--worker-output", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()
    with pytest.raises(CommandError, match="greater than zero"):
        call_command("bench", "w1", "--scale", "0")


def _as_tuples(invoices) -> list[tuple]:
    return [
        (i.number, i.customer, i.date, tuple(dataclasses.astuple(line) for line in i.lines), i.paid_on)
        for i in invoices
    ]


@pytest.mark.skipif(not SHARED_REFERENCE.is_file(), reason="../shared/bench/w1_data.py is not on this machine")
def test_the_vendored_generator_matches_the_shared_reference() -> None:
    shared, source = load_reference()
    assert source != "vendored"
    assert shared.expected_totals(0.05) == w1_data.expected_totals(0.05)
    assert _as_tuples(shared.invoices(0.05)) == _as_tuples(w1_data.invoices(0.05))
    assert shared.customers(0.05) == w1_data.customers(0.05)


def test_the_vendored_generator_gives_w1_figures_at_scale_1() -> None:
    """The figures printed in W1.md."""
    totals = w1_data.expected_totals(1)
    assert (totals["customers"], totals["invoices"], totals["invoices_paid"]) == ("200", "2000", "1400")
    assert Decimal(totals["untaxed"]) == Decimal("8977255.65")
    assert Decimal(totals["tax"]) == Decimal("1256816.59")
    assert Decimal(totals["total"]) == Decimal("10234072.24")
    assert Decimal(totals["paid"]) == Decimal("7133983.61")
    assert Decimal(totals["receivable_outstanding"]) == Decimal("3100088.63")


def test_without_the_shared_file_the_vendored_generator_is_used(tmp_path) -> None:
    module, source = load_reference(tmp_path / "missing.py")
    assert module is w1_data
    assert source == "vendored"
