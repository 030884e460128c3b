"""The page timings and the load test's pieces on a tiny dataset M in the test database.

Not timed: the tests check that every page answers, that each floor computes its report's
figures, that counts and ratios are reported, and that wrk's summary is read right.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from mizan.bench import load, pages, runner
from mizan.bench.dataset_m import build_dataset_m
from mizan.core.models import ApiToken

TINY = 0.002


@pytest.fixture
def dataset(db):
    result = build_dataset_m(TINY, path="bulk")
    assert result.passed, result.problems
    return result


def test_percentiles_are_nearest_rank() -> None:
    samples = pages.Samples([float(n) for n in range(1, 101)])
    assert samples.percentile(0.5) == 50
    assert samples.percentile(0.95) == 95
    assert pages.Samples([3.0]).percentile(0.95) == 3.0
    assert pages.Samples([0.001, 0.002, 0.010]).as_dict() == {"p50_ms": 2.0, "p95_ms": 10.0, "max_ms": 10.0}


def test_every_page_answers_and_every_floor_computes_its_reports_figures(dataset) -> None:
    result = pages.run_pages(requests=2, progress=lambda text: None)
    targets = {target["key"]: target for target in result["targets"]}
    assert set(targets) == {target.key for target in pages.dataset_targets(pages.bench_organization())}
    for target in targets.values():
        assert target["requests"] == 2
        assert 0 < target["p50_ms"] <= target["p95_ms"] <= target["max_ms"]
        assert target["queries"] > 0
        assert target["bytes"] > 500
    assert set(result["floors"]) == {"trial_balance", "profit_and_loss", "aging"}
    assert all(floor["rows"] > 0 for floor in result["floors"].values())
    assert targets["aging"]["floor"] == "aging" and targets["aging"]["floor_ratio_p50"] > 0
    assert "floor" not in targets["invoice"]
    assert result["rows"]["invoices"] == 100
    # The API calls went through a token made for the run, and only one is kept.
    assert ApiToken.objects.filter(name=pages.TOKEN_NAME).count() == 1


def test_the_deal_and_invoice_chosen_are_the_busiest_and_a_paid_one(dataset) -> None:
    from mizan.billing.models import Invoice
    from mizan.crm.models import Activity

    org = pages.bench_organization()
    paths = {target.key: target.path for target in pages.dataset_targets(org)}
    deal_id = int(paths["deal"].strip("/").split("/")[-1])
    most = max(
        Activity.objects.filter(organization=org, deal_id=deal_id).count(),
        *(
            Activity.objects.filter(organization=org, deal_id=other).count()
            for other in Activity.objects.filter(organization=org).values_list("deal_id", flat=True).distinct()
            if other
        ),
    )
    assert Activity.objects.filter(organization=org, deal_id=deal_id).count() == most
    invoice = Invoice.objects.get(pk=int(paths["invoice"].strip("/").split("/")[-1]))
    assert invoice.allocations.exists() and invoice.document_number


def test_a_floor_that_computes_other_figures_fails(dataset, monkeypatch) -> None:
    org = pages.bench_organization()
    real = pages.report_figures

    def shifted(key, org):
        figures = real(key, org)
        first = next(iter(figures))
        figures[first] = tuple(value + Decimal("0.001") for value in figures[first])
        return figures

    monkeypatch.setattr(pages, "report_figures", shifted)
    with pytest.raises(pages.PagesError, match="differs from the report"):
        pages.time_floor("trial_balance", org, requests=1, warmup=0)


def test_a_page_that_does_not_answer_200_fails_the_run(dataset) -> None:
    client = Client()
    missing = pages.Target("missing", "Missing", "/billing/invoices/999999999/")
    with pytest.raises(pages.PagesError, match="answered 302"):
        pages.time_target(client, missing, requests=1, headers={}, warmup=0)


def test_the_timings_refuse_a_database_that_is_not_a_dataset(db, tenant, other_tenant) -> None:
    with pytest.raises(pages.PagesError, match="dataset-m --keep"):
        pages.bench_organization()


def test_growth_compares_the_last_dataset_with_the_first() -> None:
    def run(name, p50, p95, queries):
        target = {"key": "invoices", "label": "Invoice list", "p50_ms": p50, "p95_ms": p95, "queries": queries}
        return {"dataset": name, "targets": [target]}

    rows = pages.growth(run("m01", 10.0, 20.0, 9), run("m1", 15.0, 22.0, 9))
    assert rows == [{"key": "invoices", "label": "Invoice list", "p50_ratio": 1.5, "p95_ratio": 1.1, "queries": [9, 9]}]
    text = "\n".join(pages.format_growth(run("m01", 10.0, 20.0, 9), run("m1", 15.0, 22.0, 9)))
    assert "growth from m01 to m1" in text and "1.50" in text and "9 -> 9" in text


def test_the_load_credentials_open_the_dashboard_and_the_api(dataset) -> None:
    secrets = load.credentials()
    name, key = secrets["cookie"].split("=", 1)
    browser = Client()
    browser.cookies[name] = key
    assert browser.get("/").status_code == 200
    api = Client()
    response = api.get("/api/v1/billing/invoices/", headers={"Authorization": f"Bearer {secrets['token']}"})
    assert response.status_code == 200
    assert response.json()["count"] == 100


def test_the_commands_need_a_dataset_and_a_built_database(tmp_path) -> None:
    with pytest.raises(CommandError, match="--dataset"):
        call_command("bench", "pages")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("bench", "pages", "--dataset", str(tmp_path / "nothing.sqlite3"))
    with pytest.raises(runner.BenchError, match="Cannot open the PostgreSQL database"):
        runner.dataset_env("postgres", "mizan_bench_no_such_database", postgres_url="postgres://nobody@127.0.0.1:1/x")


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        status = 200 if self.headers.get("Authorization") == "Bearer good" else 403
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # wrk drops its connections at the end of the run


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
@pytest.mark.parametrize(("token", "errors"), [("good", False), ("bad", True)])
def test_wrk_sends_the_headers_and_its_summary_is_read(token, errors) -> None:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        result = load.run_wrk(url, {"Authorization": f"Bearer {token}"}, connections=2, duration=1, threads=1)
    finally:
        server.shutdown()
        server.server_close()
    assert result["requests"] > 0
    assert result["requests_per_second"] > 0
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert (result["errors"] == result["requests"]) if errors else (result["errors"] == 0)
    assert f"Bearer {token}" in _Handler.seen


def _sqlite_file(path, emails: list[str], organizations: int = 1):
    import sqlite3

    with sqlite3.connect(path) as sqlite:
        sqlite.execute("CREATE TABLE core_organization (id INTEGER PRIMARY KEY)")
        sqlite.execute("CREATE TABLE core_user (id INTEGER PRIMARY KEY, email TEXT)")
        sqlite.executemany("INSERT INTO core_organization (id) VALUES (?)", [(n,) for n in range(organizations)])
        sqlite.executemany("INSERT INTO core_user (email) VALUES (?)", [(email,) for email in emails])
    return path


def test_drop_removes_a_dataset_and_refuses_anything_else(tmp_path, capsys) -> None:
    dataset = _sqlite_file(tmp_path / "m.sqlite3", [f"owner-1{runner.DATASET_EMAIL_DOMAIN}"])
    real = _sqlite_file(tmp_path / "real.sqlite3", ["owner@company.example"])
    several = _sqlite_file(tmp_path / "several.sqlite3", [f"owner-1{runner.DATASET_EMAIL_DOMAIN}"], organizations=2)
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    for refused in (real, several, tmp_path / "empty.sqlite3"):
        with pytest.raises(CommandError, match="not a dataset M database"):
            call_command("bench", "drop", "--dataset", str(refused))
        assert refused.exists()
    call_command("bench", "drop", "--dataset", str(dataset))
    assert not dataset.exists()
    assert "removed" in capsys.readouterr().out


def test_drop_refuses_a_postgresql_database_that_is_not_a_dataset() -> None:
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    server = runner.DEFAULT_POSTGRES_URL
    name = f"mizan_bench_not_a_dataset_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(runner.server_url_for_psycopg(server), autocommit=True, connect_timeout=3)
    except psycopg.Error:
        pytest.skip("no PostgreSQL server at " + server)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            with pytest.raises(runner.BenchError, match="not a dataset M database"):
                runner.drop_dataset("postgres", name, postgres_url=server)
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_load_test_refuses_a_target_that_does_not_answer_200() -> None:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        load.require_ok(url, {"Authorization": "Bearer good"})
        with pytest.raises(runner.BenchError, match="answered 403"):
            load.require_ok(url, {"Authorization": "Bearer bad"})
    finally:
        server.shutdown()
        server.server_close()


def test_drop_refuses_the_installations_own_database(monkeypatch, tmp_path) -> None:
    from types import SimpleNamespace

    own = _sqlite_file(tmp_path / "own.sqlite3", [f"owner-1{runner.DATASET_EMAIL_DOMAIN}"])
    monkeypatch.setattr(runner, "settings", SimpleNamespace(DATABASES={"default": {"NAME": str(own.resolve())}}))
    with pytest.raises(runner.BenchError, match="own database"):
        runner.drop_dataset("sqlite", str(own))
    assert own.exists()
