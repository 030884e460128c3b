"""A real worker killed mid-batch: every task's effect still happens exactly once.

The worker is `manage.py run_worker` in a subprocess, on the same database as the test: with
PostgreSQL (or a file SQLite test database) the test database itself, committed with
`transactional_db`; with the default in-memory SQLite test database, a temporary SQLite file that
this test's connection is switched to for its duration.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mizan.core.background import enqueue_run_on_commit
from mizan.core.models import Notification, TaskEffect, TaskRun, WorkerHeartbeat
from mizan.core.tests.background_tasks import demo_effect
from mizan.core.tests.factories import make_organization, make_user

ROOT = Path(__file__).resolve().parents[3]
BATCH = 20
LEASE_SECONDS = 2
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


@pytest.fixture
def worker_database(tmp_path, django_db_blocker) -> Iterator[dict[str, str]]:
    """Environment variables that point a subprocess at the database this test uses.

    The test must be marked django_db(transaction=True): its writes are committed, so the worker sees them.
    """
    original = connections["default"]
    if original.vendor == "postgresql":
        yield {"DATABASE_URL": _database_url(original.settings_dict)}
        return
    if original.vendor != "sqlite":
        pytest.skip(f"No worker test for {original.vendor}")
    if not original.is_in_memory_db():
        yield {"SQLITE_PATH": str(original.settings_dict["NAME"])}
        return
    # In-memory SQLite cannot be shared with another process: use a file for this test.
    path = tmp_path / "worker.sqlite3"
    settings_dict = {**original.settings_dict, "NAME": str(path)}
    replacement = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    with django_db_blocker.unblock():
        connections["default"] = replacement
        ContentType.objects.clear_cache()
        try:
            call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
            yield {"SQLITE_PATH": str(path)}
        finally:
            replacement.close()
            connections["default"] = original
            ContentType.objects.clear_cache()


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--interval=0.05",
                "--housekeeping-interval=0.3",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text(errors='replace')[-4000:]}")


def _killable_moment() -> bool:
    """Mid-batch, inside a task whose effect has just been committed (the re-run must skip it)."""
    if Notification.objects.count() < 5:
        return False
    recent = timezone.now() - timedelta(seconds=0.15)
    running = TaskRun.objects.filter(status=TaskRun.Status.RUNNING, started_at__gte=recent)
    return any(TaskEffect.objects.filter(key=run.key).exists() for run in running)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_every_effect_happens_exactly_once(worker_database, settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_LEASE_SECONDS = LEASE_SECONDS
    org = make_organization()
    user = make_user()
    for n in range(BATCH):
        enqueue_run_on_commit(demo_effect, args=[org.pk, user.pk, n, 0.05, 0.3], key=f"demo:{n}")
    assert TaskRun.objects.filter(status=TaskRun.Status.QUEUED).count() == BATCH

    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        worker_database,
        DJANGO_SETTINGS_MODULE="mizan.settings",
        TASK_BACKEND="database",
        TASK_LEASE_SECONDS=str(LEASE_SECONDS),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "worker.log"
    first = _start_worker(env, log)
    second = None
    try:
        _wait_for(_killable_moment, 25, "the first worker to be mid-task", log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)

        lost = TaskRun.objects.get(status=TaskRun.Status.RUNNING)
        assert TaskEffect.objects.filter(key=lost.key).exists()
        assert Notification.objects.count() < BATCH
        lost_result_id = lost.result_id
        assert DBTaskResult.objects.get(id=lost_result_id).status == "RUNNING"

        second = _start_worker(env, log)
        _wait_for(
            lambda: TaskRun.objects.filter(status=TaskRun.Status.SUCCEEDED).count() == BATCH,
            25,
            "every task to succeed",
            log,
        )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    messages = Counter(Notification.objects.values_list("message", flat=True))
    assert messages == Counter({f"demo-{n}": 1 for n in range(BATCH)})
    assert TaskEffect.objects.filter(key__startswith="demo:").count() == BATCH
    assert not TaskRun.objects.exclude(status=TaskRun.Status.SUCCEEDED).exists()
    lost.refresh_from_db()
    assert lost.attempts == 2
    assert lost.status == TaskRun.Status.SUCCEEDED
    # The killed attempt's backend row is failed ("worker lost"), not running forever.
    orphan = DBTaskResult.objects.get(id=lost_result_id)
    assert (orphan.status, orphan.exception_class_path) == ("FAILED", "mizan.core.background.WorkerLost")
    assert lost.result_id != lost_result_id
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    assert DBTaskResult.objects.filter(status="FAILED", exception_class_path__endswith="WorkerLost").count() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == BATCH
    # The second worker stopped cleanly and removed its heartbeat; the killed one's row remains.
    assert WorkerHeartbeat.objects.count() == 1
