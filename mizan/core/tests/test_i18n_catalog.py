"""The Arabic catalog is complete: no entry left untranslated or fuzzy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

CATALOG = Path(settings.BASE_DIR) / "mizan" / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def catalog_problems(path: Path) -> list[str]:
    """One line per entry that is untranslated (any plural form empty) or marked fuzzy."""
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale="ar")
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif not all(strings):
            problems.append(f"untranslated: {msgid!r} ({where})")
    return problems


def test_catalog_problems_finds_untranslated_and_fuzzy(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Done"\nmsgstr "تم"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guess"\nmsgstr "تخمين"\n\n'
        'msgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "عنصر"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    assert catalog_problems(po) == [
        "untranslated: 'Missing' ()",
        "fuzzy: 'Guess' ()",
        "untranslated: '%(n)s item' ()",
    ]


def test_arabic_catalog_is_complete():
    assert CATALOG.exists(), f"The Arabic catalog {CATALOG} does not exist: run makemessages -l ar and translate it."
    problems = catalog_problems(CATALOG)
    assert not problems, f"{len(problems)} catalog entries need work:\n" + "\n".join(problems)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is needed to extract messages")
def test_every_string_in_the_code_is_in_the_arabic_catalog(tmp_path, settings):
    """Extract the messages afresh into a copy of the catalog: nothing new may be left untranslated.

    The project's own locale folder is ignored, else makemessages would write into it (it adds
    every `locale` folder it walks past) and leave the copy untouched.
    """
    copy = tmp_path / "ar" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOG, copy)
    settings.LOCALE_PATHS = [tmp_path]
    call_command(
        "makemessages", locale=["ar"], ignore_patterns=[".venv/*", "node_modules/*", "var/*", "*/locale"], verbosity=0
    )
    problems = catalog_problems(copy)
    assert not problems, (
        f"{len(problems)} strings are missing from the Arabic catalog; run "
        "`manage.py makemessages -l ar` and translate them:\n" + "\n".join(problems)
    )
