"""The set-up pieces agree with each other: npm packages, static paths, shell scripts, locks."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[3]
VENDOR_FILES = [
    "vendor/bootstrap/css/bootstrap.rtl.min.css",
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/htmx/htmx.min.js",
    "vendor/sortablejs/Sortable.min.js",
    "vendor/chartjs/chart.umd.js",
]


def test_package_json_pins_exact_versions_that_the_lock_installs() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())

    assert package["private"] is True
    expected_majors = {
        "bootstrap": "5.3.",
        "htmx.org": "2.",
        "chart.js": "4.",
        "sortablejs": "1.",
        "bootstrap-icons": "1.",
        # The PDF font (Arabic and Latin in one design), read by WeasyPrint from node_modules.
        "@fontsource/ibm-plex-sans-arabic": "5.",
    }
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly, not {version}"
        assert version.startswith(expected_majors[name])
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert set(package["dependencies"]) == set(expected_majors)


@pytest.mark.skipif(not (ROOT / "node_modules").is_dir(), reason="node_modules is not installed (run npm ci)")
@pytest.mark.parametrize("path", VENDOR_FILES)
def test_vendor_static_files_are_found(path: str) -> None:
    assert finders.find(path), f"{path} is not served: check STATICFILES_DIRS against node_modules"


def test_every_staticfiles_dir_exists_when_node_modules_is_installed() -> None:
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules is not installed")
    assert len(settings.STATICFILES_DIRS) == 5


@pytest.mark.parametrize("script", ["bin/run", "bin/test", "bin/setup-common", ".ci/run"])
def test_shell_scripts_parse(script: str) -> None:
    path = ROOT / script
    assert path.exists()
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if script != "bin/setup-common":
        assert path.stat().st_mode & 0o111, f"{script} must be executable"


def test_ci_runs_the_test_command_on_both_databases_and_fails_fast() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert re.search(r"^bin/test\b(?! --db)", ci, re.MULTILINE)
    assert re.search(r"^bin/test --db postgres", ci, re.MULTILINE)


def test_lock_files_pin_every_package_with_a_hash() -> None:
    for lock in ("requirements/base.lock", "requirements/dev.lock"):
        text = (ROOT / lock).read_text()
        requirements = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==", text, re.MULTILINE)
        assert requirements, lock
        blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.MULTILINE)
        for block in blocks:
            if "==" in block.split("\n", 1)[0]:
                assert "--hash=sha256:" in block, f"{block.splitlines()[0]} in {lock} has no hash"
    base = (ROOT / "requirements/base.lock").read_text().lower()
    for runtime in ("django==", "gunicorn==", "whitenoise==", "babel=="):
        assert runtime in base


def test_gitignore_keeps_generated_files_out() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", "node_modules/", "var/", "*.mo", "test-artifacts/"):
        assert entry in ignored
