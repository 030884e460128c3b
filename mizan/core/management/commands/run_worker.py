"""Run the background worker for the configured task backend, plus Mizan's housekeeping.

`manage.py run_worker` works the same way whatever TASK_BACKEND says: the database backend's
worker (django-tasks-db) or an RQ worker runs the tasks, and a housekeeping thread writes this
worker's heartbeat and reaps work whose worker was lost (mizan.core.background).
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from mizan.core.background import (
    current_worker_id,
    is_database_backend,
    new_worker_id,
    periodic_jobs_run,
    set_worker_id,
    task_runs_reap,
    worker_heartbeat_remove,
    worker_heartbeat_write,
)

logger = logging.getLogger("mizan.background")
_SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else [])


class Housekeeping(threading.Thread):
    """Every `interval` seconds: this worker's heartbeat row, one pass of the reaper, then the
    periodic jobs that are due (mizan.core.background.register_periodic)."""

    def __init__(self, *, worker_id: str, backend: str, interval: float) -> None:
        super().__init__(name="mizan-housekeeping", daemon=True)
        self.worker_id = worker_id
        self.backend = backend
        self.interval = interval
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self.tick()
                if self.stopped.wait(self.interval):
                    return
        finally:
            connection.close()

    def tick(self) -> None:
        close_old_connections()
        try:
            worker_heartbeat_write(worker_id=self.worker_id, backend=self.backend, started_at=self.started_at)
            task_runs_reap()
        except Exception:  # keep the worker alive; the next tick tries again
            logger.exception("Background housekeeping failed")
        periodic_jobs_run()  # logs each failing job itself

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=10)
        try:
            worker_heartbeat_remove(worker_id=self.worker_id)
        except Exception:
            logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend (TASK_BACKEND), with the reaper."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue-name", default="", help="Queues to work, comma separated (default: all).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle (database).")
        parser.add_argument(
            "--housekeeping-interval",
            type=float,
            default=None,
            help="Seconds between heartbeats and reaper passes (default: a third of TASK_LEASE_SECONDS, at most 10).",
        )
        parser.add_argument(
            "--burst", action="store_true", help="One reaper pass, then work until the queue is empty and exit."
        )
        parser.add_argument("--worker-id", default="", help="Unique id of this worker (default: host:pid:random).")
        parser.add_argument(
            "--no-fork",
            action="store_true",
            help="RQ only: run jobs in the worker process (rq SimpleWorker) instead of a forked child.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        worker_id = (options["worker_id"] or new_worker_id())[:64]
        set_worker_id(worker_id)
        queues = [q for q in options["queue_name"].split(",") if q] or sorted(backend.queues)
        interval = options["housekeeping_interval"] or min(10.0, settings.TASK_LEASE_SECONDS / 3)
        housekeeping = Housekeeping(worker_id=worker_id, backend=settings.TASK_BACKEND, interval=interval)
        if is_database_backend(backend):
            run = self.run_database_worker
        elif type(backend).__name__ == "RQBackend":
            run = self.run_rq_worker
        else:
            raise CommandError(
                f"TASK_BACKEND={settings.TASK_BACKEND} runs tasks inside the web process; no worker is needed."
            )
        self.stdout.write(f"Worker {current_worker_id()} ({settings.TASK_BACKEND}) on queues {','.join(queues)}")
        previous_handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS}
        if options["burst"]:
            housekeeping.tick()  # one heartbeat and reaper pass, then drain the queue
        else:
            housekeeping.start()
        try:
            run(queues=queues, options=options)
        finally:
            housekeeping.stop()
            for sig, handler in previous_handlers.items():  # the workers install their own
                signal.signal(sig, handler)

    def run_database_worker(self, *, queues: list[str], options: dict[str, Any]) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["burst"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=current_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()

    def run_rq_worker(self, *, queues: list[str], options: dict[str, Any]) -> None:
        import django_rq
        from rq import SimpleWorker

        connection.close()  # never share a database socket with a forked work horse
        worker = django_rq.get_worker(
            *queues,
            job_class="django_tasks_rq.Job",
            worker_class=SimpleWorker if options["no_fork"] else None,
            name=current_worker_id(),
        )
        worker.work(burst=options["burst"], with_scheduler=not options["burst"])
