"""Settings read from the environment refuse bad values with a message naming the variable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mizan.env import env_bool, env_choice, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("YES", True), (" 1 ", True), ("off", False), ("0", False), ("", False)]
)
def test_env_bool_accepts_the_usual_spellings(monkeypatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("MIZAN_FLAG", raw)
    assert env_bool("MIZAN_FLAG", not expected) is expected


def test_env_bool_rejects_maybe(monkeypatch) -> None:
    monkeypatch.setenv("MIZAN_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"MIZAN_FLAG='maybe' is not a boolean"):
        env_bool("MIZAN_FLAG", False)


def test_env_int_rejects_text_and_out_of_range(monkeypatch) -> None:
    monkeypatch.setenv("MIZAN_NUMBER", "abc")
    with pytest.raises(ImproperlyConfigured, match=r"MIZAN_NUMBER='abc' is not an integer"):
        env_int("MIZAN_NUMBER", 1)
    monkeypatch.setenv("MIZAN_NUMBER", "3")
    with pytest.raises(ImproperlyConfigured, match=r"MIZAN_NUMBER=3 is below the minimum 5"):
        env_int("MIZAN_NUMBER", 10, minimum=5)
    monkeypatch.setenv("MIZAN_NUMBER", "70000")
    with pytest.raises(ImproperlyConfigured, match=r"above the maximum 65535"):
        env_int("MIZAN_NUMBER", 25, maximum=65535)


def test_env_str_list_and_choice(monkeypatch) -> None:
    monkeypatch.delenv("MIZAN_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MIZAN_REQUIRED is required"):
        env_str("MIZAN_REQUIRED")
    monkeypatch.setenv("MIZAN_HOSTS", " a.example.com, ,b.example.com ")
    assert env_list("MIZAN_HOSTS") == ["a.example.com", "b.example.com"]
    monkeypatch.setenv("MIZAN_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="MIZAN_MODE='staging' is not one of: a, b"):
        env_choice("MIZAN_MODE", ["a", "b"], "a")


# Each case imports mizan.settings afresh under its own environment, all in one subprocess (fast).
_PROBE = """
import importlib, json, os, sys
cases = json.loads(sys.argv[1])
base = dict(os.environ)
results = {}
for name, env in cases.items():
    os.environ.clear()
    os.environ.update(base)
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    sys.modules.pop("mizan.settings", None)
    try:
        module = importlib.import_module("mizan.settings")
        results[name] = "ok"
        results[name + "/cache"] = module.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        results[name + "/tasks"] = module.TASK_BACKEND
    except Exception as error:
        results[name] = type(error).__name__ + ": " + str(error)
print(json.dumps(results))
"""

_CLEAN = {
    "MIZAN_ENV": None,
    "DEBUG": None,
    "SECRET_KEY": None,
    "REDIS_URL": None,
    "TASK_BACKEND": None,
    "DATABASE_URL": None,
    "EMAIL_USE_TLS": None,
    "EMAIL_USE_SSL": None,
    "SQLITE_PATH": None,
}
_GOOD_SECRET = "k" * 60

CASES = {
    "development default": ({}, "ok"),
    "debug maybe": ({"DEBUG": "maybe"}, "Environment variable DEBUG='maybe' is not a boolean"),
    "port abc": ({"EMAIL_PORT": "abc"}, "Environment variable EMAIL_PORT='abc' is not an integer"),
    "rq without redis": ({"TASK_BACKEND": "rq"}, "TASK_BACKEND=rq needs REDIS_URL"),
    "unknown backend": ({"TASK_BACKEND": "celery"}, "TASK_BACKEND='celery' is not one of: database, rq, immediate"),
    "production without secret": ({"MIZAN_ENV": "production"}, "Environment variable SECRET_KEY is required"),
    "production short secret": (
        {"MIZAN_ENV": "production", "SECRET_KEY": "short"},
        "SECRET_KEY must be at least 50 characters long in production",
    ),
    "test with redis": ({"MIZAN_ENV": "test", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "ok"),
    "development with redis": ({"MIZAN_ENV": "development", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "ok"),
    "production ok": ({"MIZAN_ENV": "production", "SECRET_KEY": _GOOD_SECRET, "ALLOWED_HOSTS": "a.example"}, "ok"),
    "sqlite url": ({"DATABASE_URL": "sqlite:///x.db"}, "Use SQLITE_PATH (not DATABASE_URL) for SQLite"),
    "tls and ssl": ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "cannot both be true"),
}


@pytest.fixture(scope="module")
def probe_results(tmp_path_factory) -> dict[str, str]:
    sqlite_path = str(tmp_path_factory.mktemp("settings") / "probe.sqlite3")
    cases = {name: {**_CLEAN, "SQLITE_PATH": sqlite_path, **env} for name, (env, _expected) in CASES.items()}
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(CASES))
def test_settings_reject_bad_environment_clearly(probe_results: dict[str, str], case: str) -> None:
    expected = CASES[case][1]
    if expected == "ok":
        assert probe_results[case] == "ok"
    else:
        assert probe_results[case].startswith("ImproperlyConfigured: ")
        assert expected in probe_results[case]


def test_redis_url_moves_cache_and_queue_to_redis_except_under_tests(probe_results: dict[str, str]) -> None:
    assert probe_results["development with redis/cache"] == "RedisCache"
    assert probe_results["development with redis/tasks"] == "rq"
    # Tests stay hermetic: a per-process cache and tasks run at once; `redis` tests connect themselves.
    assert probe_results["test with redis/cache"] == "LocMemCache"
    assert probe_results["test with redis/tasks"] == "immediate"
