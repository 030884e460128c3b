"""`manage.py bench w1 --scale 0.1 [--database sqlite|postgres] [--json out.json] [--trace]`;
`manage.py bench dataset-m --scale 0.1 [--database ...] [--path auto|services|bulk] [--keep NAME]`;
`manage.py bench pages --database ... --dataset NAME [--dataset NAME2] [--requests 30]`;
`manage.py bench load --database ... --dataset NAME [--connections 16] [--duration 30]`;
`manage.py bench drop --database ... --dataset NAME` (only a database that dataset-m built).

W1 runs in a fresh database (never the configured one), prints a table of the stages and writes
the JSON report; exits non-zero when a figure differs from W1's expected totals. dataset-m builds
dataset M in a fresh database, checks its invariants (non-zero exit when one is broken) and, with
--keep, leaves the database for the page timings. pages and load run against such a kept
database (never a fresh one): page and API timings with their floors, and gunicorn under wrk.
See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.bench import runner

WORKLOADS = ("w1", "dataset-m", "pages", "load", "drop")


class Command(BaseCommand):
    help = "Run a benchmark workload through Mizan's services in a fresh database (see docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "workload",
            choices=WORKLOADS,
            help="w1 (a service company's year), dataset-m (build a mid-size organization), "
            "pages (page and API timings on a kept dataset M), load (gunicorn under wrk on it) or drop "
            "(remove a kept dataset M).",
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
        parser.add_argument(
            "--dataset",
            action="append",
            default=[],
            help="pages, load: a database built by `dataset-m --keep` (a PostgreSQL database name or a "
            "SQLite file); pages takes several (smallest first) and shows the growth.",
        )
        parser.add_argument("--requests", type=int, default=30, help="pages: timed requests per page (default 30).")
        parser.add_argument("--only", default="", help="pages: comma-separated target keys (default: all).")
        parser.add_argument("--connections", type=int, default=16, help="load: concurrent connections.")
        parser.add_argument("--duration", type=int, default=30, help="load: seconds per target.")
        parser.add_argument("--workers", type=int, default=2, help="load: gunicorn worker processes.")
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="load: threads per gunicorn worker (1: sync workers, as bin/run; more: gthread).",
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
        if options["workload"] in ("pages", "load"):
            self._on_datasets(options)
            return
        if options["workload"] == "drop":
            self._drop(options)
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

    def _drop(self, options: dict[str, Any]) -> None:
        if not options["dataset"]:
            raise CommandError("Name the dataset to remove: --dataset.")
        for dataset in options["dataset"]:
            try:
                runner.drop_dataset(options["database"], dataset, postgres_url=options["postgres_url"])
            except runner.BenchError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"removed {dataset}")

    def _on_datasets(self, options: dict[str, Any]) -> None:
        """pages / load: a child process per kept dataset does the database work."""
        from mizan.bench import load, pages

        if not options["dataset"]:
            raise CommandError("Name the dataset: --dataset (built by `bench dataset-m --keep NAME`).")
        if options["requests"] < 1 or options["connections"] < 1 or options["duration"] < 1:
            raise CommandError("--requests, --connections and --duration must be at least 1.")
        load_before = runner.machine_load()
        reports = []
        try:
            for dataset in options["dataset"]:
                env = runner._child_env(
                    runner.dataset_env(options["database"], dataset, postgres_url=options["postgres_url"])
                )
                if options["workload"] == "pages":
                    args = ["bench", "pages", "--requests", str(options["requests"]), "--only", options["only"]]
                    result = runner.run_child(args, env)
                else:
                    secrets = runner.run_child(["bench", "load"], env)
                    result = load.run_load(
                        {key: value for key, value in env.items() if key != runner.WORKER_ENV},
                        secrets,
                        connections=options["connections"],
                        duration=options["duration"],
                        workers=options["workers"],
                        threads=options["threads"],
                    )
                result["dataset"] = dataset
                reports.append(runner.build_report(result, load_before=load_before))
        except runner.BenchError as error:
            raise CommandError(str(error)) from error
        if options["workload"] == "pages":
            self.stdout.write(pages.format_table(reports))
            report: dict[str, Any] = {"runs": reports}
            if len(reports) > 1:
                report["growth"] = pages.growth(reports[0], reports[-1])
        else:
            self.stdout.write("\n\n".join(load.format_table(one) for one in reports))
            report = {"runs": reports}
        if options["json_path"]:
            path = runner.write_json(report, options["json_path"])
            self.stdout.write(f"report written to {path}")

    def _work(self, options: dict[str, Any]) -> None:
        """In the child: refuse anything but a fresh database, run, write the raw result."""
        from mizan.bench.w1 import run_w1
        from mizan.core.models import Organization

        if os.environ.get(runner.WORKER_ENV) != "1":
            raise CommandError("--worker-output is internal: run `manage.py bench <workload>` without it.")
        if options["workload"] in ("pages", "load"):
            self._work_on_dataset(options)
            return
        if Organization.objects.exists():
            raise CommandError("The benchmark runs only in a fresh database; this one has organizations.")
        say = lambda text: self.stderr.write(text)  # noqa: E731
        if options["workload"] == "dataset-m":
            from mizan.bench.dataset_m import build_dataset_m

            result = build_dataset_m(options["scale"], path=options["path"], progress=say)
        else:
            result = run_w1(options["scale"], trace=options["trace"], progress=say)
        Path(options["worker_output"]).write_text(json.dumps(result.as_dict(), ensure_ascii=False))

    def _work_on_dataset(self, options: dict[str, Any]) -> None:
        """In the child, inside a kept dataset: the page timings, or the load test's credentials."""
        from mizan.bench import load, pages

        say = lambda text: self.stderr.write(text)  # noqa: E731
        try:
            if options["workload"] == "pages":
                only = [key for key in options["only"].split(",") if key]
                result = pages.run_pages(requests=options["requests"], only=only, progress=say)
            else:
                result = load.credentials()
        except pages.PagesError as error:
            raise CommandError(str(error)) from error
        Path(options["worker_output"]).write_text(json.dumps(result, ensure_ascii=False))
