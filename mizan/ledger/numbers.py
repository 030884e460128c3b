"""Typed numbers as an accountant in Riyadh or Cairo types them.

An Arabic keyboard gives Arabic-Indic digits (٠-٩, or the Persian forms ۰-۹), the Arabic decimal
separator ٫ and the Arabic thousands separator ٬; spreadsheets and habit add "1,234.50". The entry
form's live balance check (ledger-entry-form.js) reads all of these, so the server must read them
the same way, or a line shown as balanced is refused as "Enter a number."
"""

from __future__ import annotations

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
#: Thousands separators (Arabic, Latin comma, spaces) and the direction marks a paste can carry.
_IGNORED = str.maketrans("", "", "٬, \u00a0\u202f\u200e\u200f\u061c")


def normalize_number(text: str) -> str:
    """ "١٬٢٠٠٫٥٠" or "1,200.50" -> "1200.50"; anything else is returned for Decimal to judge."""
    return text.strip().translate(_DIGITS).translate(_IGNORED).replace("٫", ".")
