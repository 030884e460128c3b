"""Typed numbers as an accountant in Riyadh or Cairo types them.

An Arabic keyboard gives Arabic-Indic digits (٠-٩, or the Persian forms ۰-۹), the Arabic decimal
separator ٫ and the Arabic thousands separator ٬; spreadsheets and habit add "1,234.50". The entry
form's live balance check (ledger-entry-form.js) reads all of these, so the server must read them
the same way, or a line shown as balanced is refused as "Enter a number."
"""

from __future__ import annotations

import re

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
#: Thousands separators (Arabic, Latin comma, spaces) and the direction marks a paste can carry.
_IGNORED = str.maketrans("", "", "٬, \u00a0\u202f\u200e\u200f\u061c")


#: Where thousands separators are typed they must group by three: "10,5" is a decimal comma, which
#: would otherwise silently become 105, so it is refused instead of guessed.
_GROUPED = re.compile(r"-?\d{1,3}([,٬]\d{3})+([.٫]\d*)?")


def normalize_number(text: str) -> str:
    """ "١٬٢٠٠٫٥٠" or "1,200.50" -> "1200.50"; anything else is returned for Decimal to judge."""
    digits = text.strip().translate(_DIGITS)
    if ("," in digits or "٬" in digits) and not _GROUPED.fullmatch(digits.replace(" ", "")):
        return text  # not a number Decimal can read: the field says "Enter a number."
    return digits.translate(_IGNORED).replace("٫", ".")
