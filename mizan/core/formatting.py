"""Numbers, money and dates in the reader's language and the organization's conventions.

Babel supplies the locale data (grouping, currency symbols, month names, the right-to-left marks
Arabic needs); the organization decides two things Babel cannot know: whether Arabic text shows
Arabic-Indic digits (٠١٢٣) and whether the Hijri (Umm al-Qura) date is shown beside the Gregorian
one. Money is rounded here with ROUND_HALF_UP to the currency's minor unit, never by Babel
(which rounds half to even).

Templates reach these functions through the `Formatter` of the current request: the context
processor builds it from `request.org` and the active language, exposes it as `fmt`, and
activates it for the filters (`|money:"SAR"`, `|number`, `|localdate`, ...), which cannot see the
template context. `UserLanguageMiddleware` clears it when the request ends.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern
from django.utils import timezone as django_timezone
from django.utils.translation import get_language
from hijridate import Gregorian

from mizan.core.countries import CURRENCY_MINOR_UNITS

_ARABIC_LOCALES = {"EG": "ar_EG", "SA": "ar_SA", "AE": "ar_AE"}
_ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# English money reads "SAR 1,234.50": CLDR's pattern has no space after a code symbol.
_ENGLISH_MONEY_PATTERN = "¤\xa0#,##0.00"


def is_arabic(language: str | None) -> bool:
    return (language or "").lower().startswith("ar")


def babel_locale(language: str | None, country: str | None = None) -> str:
    """The Babel locale for a UI language: Arabic follows the organization's country."""
    if is_arabic(language):
        return _ARABIC_LOCALES.get((country or "").upper(), "ar")
    return "en"


def _numbering_system(language: str | None, arabic_indic: bool) -> str:
    """Babel's "arab" system gives the separators ٫ and ٬; the digits themselves stay Latin."""
    return "arab" if arabic_indic and is_arabic(language) else "latn"


def _digits(text: str, language: str | None, arabic_indic: bool) -> str:
    return to_arabic_indic(text) if arabic_indic and is_arabic(language) else text


def to_arabic_indic(text: str) -> str:
    """Latin digits -> Arabic-Indic digits (only the digits; symbols are left alone)."""
    return text.translate(_ARABIC_INDIC_DIGITS)


def minor_units(currency: str) -> int:
    return CURRENCY_MINOR_UNITS.get(currency.upper(), 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (3 places for KWD, BHD, OMR …)."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):  # never compute money in float; format what we were given
        value = repr(value)
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return result if result.is_finite() else None


def format_number(
    value: Any,
    *,
    language: str | None,
    arabic_indic: bool = False,
    decimals: int | None = None,
    country: str | None = None,
) -> str:
    """A grouped number; `decimals` fixes the places (half up), None keeps up to three."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    pattern = None
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = babel_format_decimal(
        number,
        format=pattern,
        locale=babel_locale(language, country),
        numbering_system=_numbering_system(language, arabic_indic),
    )
    return _digits(text, language, arabic_indic)


def _money_pattern(language: str | None, locale: str, places: int) -> str:
    pattern = (
        _ENGLISH_MONEY_PATTERN if not is_arabic(language) else Locale.parse(locale).currency_formats["standard"].pattern
    )
    return pattern.replace("0.00", "0" + ("." + "0" * places if places > 0 else ""))


@dataclass(frozen=True)
class _MoneyLayout:
    """What Babel writes around the digits of one language, locale, currency and numbering
    system: read once from Babel's own output, then applied to every amount. Babel parses the
    pattern and the locale on every call (~50 µs an amount; a report page shows a thousand)."""

    positive: tuple[str, str]  # text before and after the digits
    negative: tuple[str, str]
    group_symbol: str
    decimal_symbol: str
    grouping: tuple[int, int]  # the first group from the right, then every other group

    def apply(self, number: Decimal) -> str:
        whole, _point, fraction = f"{abs(number):f}".partition(".")
        groups = [whole[-self.grouping[0] :]]
        whole = whole[: -self.grouping[0]]
        while whole:
            groups.insert(0, whole[-self.grouping[1] :])
            whole = whole[: -self.grouping[1]]
        digits = self.group_symbol.join(groups) + (self.decimal_symbol + fraction if fraction else "")
        before, after = self.negative if number < 0 else self.positive
        return before + digits + after


@functools.lru_cache(maxsize=256)
def _money_layout(language: str | None, locale: str, currency: str, numbering_system: str) -> _MoneyLayout:
    places = minor_units(currency)
    pattern = parse_pattern(_money_pattern(language, locale, places))
    parsed_locale = Locale.parse(locale)
    decimal_symbol = get_decimal_symbol(parsed_locale, numbering_system=numbering_system)
    probe = "1" + (decimal_symbol + "0" * places if places else "")

    def around(number: Decimal) -> tuple[str, str]:
        text = pattern.apply(
            number, parsed_locale, currency=currency, currency_digits=False, numbering_system=numbering_system
        )
        before, found, after = text.partition(probe)
        if not found or probe in after:
            raise ValueError(f"Cannot read the money layout of {locale} {currency} from {text!r}")
        return before, after

    return _MoneyLayout(
        positive=around(Decimal(1)),
        negative=around(Decimal(-1)),
        group_symbol=get_group_symbol(parsed_locale, numbering_system=numbering_system),
        decimal_symbol=decimal_symbol,
        grouping=(pattern.grouping[0], pattern.grouping[1]),
    )


def format_money(
    amount: Any,
    currency: str,
    *,
    language: str | None,
    arabic_indic: bool = False,
    country: str | None = None,
) -> str:
    """An amount with its currency, rounded half up to the currency's minor unit.

    Arabic: "‏1,234.50 ر.س.‏" (or "‏١٬٢٣٤٫٥٠ ر.س.‏" with Arabic-Indic digits); English:
    "SAR 1,234.50". Arabic-Indic digits apply only when the language is Arabic. The text is
    Babel's (CLDR's patterns and symbols), laid out from a cached `_MoneyLayout`.
    """
    number = _as_decimal(amount)
    if number is None:
        return "" if amount is None else str(amount)
    currency = (currency or "").upper()
    layout = _money_layout(
        "ar" if is_arabic(language) else "en",
        babel_locale(language, country),
        currency,
        _numbering_system(language, arabic_indic),
    )
    return _digits(layout.apply(round_money(number, currency)), language, arabic_indic)


def _as_date(value: Any, tz: zoneinfo.ZoneInfo | None) -> datetime.date | None:
    """A date; an aware datetime is first moved into the organization's time zone."""
    if isinstance(value, datetime.datetime):
        if django_timezone.is_aware(value):
            value = value.astimezone(tz or datetime.UTC)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


def format_hijri(value: Any, *, language: str | None, arabic_indic: bool = False, tz: Any = None) -> str:
    """The Umm al-Qura date, "15 رمضان 1446 هـ" / "15 Ramadan 1446 AH"; "" outside 1924–2077."""
    day = _as_date(value, _zone(tz))
    if day is None:
        return ""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    hijri_language = "ar" if is_arabic(language) else "en"
    text = f"{hijri.day} {hijri.month_name(hijri_language)} {hijri.year} {hijri.notation(hijri_language)}"
    return _digits(text, language, arabic_indic)


def format_date(
    value: Any,
    *,
    language: str | None,
    arabic_indic: bool = False,
    country: str | None = None,
    tz: Any = None,
    show_hijri: bool = False,
    date_format: str = "medium",
) -> str:
    """A date (an aware datetime is shown as its date in `tz`), with the Hijri date beside it."""
    day = _as_date(value, _zone(tz))
    if day is None:
        return "" if value is None else str(value)
    text = babel_format_date(day, format=date_format, locale=babel_locale(language, country))
    text = _digits(text, language, arabic_indic)
    if show_hijri:
        hijri = format_hijri(day, language=language, arabic_indic=arabic_indic)
        if hijri:
            text = f"{text} ({hijri})"
    return text


def format_datetime(
    value: Any,
    *,
    language: str | None,
    arabic_indic: bool = False,
    country: str | None = None,
    tz: Any = None,
) -> str:
    """An aware datetime in the organization's time zone: medium date and short time."""
    if not isinstance(value, datetime.datetime):
        return format_date(value, language=language, arabic_indic=arabic_indic, country=country, tz=tz)
    zone = _zone(tz) or datetime.UTC
    moment = value.astimezone(zone) if django_timezone.is_aware(value) else value
    locale = babel_locale(language, country)
    date_text = babel_format_date(moment.date(), format="medium", locale=locale)
    time_text = babel_format_time(moment.time(), format="short", locale=locale)
    text = get_datetime_format("medium", locale=locale).replace("{1}", date_text).replace("{0}", time_text)
    return _digits(text, language, arabic_indic)


def _zone(tz: Any) -> zoneinfo.ZoneInfo | None:
    if tz is None or isinstance(tz, datetime.tzinfo):
        return tz
    return zoneinfo.ZoneInfo(str(tz))


@dataclass(frozen=True)
class Formatter:
    """Formatting conventions of one reader in one organization.

    `language=None` means "the language active when formatting", so an e-mail rendered under
    `translation.override(...)` still comes out in the recipient's language.
    """

    language: str | None = None
    country: str | None = None
    timezone: str = "UTC"
    arabic_indic_digits: bool = False
    show_hijri: bool = False

    @classmethod
    def for_org(cls, org: Any, language: str | None = None) -> Formatter:
        if org is None:
            return cls(language=language)
        return cls(
            language=language,
            country=org.country,
            timezone=org.timezone,
            arabic_indic_digits=org.use_arabic_indic_digits,
            show_hijri=org.show_hijri_dates,
        )

    @property
    def active_language(self) -> str:
        return self.language or get_language() or "ar"

    def number(self, value: Any, decimals: int | None = None) -> str:
        return format_number(
            value,
            language=self.active_language,
            arabic_indic=self.arabic_indic_digits,
            decimals=decimals,
            country=self.country,
        )

    def money(self, amount: Any, currency: str) -> str:
        return format_money(
            amount, currency, language=self.active_language, arabic_indic=self.arabic_indic_digits, country=self.country
        )

    def date(self, value: Any, date_format: str = "medium") -> str:
        return format_date(
            value,
            language=self.active_language,
            arabic_indic=self.arabic_indic_digits,
            country=self.country,
            tz=self.timezone,
            show_hijri=self.show_hijri,
            date_format=date_format,
        )

    def datetime(self, value: Any) -> str:
        return format_datetime(
            value,
            language=self.active_language,
            arabic_indic=self.arabic_indic_digits,
            country=self.country,
            tz=self.timezone,
        )

    def hijri(self, value: Any) -> str:
        return format_hijri(
            value, language=self.active_language, arabic_indic=self.arabic_indic_digits, tz=self.timezone
        )


_active_formatter: contextvars.ContextVar[Formatter | None] = contextvars.ContextVar("mizan_formatter", default=None)


def activate_formatter(formatter: Formatter | None) -> contextvars.Token:
    """Make `formatter` the one template filters use until the token is reset."""
    return _active_formatter.set(formatter)


def reset_formatter(token: contextvars.Token) -> None:
    _active_formatter.reset(token)


def active_formatter() -> Formatter:
    """The current request's formatter, or plain conventions in the active language."""
    return _active_formatter.get() or Formatter()


@contextmanager
def formatter_override(formatter: Formatter) -> Iterator[Formatter]:
    """Format as `formatter` inside the block (e-mails, PDFs and tasks outside a request)."""
    token = activate_formatter(formatter)
    try:
        yield formatter
    finally:
        reset_formatter(token)
