"""Compile every .po catalog of the project into a .mo file, in pure Python (Babel).

Django's own `compilemessages` shells out to GNU gettext's `msgfmt`, a system package a fresh
machine may not have. Babel is already a dependency, so this command removes that requirement.
Fuzzy entries are left out, as msgfmt does by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_directories() -> list[Path]:
    """LOCALE_PATHS first, then each installed app's own locale folder (where Django looks)."""
    directories = [Path(path) for path in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        # Only the project's own apps: third-party packages ship their .mo files already.
        if config.name.split(".")[0] == "mizan":
            directories.append(Path(config.path) / "locale")
    unique: list[Path] = []
    for directory in directories:
        if directory.is_dir() and directory.resolve() not in {d.resolve() for d in unique}:
            unique.append(directory)
    return unique


def compile_catalog(po_path: Path, *, force: bool = False) -> bool:
    """Write the .mo beside the .po; returns False when the .mo was already up to date."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, abort_invalid=True)
    if catalog.locale is None:
        # Babel writes the Plural-Forms header only for a catalog with a locale; without it
        # gettext would fall back to English plurals. The folder name is the language.
        catalog.locale = po_path.parent.parent.name
    temporary = mo_path.with_suffix(".mo.tmp")
    with temporary.open("wb") as mo_file:
        write_mo(mo_file, catalog, use_fuzzy=False)
    temporary.replace(mo_path)
    return True


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogs to .mo files without GNU gettext."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Recompile even when the .mo file is newer.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        compiled = unchanged = 0
        for directory in locale_directories():
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                try:
                    changed = compile_catalog(po_path, force=force)
                except Exception as error:
                    raise CommandError(f"Cannot compile {po_path}: {error}") from error
                if changed:
                    compiled += 1
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"compiled {po_path}")
                else:
                    unchanged += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"Translations: {compiled} compiled, {unchanged} up to date.")
