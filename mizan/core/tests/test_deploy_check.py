"""A production configuration passes Django's deployment checklist with nothing to report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_SECRET = "production-test-secret-" + "s3cr3t" * 8
#: Variables of the surrounding shell that would change the outcome; each test sets its own.
_DEPLOYMENT_VARIABLES = {
    "MIZAN_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "TASK_BACKEND",
    "BEHIND_TLS_PROXY",
}


def _manage(args: list[str], env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DEPLOYMENT_VARIABLES and not key.startswith(("DJANGO_", "SECURE_", "EMAIL_"))
    }
    env.update({"SQLITE_PATH": str(tmp_path / "deploy.sqlite3"), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "MIZAN_ENV": "production",
            "SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "mizan.example.com",
            "SITE_URL": "https://mizan.example.com",
        },
        tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_production_install_with_debug_on(tmp_path: Path) -> None:
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "MIZAN_ENV": "production",
            "SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "mizan.example.com",
            "DEBUG": "true",
        },
        tmp_path,
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env = {"MIZAN_ENV": "production", "ALLOWED_HOSTS": "mizan.example.com"}
    result = _manage(["check"], env, tmp_path)

    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required." in result.stderr
