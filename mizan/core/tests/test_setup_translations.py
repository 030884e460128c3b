"""`manage.py compile_translations`: .po -> .mo in pure Python, readable by gettext."""

from __future__ import annotations

import gettext
import os
from pathlib import Path

from django.core.management import call_command

from mizan.core.management.commands.compile_translations import compile_catalog

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;\\n"

msgid "Invoices"
msgstr "الفواتير"

msgid "%(count)s client"
msgid_plural "%(count)s clients"
msgstr[0] "لا عملاء"
msgstr[1] "عميل واحد"
msgstr[2] "عميلان"
msgstr[3] "%(count)s عملاء"
msgstr[4] "%(count)s عميلًا"
msgstr[5] "%(count)s عميل"

#, fuzzy
msgid "Draft"
msgstr "مسودة غير مؤكدة"
"""


def _write_po(tmp_path: Path) -> Path:
    po_path = tmp_path / "ar" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text(PO, encoding="utf-8")
    return po_path


def test_compiled_catalog_translates_plurals_and_leaves_fuzzy_out(tmp_path: Path) -> None:
    po_path = _write_po(tmp_path)

    assert compile_catalog(po_path) is True

    with po_path.with_suffix(".mo").open("rb") as mo_file:
        catalog = gettext.GNUTranslations(mo_file)
    assert catalog.gettext("Invoices") == "الفواتير"
    assert catalog.ngettext("%(count)s client", "%(count)s clients", 2) == "عميلان"
    assert catalog.ngettext("%(count)s client", "%(count)s clients", 11) == "%(count)s عميلًا"
    assert catalog.gettext("Draft") == "Draft"


def test_up_to_date_catalog_is_not_recompiled(tmp_path: Path) -> None:
    po_path = _write_po(tmp_path)
    compile_catalog(po_path)
    mo_path = po_path.with_suffix(".mo")
    later = po_path.stat().st_mtime + 10
    os.utime(mo_path, (later, later))

    assert compile_catalog(po_path) is False
    assert compile_catalog(po_path, force=True) is True


def test_command_compiles_locale_paths(tmp_path: Path, settings, capsys) -> None:
    po_path = _write_po(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compile_translations")

    assert po_path.with_suffix(".mo").exists()
    assert "compiled" in capsys.readouterr().out
