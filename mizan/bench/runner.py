"""Running a workload in a fresh database, and its report: a table for people, JSON for machines.

`run_in_fresh_database` makes a new database (a temporary SQLite file, or a temporary PostgreSQL
database created on the server of `postgres_url` and dropped afterwards), migrates it (not timed)
and runs the workload there in a child process (`manage.py bench <workload> --worker-output ...`
with the database in its environment), so the benchmark never touches the configured database
and every run starts from the same empty state.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from mizan.bench.machine import git_details, machine_details, machine_load

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
#: Set in the child's environment: the worker refuses to run without it.
WORKER_ENV = "MIZAN_BENCH_WORKER"
DATABASES = ("sqlite", "postgres")


class BenchError(Exception):
    """The benchmark could not run (set-up, child process) or its checks failed."""


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    """The child's settings: a normal (non-debug) deployment with the database task queue, as
    `bin/run` starts it, so timings include what production does (the PDF rendering of a posted
    invoice is queued on commit, not run inline)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SQLITE_PATH")}
    env.pop("PYTEST_VERSION", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mizan.settings",
            "MIZAN_ENV": "development",
            "DEBUG": "false",
            "TASK_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            WORKER_ENV: "1",
        }
    )
    env.update(extra)
    return env


def postgres_database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextmanager
def fresh_database(database: str, *, postgres_url: str = DEFAULT_POSTGRES_URL) -> Iterator[dict[str, str]]:
    """The environment variables that point Django at a new, empty database; removed afterwards."""
    if database == "sqlite":
        directory = tempfile.mkdtemp(prefix="mizan-bench-")
        try:
            yield {"SQLITE_PATH": str(Path(directory) / "bench.sqlite3")}
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    if database != "postgres":
        raise BenchError(f"Unknown database {database!r}: choose one of {', '.join(DATABASES)}.")
    import psycopg
    from psycopg import sql

    name = f"mizan_bench_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(server_url_for_psycopg(postgres_url), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise BenchError(f"Cannot create a PostgreSQL database on {postgres_url}: {error}") from error
    try:
        yield {"DATABASE_URL": postgres_database_url(postgres_url, name)}
    finally:
        with psycopg.connect(server_url_for_psycopg(postgres_url), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_url_for_psycopg(url: str) -> str:
    """libpq reads postgres:// and postgresql:// URLs alike; dj-database-url's aliases it does not."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme in ("postgres", "postgresql", "pgsql", "psql") else url


def _manage(args: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"`manage.py {' '.join(args)}` failed with exit status {completed.returncode}.")


def dataset_env(database: str, dataset: str, *, postgres_url: str = DEFAULT_POSTGRES_URL) -> dict[str, str]:
    """The environment pointing Django at a database that `bench dataset-m --keep` built."""
    if database == "sqlite":
        path = Path(dataset).resolve()
        if not path.is_file():
            raise BenchError(f"{path} does not exist: build it with `bench dataset-m --keep {dataset}`.")
        return {"SQLITE_PATH": str(path)}
    import psycopg

    url = postgres_database_url(postgres_url, dataset)
    try:
        psycopg.connect(server_url_for_psycopg(url)).close()
    except psycopg.Error as error:
        raise BenchError(
            f"Cannot open the PostgreSQL database {dataset!r} ({error}): build it with "
            f"`bench dataset-m --database postgres --keep {dataset}`."
        ) from error
    return {"DATABASE_URL": url}


#: Every user a dataset M build makes has an address here (dataset_m.set_up); `drop_dataset`
#: refuses a database without one, so it cannot remove a real organization's data.
DATASET_EMAIL_DOMAIN = "@dataset-m.bench.mizan.local"
_DATASET_PROBE = (
    "SELECT (SELECT COUNT(*) FROM core_organization), "
    "(SELECT COUNT(*) FROM core_user WHERE email LIKE '%%' || {marker})"
)


def drop_dataset(database: str, dataset: str, *, postgres_url: str = DEFAULT_POSTGRES_URL) -> None:
    """Remove a database that `bench dataset-m --keep` built, and nothing else."""
    env = dataset_env(database, dataset, postgres_url=postgres_url)
    configured = str(settings.DATABASES["default"]["NAME"])
    if configured in (dataset, env.get("SQLITE_PATH")):
        raise BenchError(f"{dataset} is this installation's own database: it is left as it is.")
    if database == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(env["SQLITE_PATH"])) as sqlite:
            try:
                counts = sqlite.execute(_DATASET_PROBE.format(marker="?").replace("%%", "%"), [DATASET_EMAIL_DOMAIN])
                organizations, bench_users = counts.fetchone()
            except sqlite3.Error:
                organizations, bench_users = 0, 0
        _refuse_unless_dataset(dataset, organizations, bench_users)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url_for_psycopg(env["DATABASE_URL"])) as conn:
        try:
            organizations, bench_users = conn.execute(
                _DATASET_PROBE.format(marker="%s"), [DATASET_EMAIL_DOMAIN]
            ).fetchone()
        except psycopg.Error:
            organizations, bench_users = 0, 0
    _refuse_unless_dataset(dataset, organizations, bench_users)
    with psycopg.connect(server_url_for_psycopg(postgres_url), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dataset)))


def _refuse_unless_dataset(dataset: str, organizations: int, bench_users: int) -> None:
    if organizations != 1 or not bench_users:
        raise BenchError(f"{dataset} is not a dataset M database: it is left as it is.")


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """`manage.py bench ... --worker-output FILE` in `env`; what it wrote there."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "result.json"
        _manage([*args, "--worker-output", str(output)], {**env, WORKER_ENV: "1"})
        return json.loads(output.read_text())


def run_in_fresh_database(
    workload: str,
    *,
    scale: float,
    database: str,
    postgres_url: str = DEFAULT_POSTGRES_URL,
    trace: bool = False,
) -> dict[str, Any]:
    """Migrate a fresh database (not timed), run the workload in a child process, return the report."""
    load_before = machine_load()
    with fresh_database(database, postgres_url=postgres_url) as database_env, tempfile.TemporaryDirectory() as tmp:
        env = _child_env(database_env)
        started = time.perf_counter()
        _manage(["migrate", "--noinput", "--verbosity", "0"], env)
        migrate_seconds = time.perf_counter() - started
        output = Path(tmp) / "result.json"
        args = [
            "bench",
            workload,
            "--scale",
            repr(scale),
            "--worker-output",
            str(output),
        ]
        if trace:
            args.append("--trace")
        _manage(args, env)
        result = json.loads(output.read_text())
    return build_report(result, migrate_seconds=migrate_seconds, load_before=load_before)


def build_report(
    result: dict[str, Any], *, migrate_seconds: float | None = None, load_before: list[float] | None = None
) -> dict[str, Any]:
    """The workload's result with the machine (its load before and after the run), the git commit and the date."""
    machine = machine_details()
    machine["load_average_before"] = load_before
    return {
        "benchmark": "mizan",
        "date": machine.pop("date"),
        "machine": machine,
        "git": git_details(),
        "migrate_seconds": round(migrate_seconds, 2) if migrate_seconds is not None else None,
        **result,
    }


def write_json(report: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def _cell(value: Any, places: int) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def format_table(report: dict[str, Any]) -> str:
    """Stage, seconds, invoices per second, queries (and per invoice), then the checks."""
    database = report.get("database", {})
    expected = report["checks"]["expected"]
    lines = [
        f"W1 at scale {report['scale']:g} on {database.get('name', '?')} {database.get('version', '')}: "
        f"{expected.get('customers')} customers, {expected.get('invoices')} invoices "
        f"({expected.get('invoices_paid')} paid)",
        f"{'stage':<9}{'seconds':>10}{'cpu s':>8}{'invoices/s':>12}{'queries':>10}{'queries/invoice':>17}",
    ]
    for stage in report["stages"]:
        lines.append(
            f"{stage['stage']:<9}{stage['seconds']:>10.2f}{stage.get('cpu_seconds', 0):>8.2f}"
            f"{_cell(stage['invoices_per_second'], 1):>12}"
            f"{stage['queries']:>10,}{_cell(stage['queries_per_invoice'], 1):>17}"
        )
    checks = report["checks"]
    if checks["passed"]:
        lines.append(f"checks: passed ({len(checks['expected'])} figures equal the expected totals)")
    else:
        lines.append(f"checks: FAILED ({len(checks['mismatches'])} of {len(checks['expected'])} figures differ)")
        lines.extend(f"  - {problem}" for problem in checks["mismatches"])
    return "\n".join(lines)


def format_trace(report: dict[str, Any]) -> str:
    """The most frequent statement shapes per stage (with --trace)."""
    lines = []
    for stage in report["stages"]:
        if not stage.get("top_queries"):
            continue
        per = stage["invoices"] or 1
        unit = "per invoice" if stage["invoices"] else "in all"
        lines.append(f"{stage['stage']}: most frequent statements, {unit}: count, milliseconds executing")
        for shape, count, seconds in stage["top_queries"]:
            lines.append(f"  {count / per:8.2f} {seconds * 1000 / per:8.3f}  {shape}")
    return "\n".join(lines)
