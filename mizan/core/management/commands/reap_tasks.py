"""Re-queue background work whose worker was lost (run_worker also does this every few seconds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mizan.core.background import task_runs_reap


class Command(BaseCommand):
    help = "Re-queue (or fail, past their attempt cap) tasks whose worker stopped mid-task."

    def handle(self, *args: Any, **options: Any) -> None:
        report = task_runs_reap()
        self.stdout.write(f"Re-queued {len(report.requeued)}, failed {len(report.failed)}.")
