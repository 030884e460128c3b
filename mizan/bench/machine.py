"""The machine a benchmark ran on: CPU, memory, OS, Python, Django, git commit, date."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import django
from django.conf import settings


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine_load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (other work on the machine disturbs timings)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _git(*args: str) -> str:
    try:
        completed = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def git_details() -> dict[str, Any]:
    commit = _git("rev-parse", "HEAD")
    return {"commit": commit or None, "dirty": bool(_git("status", "--porcelain")) if commit else None}


def machine_details() -> dict[str, Any]:
    """Plain JSON values; `load_average` shows whether something else was running at the time."""
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average": machine_load(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
