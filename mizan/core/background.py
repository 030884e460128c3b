"""Background work that survives a killed worker: enqueue on commit, leases, a reaper, effects once.

The task backends (django-tasks-db, django-tasks-rq) run each enqueued attempt at most once and
never notice a worker that died mid-task. Mizan records every piece of work as a `TaskRun`:

- `enqueue_on_commit` creates the run and enqueues it only if the caller's transaction commits
  (with the database backend both rows are written inside that transaction, so they commit or
  vanish together);
- a `mizan_task` claims the run's lease when it starts, a heartbeat thread extends the lease while
  it runs, and the end of the task marks the run succeeded or failed;
- `task_runs_reap` (run by `manage.py run_worker` every few seconds and by `manage.py reap_tasks`)
  re-enqueues runs whose lease expired, up to `max_attempts`, then marks them failed "worker lost";
- `once(key)` makes a handler's effect happen once even when the task runs twice.

Delivery is at least once; effects guarded by `once` happen exactly once.
See docs/adr/0002-background-work-leases.md.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import (
    DEFAULT_TASK_BACKEND_ALIAS,
    DEFAULT_TASK_PRIORITY,
    DEFAULT_TASK_QUEUE_NAME,
    Task,
    TaskResult,
    TaskResultStatus,
)
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import normalize_json

from mizan.core.models import TaskEffect, TaskRun, WorkerHeartbeat
from mizan.core.models.background import WORKER_LOST

logger = logging.getLogger("mizan.background")

#: Hidden keyword argument carrying the TaskRun id through the backend to the running task.
RUN_KWARG = "_mizan_run"

Status = TaskRun.Status


class WorkerLost(Exception):
    """Recorded on a backend result whose worker died before the task finished."""


# --- Worker identity --------------------------------------------------------------------------

_worker_id: str | None = None


def new_worker_id() -> str:
    """host:pid:random, at most 64 characters (django-tasks-db's limit)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"


def set_worker_id(worker_id: str) -> None:
    global _worker_id
    _worker_id = worker_id


def current_worker_id() -> str:
    if _worker_id is None:
        set_worker_id(new_worker_id())
    return _worker_id or ""


def lease_seconds() -> int:
    return int(settings.TASK_LEASE_SECONDS)


def is_database_backend(backend: BaseTaskBackend) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


# --- Declaring tasks --------------------------------------------------------------------------


class MizanTask(Task):
    """A django-tasks Task whose every enqueue is recorded as a TaskRun with a lease."""

    __slots__ = ()

    def enqueue(self, *args: Any, **kwargs: Any) -> TaskResult:
        """Enqueue now (not on commit); prefer `enqueue_on_commit` in business code."""
        run = _run_create(self, args=args, kwargs=kwargs, key="", organization_id=None)
        return _attempt_enqueue(self, run, raise_errors=True)

    @property
    def max_attempts(self) -> int:
        return getattr(self.func, "mizan_max_attempts", None) or int(settings.TASK_MAX_ATTEMPTS)


def mizan_task(
    function: Callable[..., Any] | None = None,
    *,
    priority: int = DEFAULT_TASK_PRIORITY,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    max_attempts: int | None = None,
) -> Any:
    """Declare a background task (like django-tasks' `@task`) that runs under a lease.

    Arguments must be JSON values (ids, strings, numbers, lists, dicts): pass ids, not objects.
    The function must be defined at module level; it may run more than once (after a worker is
    lost), so guard its effects with `once(key)`.
    """

    def decorate(func: Callable[..., Any]) -> MizanTask:
        @wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            run_id = kwargs.pop(RUN_KWARG, None)
            if run_id is None:  # called directly (task.call) or enqueued without a TaskRun
                return func(*args, **kwargs)
            return _run_under_lease(func, args, kwargs, run_id)

        run.mizan_max_attempts = max_attempts  # type: ignore[attr-defined]
        return MizanTask(
            priority=priority,
            func=run,
            queue_name=queue_name,
            backend=backend,
            takes_context=False,
            run_after=None,
        )

    return decorate(function) if function is not None else decorate


# --- Enqueueing -------------------------------------------------------------------------------


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` when the current transaction commits; nothing on rollback.

    Outside a transaction it is enqueued at once. Arguments must be JSON-serializable.
    """
    enqueue_run_on_commit(task, args=args, kwargs=kwargs)


def enqueue_run_on_commit(
    task: Task,
    *,
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: dict[str, Any] | None = None,
    key: str = "",
    organization: Any = None,
) -> None:
    """`enqueue_on_commit` with a business key and the organization the work is for.

    The organization decides whose owners and admins see the run's details on the status page.
    """
    kwargs = dict(kwargs or {})
    if RUN_KWARG in kwargs:
        raise ValueError(f"{RUN_KWARG} is reserved.")
    # Fail in the caller, at once, when an argument cannot travel as JSON.
    args, kwargs = normalize_json(list(args)), normalize_json(kwargs)
    organization_id = getattr(organization, "pk", organization)
    if not isinstance(task, MizanTask):
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
        return
    if is_database_backend(task.get_backend()):
        # Same database: the run and the backend row commit (or roll back) with the caller's work.
        # The run's id is a UUID made here, so the backend row is written first and the run once,
        # with its result id (two INSERTs; no worker sees either before the commit).
        run = _run_build(task, args=args, kwargs=kwargs, key=key, organization_id=organization_id)
        result = Task.enqueue(task, *run.args, **{**run.kwargs, RUN_KWARG: str(run.pk)})
        run.result_id = str(result.id)
        run.save(force_insert=True)
        return

    def enqueue_after_commit() -> None:
        run = _run_create(task, args=args, kwargs=kwargs, key=key, organization_id=organization_id)
        _attempt_enqueue(task, run, raise_errors=False)

    transaction.on_commit(enqueue_after_commit)


def _run_create(
    task: MizanTask, *, args: Any, kwargs: dict[str, Any], key: str, organization_id: int | None
) -> TaskRun:
    run = _run_build(task, args=args, kwargs=kwargs, key=key, organization_id=organization_id)
    run.save(force_insert=True)
    return run


def _run_build(task: MizanTask, *, args: Any, kwargs: dict[str, Any], key: str, organization_id: int | None) -> TaskRun:
    """An unsaved run (its UUID already set)."""
    return TaskRun(
        task_path=task.module_path,
        args=normalize_json(list(args)),
        kwargs=normalize_json(kwargs),
        key=key,
        organization_id=organization_id,
        max_attempts=task.max_attempts,
        backend=task.backend,
        queue_name=task.queue_name,
        queued_at=timezone.now(),
    )


def _attempt_enqueue(task: Task, run: TaskRun, *, raise_errors: bool) -> TaskResult | None:
    """Hand one attempt of `run` to the backend and remember the backend's result id.

    After a commit there is no caller left to tell: a backend that refuses (Redis down) marks the
    run failed, visible on the status page with a Retry button, instead of raising.
    """
    try:
        result = Task.enqueue(task, *run.args, **{**run.kwargs, RUN_KWARG: str(run.pk)})
    except Exception as error:
        if raise_errors:
            raise
        logger.exception("Could not enqueue task run %s", run.pk)
        TaskRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, finished_at=timezone.now(), last_error=f"could not enqueue: {error}"[:2000]
        )
        return None
    TaskRun.objects.filter(pk=run.pk).update(result_id=str(result.id))
    run.result_id = str(result.id)
    return result


def task_run_requeue(run: TaskRun) -> None:
    """Enqueue a new backend attempt of an already queued run (reaper and Retry).

    With the database backend it joins the caller's transaction; otherwise it waits for commit.
    """
    try:
        task = import_string(run.task_path).using(backend=run.backend, queue_name=run.queue_name)
    except Exception as error:
        TaskRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, finished_at=timezone.now(), last_error=f"task not found: {error}"[:2000]
        )
        return
    if is_database_backend(task.get_backend()):
        _attempt_enqueue(task, run, raise_errors=True)
    else:
        transaction.on_commit(partial(_attempt_enqueue, task, run, raise_errors=False))


# --- Running under a lease ----------------------------------------------------------------------


def _claim(run_id: str, worker_id: str) -> TaskRun | None:
    """Take the run's lease if it is queued or its lease expired; None if someone else holds it."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, lease_expires_at__lt=now)
    updated = (
        TaskRun.objects.filter(claimable, pk=run_id)
        .filter(attempts__lt=F("max_attempts"))
        .update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            worker_id=worker_id,
            started_at=now,
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
        )
    )
    if not updated:
        return None
    return TaskRun.objects.get(pk=run_id)


def _fenced(run: TaskRun) -> Any:
    """The run, only while this attempt still holds it (a reaped attempt must not write)."""
    return TaskRun.objects.filter(pk=run.pk, status=Status.RUNNING, worker_id=run.worker_id, attempts=run.attempts)


class _Heartbeat(threading.Thread):
    """Extends the lease every lease/3 seconds while the task runs, on its own connection."""

    def __init__(self, run: TaskRun) -> None:
        super().__init__(name=f"mizan-heartbeat-{run.pk}", daemon=True)
        self.run_record = run
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = lease_seconds() / 3
        try:
            while not self.stopped.wait(interval):
                try:
                    now = timezone.now()
                    extended = _fenced(self.run_record).update(
                        heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds())
                    )
                except DatabaseError:
                    logger.exception("Heartbeat of task run %s failed; will try again", self.run_record.pk)
                    continue
                if not extended:
                    logger.warning(
                        "Task run %s lost its lease (reaped); its effects must be idempotent", self.run_record.pk
                    )
                    return
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def _run_under_lease(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], run_id: str) -> Any:
    run = _claim(run_id, current_worker_id())
    if run is None:
        logger.info("Task run %s is finished or held by a live worker; skipping this attempt", run_id)
        return None
    heartbeat = None
    if not isinstance(task_backends[run.backend], ImmediateBackend):  # immediate: runs in the caller
        heartbeat = _Heartbeat(run)
        heartbeat.start()
    try:
        result = func(*args, **kwargs)
    except Exception as error:
        _stop(heartbeat)
        _fenced(run).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            lease_expires_at=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    except BaseException:
        # SystemExit/KeyboardInterrupt: the worker is going away; the lease expires and the
        # reaper re-queues the run.
        _stop(heartbeat)
        raise
    _stop(heartbeat)
    _fenced(run).update(status=Status.SUCCEEDED, finished_at=timezone.now(), lease_expires_at=None, last_error="")
    return result


def _stop(heartbeat: _Heartbeat | None) -> None:
    if heartbeat is not None:
        heartbeat.stop()


# --- Effects once -------------------------------------------------------------------------------


@contextmanager
def once(key: str) -> Iterator[bool]:
    """A transaction that records `key` with the effect; yields False if the effect already happened.

        with once(f"invoice:{contract_id}:{period}") as first_time:
            if first_time:
                invoice_create(...)

    The key row and the effect commit together, so a re-run after a lost worker changes nothing.
    """
    with transaction.atomic():
        if TaskEffect.objects.filter(key=key).exists():
            yield False
            return
        try:
            with transaction.atomic():
                TaskEffect.objects.create(key=key)
        except IntegrityError:  # a concurrent run recorded it first
            yield False
            return
        yield True


def effect_done(key: str) -> bool:
    return TaskEffect.objects.filter(key=key).exists()


def effect_record(key: str) -> None:
    """Record an effect that cannot join a transaction (an e-mail handed to SMTP)."""
    TaskEffect.objects.get_or_create(key=key)


# --- The reaper ---------------------------------------------------------------------------------


@dataclass
class ReapReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def task_runs_reap(*, now: datetime | None = None, limit: int = 200) -> ReapReport:
    """Re-queue (or, past max_attempts, fail) work whose worker was lost.

    Two cases: a running run whose lease expired, and a queued run whose backend attempt started
    (or ended) more than a lease ago without ever claiming the run (killed between the two).
    """
    now = now or timezone.now()
    report = ReapReport()
    expired = TaskRun.objects.filter(status=Status.RUNNING, lease_expires_at__lt=now).order_by("lease_expires_at")
    for run in list(expired[:limit]):
        _reap_one(run, now, report, stranded=False)
    for run in _stranded_runs(now, limit):
        _reap_one(run, now, report, stranded=True)
    if report.requeued or report.failed:
        logger.warning("Reaper: re-queued %s, failed %s", report.requeued, report.failed)
    return report


def _reap_one(run: TaskRun, now: datetime, report: ReapReport, *, stranded: bool) -> None:
    fence = TaskRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts, result_id=run.result_id)
    if not stranded:
        fence = fence.filter(lease_expires_at__lt=now)
    attempts = run.attempts + (1 if stranded else 0)
    with transaction.atomic():
        if attempts < run.max_attempts:
            changed = fence.update(
                status=Status.QUEUED,
                attempts=attempts,
                worker_id="",
                lease_expires_at=None,
                queued_at=now,
                last_error=WORKER_LOST,
            )
            if changed:
                _fail_backend_result(run, now)
                run.refresh_from_db()
                task_run_requeue(run)
                report.requeued.append(str(run.pk))
        else:
            changed = fence.update(
                status=Status.FAILED, attempts=attempts, lease_expires_at=None, finished_at=now, last_error=WORKER_LOST
            )
            if changed:
                _fail_backend_result(run, now)
                report.failed.append(str(run.pk))


def _fail_backend_result(run: TaskRun, now: datetime) -> None:
    """Mark the lost attempt's DBTaskResult failed, so it does not stay RUNNING forever."""
    if not run.result_id or not is_database_backend(task_backends[run.backend]):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=run.result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback="WorkerLost: the worker running this task stopped before it finished.",
    )


def _stranded_runs(now: datetime, limit: int) -> list[TaskRun]:
    cutoff = now - timedelta(seconds=lease_seconds())
    candidates = list(
        TaskRun.objects.filter(status=Status.QUEUED, queued_at__lt=cutoff)
        .exclude(result_id="")
        .order_by("queued_at")[:limit]
    )
    stranded = []
    for run in candidates:
        state = _backend_state(run)
        if state is None:
            continue
        status, started_at = state
        if status == "missing" or (status != TaskResultStatus.READY and (started_at is None or started_at < cutoff)):
            stranded.append(run)
    return stranded


def _backend_state(run: TaskRun) -> tuple[str, datetime | None] | None:
    """(backend status or "missing", started_at) of the run's current attempt, None if unknowable."""
    try:
        backend = task_backends[run.backend]
    except Exception:
        return None
    if not backend.supports_get_result:
        return None
    try:
        result = backend.get_result(run.result_id)
    except TaskResultDoesNotExist:
        return ("missing", None)
    except Exception:
        logger.exception("Could not read the backend result of task run %s", run.pk)
        return None
    return (str(result.status), result.started_at)


# --- Periodic jobs -----------------------------------------------------------------------------


@dataclass
class PeriodicJob:
    """A callable the worker's housekeeping thread runs every `every_seconds` (at least)."""

    name: str
    every_seconds: float
    function: Callable[[], Any]
    last_started: float | None = None


_PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every_seconds: float, function: Callable[[], Any]) -> None:
    """Run `function()` from every worker's housekeeping thread about every `every_seconds`.

    Call it from an AppConfig.ready(); registering a name again replaces the job. Several workers
    run the same job, so it must be safe to run concurrently (claim rows with a conditional
    UPDATE, guard effects with `once`).
    """
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive.")
    _PERIODIC_JOBS[name] = PeriodicJob(name=name, every_seconds=float(every_seconds), function=function)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_PERIODIC_JOBS.values())


def periodic_jobs_run(*, clock: Callable[[], float] = time.monotonic, force: bool = False) -> list[str]:
    """Run each registered job that is due (all of them with `force`); return the names run.

    A job that raises is logged and does not stop the others, nor the thread calling this.
    """
    ran = []
    for job in periodic_jobs():
        now = clock()
        if not force and job.last_started is not None and now - job.last_started < job.every_seconds:
            continue
        job.last_started = now
        ran.append(job.name)
        try:
            job.function()
        except Exception:
            logger.exception("Periodic job %s failed; it runs again at its next turn", job.name)
    return ran


# --- Workers ------------------------------------------------------------------------------------


def worker_heartbeat_write(*, worker_id: str, backend: str, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": now},
        create_defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "backend": backend,
            "started_at": started_at,
            "last_seen": now,
        },
    )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=7)).delete()


def worker_heartbeat_remove(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
