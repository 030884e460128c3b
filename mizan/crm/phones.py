"""Phone numbers in one form: E.164 (`+966501234567`), whatever way people typed them.

People type local numbers (`050 123 4567`), international ones (`+966…`, `00966…`) and
Arabic-Indic digits (`٠٥٠…`); the organization's (or the record's) country says how to read a
local number. Stored numbers compare equal across spellings, which duplicate matching relies on.
"""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError

# Arabic-Indic (U+0660–0669) and Eastern Arabic-Indic (U+06F0–06F9) digits -> 0-9.
_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def phone_region(*codes: str | None) -> str | None:
    """The first argument that is a region phonenumbers knows ("OTHER" or "" are skipped)."""
    for code in codes:
        if code and code.upper() in phonenumbers.SUPPORTED_REGIONS:
            return code.upper()
    return None


def _phone_example(region: str | None) -> str:
    """A mobile number of the region in E.164, isolated left-to-right (U+2066…U+2069) so that in an
    Arabic sentence its "+" stays in front instead of drifting to the end."""
    example = phonenumbers.example_number_for_type(region or "SA", phonenumbers.PhoneNumberType.MOBILE)
    text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164) if example else "+966501234567"
    return f"\u2066{text}\u2069"


def phone_normalize(raw: str | None, *, region: str | None, field: str = "phone") -> str:
    """`raw` in E.164, or "" when empty; a DomainError on `field` when it is not a valid number."""
    text = (raw or "").translate(_DIGITS).strip()
    if not text:
        return ""
    region = phone_region(region)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(
            "invalid_phone",
            _("“{value}” is not a valid phone number. Enter it with its country code, e.g. {example}.").format(
                value=(raw or "").strip()[:40], example=_phone_example(region)
            ),
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_digits(e164: str) -> str:
    """Digits a person may search a stored number by: international and national (`966501234567 0501234567`)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in e164 if ch.isdigit())
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms = ["".join(ch for ch in e164 if ch.isdigit()), "".join(ch for ch in national if ch.isdigit())]
    return " ".join(dict.fromkeys(form for form in forms if form))
