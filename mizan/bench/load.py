"""Load test (issue 6, item 5): gunicorn on loopback under wrk, on a kept dataset M.

`manage.py bench load --database postgres --dataset mizan_m1` starts gunicorn (`--workers`
processes, sync by default as `bin/run` starts it, gthread with `--threads` above 1; measured on
2 cores, 2 sync workers served twice the requests of 2 x 4 gthread threads: docs/benchmarks.md),
pointed at the dataset's database, then for each
target runs `wrk` with `--connections` concurrent connections for `--duration` seconds and reads
requests per second, p50/p95/p99 latency and errors from a small Lua script's JSON summary. The
API call authenticates with a token, the dashboard with the owner's session, both made by a child
process in the dataset's database beforehand. wrk comes from Debian (`apt-get install wrk`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

from mizan.bench.runner import BenchError

#: What the load runs against: (key, label, path, how it authenticates).
LOAD_TARGETS = (
    ("api_invoices", "API: invoice list", "/api/v1/billing/invoices/", "token"),
    ("dashboard", "Home dashboard", "/", "session"),
)

#: wrk's summary as one JSON line (latencies in microseconds; non-2xx/3xx answers count as errors).
WRK_SCRIPT = """
local headers = {}
for line in io.lines(os.getenv("MIZAN_BENCH_HEADERS")) do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
request = function() return wrk.format("GET", nil, headers) end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def credentials() -> dict[str, str]:
    """(In the child) an API token and a logged-in session cookie for the dataset's owner."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from mizan.bench.pages import PagesError, _owner, api_token, bench_organization

    org = bench_organization()
    membership = _owner(org)
    if membership is None:
        raise PagesError("The dataset's organization has no active owner.")
    user = membership.user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "token": api_token(membership),
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def require_ok(url: str, headers: dict[str, str]) -> None:
    """The target answers 200 with these credentials: wrk counts a redirect to the sign-in page
    as a success, so a rejected session would otherwise time the wrong page."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        status = opener.open(urllib.request.Request(url, headers=headers), timeout=30).status  # noqa: S310
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise BenchError(f"{url} answered {status}, not 200, before the load test: check the credentials.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped with exit status {server.returncode} before answering.")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own loopback server)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within {seconds:.0f} s.")


def worker_class(threads: int) -> str:
    """One thread: gunicorn's sync workers, which close the connection after each answer, so
    every request goes to the next free process. Threads: gthread, where a worker keeps the
    keep-alive connections it accepted (one busy process under wrk's persistent connections)."""
    return "sync" if threads == 1 else "gthread"


UNTHROTTLED = "1000000/minute"


def start_gunicorn(env: dict[str, str], *, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "mizan.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        worker_class(threads),
        "--log-level",
        "warning",
    ]
    # The per-user API rate limit would answer most of the load with 429 (it is per process, so
    # it showed only once the server passed 2 x 20 requests a second): this measures the server.
    env = {**env, "API_THROTTLE_USER": UNTHROTTLED}
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)  # noqa: S603
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/static/core/css/mizan.css", server)
    except BaseException:
        stop_gunicorn(server)
        raise
    return server


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_wrk(url: str, headers: dict[str, str], *, connections: int, duration: int, threads: int = 2) -> dict[str, Any]:
    """One wrk run; its summary with milliseconds, requests per second and total errors."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed: `apt-get install wrk` (Debian), then run the load test again.")
    with tempfile.TemporaryDirectory() as tmp:
        script, header_file = Path(tmp) / "summary.lua", Path(tmp) / "headers.txt"
        script.write_text(WRK_SCRIPT)
        header_file.write_text("".join(f"{name}: {value}\n" for name, value in headers.items()))
        completed = subprocess.run(  # noqa: S603
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script), url],
            capture_output=True,
            text=True,
            env={**os.environ, "MIZAN_BENCH_HEADERS": str(header_file)},
            check=False,
        )
    summary_line = next((line for line in completed.stdout.splitlines() if line.startswith('{"requests"')), None)
    if completed.returncode != 0 or summary_line is None:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout.strip()}")
    raw = json.loads(summary_line)
    errors = sum(raw[name] for name in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1_000_000), 1),
        **{f"{name}_ms": round(raw[f"{name}_us"] / 1000, 1) for name in ("p50", "p95", "p99", "max")},
        "errors": errors,
        "error_detail": {name: raw[name] for name in raw if name.endswith(("_errors", "timeouts"))},
    }


def run_load(
    env: dict[str, str],
    secrets: dict[str, str],
    *,
    connections: int,
    duration: int,
    workers: int,
    threads: int,
) -> dict[str, Any]:
    """Start gunicorn on the dataset, load each target in turn, stop it."""
    port = _free_port()
    auth = {"token": {"Authorization": f"Bearer {secrets['token']}"}, "session": {"Cookie": secrets["cookie"]}}
    server = start_gunicorn(env, port=port, workers=workers, threads=threads)
    try:
        for _key, _label, path, how in LOAD_TARGETS:
            require_ok(f"http://127.0.0.1:{port}{path}", auth[how])
        results = []
        for key, label, path, how in LOAD_TARGETS:
            url = f"http://127.0.0.1:{port}{path}"
            headers = {**auth[how], "Accept-Language": "ar"}
            results.append(
                {
                    "key": key,
                    "label": label,
                    "path": path,
                    **run_wrk(url, headers, connections=connections, duration=duration),
                }
            )
    finally:
        stop_gunicorn(server)
    return {
        "workload": "load",
        "server": {
            "program": "gunicorn",
            "worker_class": worker_class(threads),
            "workers": workers,
            "threads": threads,
        },
        "load": {"program": "wrk", "connections": connections, "duration_seconds": duration},
        "targets": results,
    }


def format_table(report: dict[str, Any]) -> str:
    server, load = report["server"], report["load"]
    lines = [
        f"{report['dataset']}: gunicorn {server['workers']} workers x {server['threads']} threads "
        f"({server['worker_class']}); "
        f"wrk {load['connections']} connections for {load['duration_seconds']} s",
        f"{'target':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'requests':>10}{'errors':>8}",
    ]
    for target in report["targets"]:
        lines.append(
            f"{target['label']:<22}{target['requests_per_second']:>9.1f}{target['p50_ms']:>9.1f}"
            f"{target['p95_ms']:>9.1f}{target['p99_ms']:>9.1f}{target['max_ms']:>9.1f}"
            f"{target['requests']:>10,}{target['errors']:>8}"
        )
    return "\n".join(lines)
