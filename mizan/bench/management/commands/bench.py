"""`manage.py bench w1 --scale 0.1 [--database sqlite|postgres] [--json out.json] [--trace]`;
`manage.py bench dataset-m --scale 0.1 [--database ...] [--path auto|services|bulk] [--keep NAME]`.

W1 runs in a fresh database (never the configured one), prints a table of the stages and writes
the JSON report; exits non-zero when a figure differs from W1's expected totals. dataset-m builds
dataset M in a fresh database, checks its invariants (non-zero exit when one is broken) and, with
--keep, leaves the database for the page timings. See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.bench import runner

WORKLOADS = ("w1", "dataset-m")


class Command(BaseCommand):
    help = "Run a benchmark workload through Mizan's services in a fresh database (see docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "workload",
            choices=WORKLOADS,
            help="The workload: w1 (a service company's year) or dataset-m (a mid-size organization).",
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size relative to the spec (1 = 200 customers, 2,000 invoices)."
        )
        parser.add_argument("--database", choices=runner.DATABASES, default="sqlite", help="Where to run it.")
        parser.add_argument(
            "--postgres-url",
            default=os.environ.get("BENCH_POSTGRES_URL", runner.DEFAULT_POSTGRES_URL),
            help="A PostgreSQL server where a temporary database may be created and dropped "
            "(default: $BENCH_POSTGRES_URL or %(default)s).",
        )
        parser.add_argument("--json", dest="json_path", help="Write the report (with machine details) here.")
        parser.add_argument("--trace", action="store_true", help="Also count statements by kind and table per stage.")
        parser.add_argument(
            "--path",
            choices=("auto", "services", "bulk"),
            default="auto",
            help="dataset-m: write billing through the services, in bulk, or bulk from 2,000 invoices on (auto).",
        )
        parser.add_argument(
            "--keep",
            default="",
            help="dataset-m: keep the database: a new SQLite file path, or a new PostgreSQL database name.",
        )
        # Internal: the child process that runs the workload inside the fresh database.
        parser.add_argument("--worker-output", help="(internal) run here and write the raw result to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("The scale must be greater than zero.")
        if options["worker_output"]:
            self._work(options)
            return
        if options["workload"] == "dataset-m":
            self._dataset_m(options)
            return
        try:
            report = runner.run_in_fresh_database(
                options["workload"],
                scale=options["scale"],
                database=options["database"],
                postgres_url=options["postgres_url"],
                trace=options["trace"],
            )
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(runner.format_table(report))
        if options["trace"]:
            self.stdout.write(runner.format_trace(report))
        if options["json_path"]:
            path = runner.write_json(report, options["json_path"])
            self.stdout.write(f"report written to {path}")
        if not report["checks"]["passed"]:
            raise CommandError("W1's figures differ from the expected totals (see the checks above).")

    def _dataset_m(self, options: dict[str, Any]) -> None:
        from mizan.bench import dataset_m

        try:
            report = dataset_m.run_in_fresh_database(
                options["scale"],
                database=options["database"],
                path=options["path"],
                postgres_url=options["postgres_url"],
                keep=options["keep"],
            )
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(dataset_m.format_table(report))
        if options["json_path"]:
            path = runner.write_json(report, options["json_path"])
            self.stdout.write(f"report written to {path}")
        if not report["checks"]["passed"]:
            raise CommandError("Dataset M breaks the invariants listed above.")

    def _work(self, options: dict[str, Any]) -> None:
        """In the child: refuse anything but a fresh database, run, write the raw result."""
        from mizan.bench.w1 import run_w1
        from mizan.core.models import Organization

        if os.environ.get(runner.WORKER_ENV) != "1":
            raise CommandError("--worker-output is internal: run `manage.py bench <workload>` without it.")
        if Organization.objects.exists():
            raise CommandError("The benchmark runs only in a fresh database; this one has organizations.")
        say = lambda text: self.stderr.write(text)  # noqa: E731
        if options["workload"] == "dataset-m":
            from mizan.bench.dataset_m import build_dataset_m

            result = build_dataset_m(options["scale"], path=options["path"], progress=say)
        else:
            result = run_w1(options["scale"], trace=options["trace"], progress=say)
        Path(options["worker_output"]).write_text(json.dumps(result.as_dict(), ensure_ascii=False))
