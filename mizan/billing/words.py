"""Money amounts in words (tafqeet) for invoices, receipts and cheques, in Arabic and in English.

Pure functions, no database. Mizan writes its own rules because the common libraries write
"riyals" for dirhams and dollars and get 1 and 2 wrong (see ../shared/REGIONAL.md).

The amount is rounded ROUND_HALF_UP to the currency's minor unit (`CURRENCY_MINOR_UNITS`), so
a 3-decimal currency (KWD, BHD, OMR, JOD, TND, IQD) counts its subunit in thousandths:
1.250 KWD -> "دينار كويتي واحد ومائتان وخمسون فلساً".

Arabic form: "فقط <whole> و<subunits> لا غير"; the whole part is left out when it is zero and the
subunits are not (0.50 SAR -> "فقط خمسون هللة لا غير"). Number words are joined by "و" with no
space after it. The counted noun (تمييز العدد) and its adjective take the form required by the
number, decided by the whole number and its last two digits:

- 0: "صفر" + singular (صفر ريال سعودي).
- 1: singular noun, then واحد/واحدة (ريال سعودي واحد، هللة واحدة).
- 2: the dual alone (ريالان سعوديان، هللتان).
- last two digits 03-10: plural (ثلاثة ريالات سعودية، مائة وثلاث هللات).
- last two digits 11-99: accusative singular (أحد عشر ريالاً سعودياً، مائة وخمسون فلساً).
- last two digits 00 (100, 1000, 2000, ...): genitive singular (مائة ريال سعودي، ألفا ريال سعودي).
- last two digits 01 or 02 after hundreds or thousands (101, 102, 1001): the number words end in
  واحد/اثنان (واحدة/اثنتان for a feminine noun) and the noun takes the genitive singular, as after
  00: "مائة وواحد ريال سعودي"، "ألف واثنان ريال سعودي". Classical grammar repeats the noun
  ("مائة ريال وريال"), which splits the amount in two and reads badly on an invoice; this is the
  form Gulf and Egyptian invoices and ERPs print, so an accountant reads it as written. Thousands
  follow the same rule: 101,000 -> "مائة وواحد ألف".

Numbers agree in gender with the counted noun: 1 and 2 and 11-12 agree (أحد عشر ريالاً، إحدى
عشرة هللة), 3-10 take the opposite gender (ثلاثة ريالات، ثلاث هللات). Thousands, millions and
billions are masculine nouns counted the same way (ثلاثة آلاف، أحد عشر ألفاً، مائة ألف); a dual
or a hundred directly before a noun is in construct state and drops its ن (ألفا ريال، مائتا ألف،
مليونا ريال), and so 11-99 thousand directly before the currency noun drops its tanween (أحد
عشر ألف ريال). Feminine 8 before tens is ثمان (ثمان وعشرون هللة).

English form: Title Case, US-style number words, singular for exactly one, ending in "Only":
"One Thousand Two Hundred Fifty Saudi Riyals and Fifty Halalas Only", "Zero Saudi Riyals Only".

Unknown currency codes (three letters) do not fail an invoice: the code stands for the noun in
both languages ("ثلاثة XYZ", "Three XYZ") and the fraction is written the cheque way, in digits
over its base ("و50/100", "and 50/100"), with ISO's default of 2 decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mizan.core.countries import CURRENCY_MINOR_UNITS

#: The largest whole amount written out (999,999,999,999); beyond it a cheque or invoice is not plausible.
MAXIMUM_WHOLE = 10**12 - 1
DEFAULT_MINOR_UNITS = 2  # ISO 4217's usual value, for codes not in CURRENCY_MINOR_UNITS


@dataclass(frozen=True)
class ArabicNoun:
    """An Arabic counted noun (with its adjective, which agrees) in each form a number can require."""

    singular: str  # with 1 (before واحد), and the genitive after 0, 100, 1000, 101...
    dual: str  # 2
    plural: str  # 3-10
    accusative: str  # 11-99 (تمييز منصوب)
    feminine: bool = False


@dataclass(frozen=True)
class EnglishNoun:
    singular: str
    plural: str


@dataclass(frozen=True)
class CurrencyWords:
    """How a currency and its subunit are named; no subunit means the fraction is written in digits."""

    arabic: ArabicNoun
    english: EnglishNoun
    arabic_subunit: ArabicNoun | None = None
    english_subunit: EnglishNoun | None = None


def _ar(singular: str, dual: str, plural: str, accusative: str, *, feminine: bool = False) -> ArabicNoun:
    return ArabicNoun(singular, dual, plural, accusative, feminine)


_HALALA = _ar("هللة", "هللتان", "هللات", "هللة", feminine=True)
_QIRSH = _ar("قرش", "قرشان", "قروش", "قرشاً")
_FILS = _ar("فلس", "فلسان", "فلوس", "فلساً")
_CENT = _ar("سنت", "سنتان", "سنتات", "سنتاً")
_EN_FILS = EnglishNoun("Fils", "Fils")
_EN_CENT = EnglishNoun("Cent", "Cents")
_EN_PIASTRE = EnglishNoun("Piastre", "Piastres")

CURRENCY_WORDS: dict[str, CurrencyWords] = {
    "SAR": CurrencyWords(
        _ar("ريال سعودي", "ريالان سعوديان", "ريالات سعودية", "ريالاً سعودياً"),
        EnglishNoun("Saudi Riyal", "Saudi Riyals"),
        _HALALA,
        EnglishNoun("Halala", "Halalas"),
    ),
    "EGP": CurrencyWords(
        _ar("جنيه مصري", "جنيهان مصريان", "جنيهات مصرية", "جنيهاً مصرياً"),
        EnglishNoun("Egyptian Pound", "Egyptian Pounds"),
        _QIRSH,
        _EN_PIASTRE,
    ),
    "AED": CurrencyWords(
        _ar("درهم إماراتي", "درهمان إماراتيان", "دراهم إماراتية", "درهماً إماراتياً"),
        EnglishNoun("UAE Dirham", "UAE Dirhams"),
        _FILS,
        _EN_FILS,
    ),
    "KWD": CurrencyWords(
        _ar("دينار كويتي", "ديناران كويتيان", "دنانير كويتية", "ديناراً كويتياً"),
        EnglishNoun("Kuwaiti Dinar", "Kuwaiti Dinars"),
        _FILS,
        _EN_FILS,
    ),
    "USD": CurrencyWords(
        _ar("دولار أمريكي", "دولاران أمريكيان", "دولارات أمريكية", "دولاراً أمريكياً"),
        EnglishNoun("US Dollar", "US Dollars"),
        _CENT,
        _EN_CENT,
    ),
    # يورو is indeclinable: "ثلاثة يورو", "أحد عشر يورو".
    "EUR": CurrencyWords(_ar("يورو", "يوروان", "يورو", "يورو"), EnglishNoun("Euro", "Euros"), _CENT, _EN_CENT),
    "GBP": CurrencyWords(
        _ar("جنيه إسترليني", "جنيهان إسترلينيان", "جنيهات إسترلينية", "جنيهاً إسترلينياً"),
        EnglishNoun("Pound Sterling", "Pounds Sterling"),
        _ar("بنس", "بنسان", "بنسات", "بنساً"),
        EnglishNoun("Penny", "Pence"),
    ),
    "BHD": CurrencyWords(
        _ar("دينار بحريني", "ديناران بحرينيان", "دنانير بحرينية", "ديناراً بحرينياً"),
        EnglishNoun("Bahraini Dinar", "Bahraini Dinars"),
        _FILS,
        _EN_FILS,
    ),
    "OMR": CurrencyWords(
        _ar("ريال عماني", "ريالان عمانيان", "ريالات عمانية", "ريالاً عمانياً"),
        EnglishNoun("Omani Rial", "Omani Rials"),
        _ar("بيسة", "بيستان", "بيسات", "بيسة", feminine=True),
        EnglishNoun("Baisa", "Baisa"),
    ),
    "QAR": CurrencyWords(
        _ar("ريال قطري", "ريالان قطريان", "ريالات قطرية", "ريالاً قطرياً"),
        EnglishNoun("Qatari Riyal", "Qatari Riyals"),
        _ar("درهم", "درهمان", "دراهم", "درهماً"),
        EnglishNoun("Dirham", "Dirhams"),
    ),
    "JOD": CurrencyWords(
        _ar("دينار أردني", "ديناران أردنيان", "دنانير أردنية", "ديناراً أردنياً"),
        EnglishNoun("Jordanian Dinar", "Jordanian Dinars"),
        _FILS,
        _EN_FILS,
    ),
    "TND": CurrencyWords(
        _ar("دينار تونسي", "ديناران تونسيان", "دنانير تونسية", "ديناراً تونسياً"),
        EnglishNoun("Tunisian Dinar", "Tunisian Dinars"),
        _ar("مليم", "مليمان", "مليمات", "مليماً"),
        EnglishNoun("Millime", "Millimes"),
    ),
    "MAD": CurrencyWords(
        _ar("درهم مغربي", "درهمان مغربيان", "دراهم مغربية", "درهماً مغربياً"),
        EnglishNoun("Moroccan Dirham", "Moroccan Dirhams"),
        _ar("سنتيم", "سنتيمان", "سنتيمات", "سنتيماً"),
        EnglishNoun("Centime", "Centimes"),
    ),
    "LBP": CurrencyWords(
        _ar("ليرة لبنانية", "ليرتان لبنانيتان", "ليرات لبنانية", "ليرة لبنانية", feminine=True),
        EnglishNoun("Lebanese Pound", "Lebanese Pounds"),
        _QIRSH,
        _EN_PIASTRE,
    ),
    "IQD": CurrencyWords(
        _ar("دينار عراقي", "ديناران عراقيان", "دنانير عراقية", "ديناراً عراقياً"),
        EnglishNoun("Iraqi Dinar", "Iraqi Dinars"),
        _FILS,
        _EN_FILS,
    ),
}


@dataclass(frozen=True)
class _Scale:
    value: int
    arabic: ArabicNoun
    arabic_dual_construct: str  # the dual directly before a noun: ألفا ريال، مليونا ريال
    english: str


_SCALES = (
    _Scale(10**9, _ar("مليار", "ملياران", "مليارات", "ملياراً"), "مليارا", "Billion"),
    _Scale(10**6, _ar("مليون", "مليونان", "ملايين", "مليوناً"), "مليونا", "Million"),
    _Scale(10**3, _ar("ألف", "ألفان", "آلاف", "ألفاً"), "ألفا", "Thousand"),
)

# Index = value; masculine forms are the ones used with a masculine noun (ثلاثة ريالات).
_AR_UNITS_FOR_MASCULINE = ("", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة")
_AR_UNITS_FOR_FEMININE = ("", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر")
_AR_TENS = ("", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون")
_AR_HUNDREDS = (
    "",
    "مائة",
    "مائتان",
    "ثلاثمائة",
    "أربعمائة",
    "خمسمائة",
    "ستمائة",
    "سبعمائة",
    "ثمانمائة",
    "تسعمائة",
)
_AR_JOIN = " و"


def _arabic_teen(number: int, *, feminine: bool) -> str:
    """11-19: both parts of 11 and 12 agree with the noun; in 13-19 the unit takes the opposite gender."""
    if feminine:
        unit = {11: "إحدى", 12: "اثنتا"}.get(number, _AR_UNITS_FOR_FEMININE[number - 10])
        return f"{unit} عشرة"
    unit = {11: "أحد", 12: "اثنا"}.get(number, _AR_UNITS_FOR_MASCULINE[number - 10])
    return f"{unit} عشر"


def _arabic_below_hundred(number: int, *, feminine: bool) -> str:
    """1-99; units come before tens: خمسة وعشرون، إحدى وعشرون، ثمان وعشرون (feminine)."""
    if number <= 10:
        return (_AR_UNITS_FOR_FEMININE if feminine else _AR_UNITS_FOR_MASCULINE)[number]
    if number < 20:
        return _arabic_teen(number, feminine=feminine)
    tens, unit = divmod(number, 10)
    if not unit:
        return _AR_TENS[tens]
    if feminine:
        unit_word = {1: "إحدى", 8: "ثمان"}.get(unit, _AR_UNITS_FOR_FEMININE[unit])
    else:
        unit_word = _AR_UNITS_FOR_MASCULINE[unit]
    return f"{unit_word}{_AR_JOIN}{_AR_TENS[tens]}"


def _arabic_below_thousand(number: int, *, feminine: bool) -> str:
    """1-999 directly before its noun, so an exact 200 is in construct state (مائتا)."""
    hundreds, rest = divmod(number, 100)
    words = []
    if hundreds:
        words.append("مائتا" if hundreds == 2 and not rest else _AR_HUNDREDS[hundreds])
    if rest:
        words.append(_arabic_below_hundred(rest, feminine=feminine))
    return _AR_JOIN.join(words)


def _arabic_noun_form(number: int, noun: ArabicNoun, *, construct: bool = False) -> str:
    """The noun after a number above 2, chosen by its last two digits (see the module docstring)."""
    last_two = number % 100
    if 3 <= last_two <= 10:
        return noun.plural
    if last_two >= 11 and not construct:
        return noun.accusative
    return noun.singular


def _arabic_scale(count: int, scale: _Scale, *, construct: bool) -> str:
    """1-999 thousands, millions or billions; `construct` when the currency noun follows directly."""
    if count == 1:
        return scale.arabic.singular
    if count == 2:
        return scale.arabic_dual_construct if construct else scale.arabic.dual
    noun = _arabic_noun_form(count, scale.arabic, construct=construct)
    return f"{_arabic_below_thousand(count, feminine=False)} {noun}"


def _arabic_number(number: int, *, feminine: bool) -> str:
    """The number words (number >= 1) as they stand before the counted noun."""
    words = []
    rest = number
    for scale in _SCALES:
        count, rest = divmod(rest, scale.value)
        if count:
            words.append(_arabic_scale(count, scale, construct=not rest))
    if rest:
        words.append(_arabic_below_thousand(rest, feminine=feminine))
    return _AR_JOIN.join(words)


def _arabic_count(number: int, noun: ArabicNoun) -> str:
    """A number and the noun it counts, e.g. 3 -> "ثلاثة ريالات سعودية"."""
    if number == 0:
        return f"صفر {noun.singular}"
    if number == 1:
        return f"{noun.singular} {'واحدة' if noun.feminine else 'واحد'}"
    if number == 2:
        return noun.dual
    return f"{_arabic_number(number, feminine=noun.feminine)} {_arabic_noun_form(number, noun)}"


_EN_SMALL = (
    *("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"),
    *("Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"),
)
_EN_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def _english_below_thousand(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    words = [f"{_EN_SMALL[hundreds]} Hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words.append(f"{_EN_TENS[tens]}-{_EN_SMALL[unit]}" if unit else _EN_TENS[tens])
    elif rest:
        words.append(_EN_SMALL[rest])
    return " ".join(words)


def _english_number(number: int) -> str:
    if number == 0:
        return _EN_SMALL[0]
    words = []
    rest = number
    for scale in _SCALES:
        count, rest = divmod(rest, scale.value)
        if count:
            words.append(f"{_english_below_thousand(count)} {scale.english}")
    if rest:
        words.append(_english_below_thousand(rest))
    return " ".join(words)


def _english_count(number: int, noun: EnglishNoun) -> str:
    return f"{_english_number(number)} {noun.singular if number == 1 else noun.plural}"


def currency_words(currency: str) -> CurrencyWords:
    """The names of a currency; an unknown code stands for itself (see the module docstring)."""
    code = currency.upper()
    if code in CURRENCY_WORDS:
        return CURRENCY_WORDS[code]
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"Not a currency code: {currency!r}")
    return CurrencyWords(ArabicNoun(code, f"اثنان {code}", code, code), EnglishNoun(code, code))


def _split_amount(amount: Decimal, currency: str) -> tuple[int, int, int]:
    """(whole, subunits, minor units) of the amount rounded ROUND_HALF_UP to the currency's minor unit."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValueError(f"The amount must be a Decimal, not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"The amount must be a finite number >= 0, not {amount}")
    if amount >= MAXIMUM_WHOLE + 1:
        raise ValueError(f"The amount {amount} is above {MAXIMUM_WHOLE}")
    minor_units = CURRENCY_MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNITS)
    base = 10**minor_units
    rounded = amount.quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_UP)
    whole, subunits = divmod(int(rounded * base), base)
    if whole > MAXIMUM_WHOLE:
        raise ValueError(f"The amount {amount} is above {MAXIMUM_WHOLE} once rounded")
    return whole, subunits, minor_units


def _digits_fraction(subunits: int, minor_units: int) -> str:
    """A fraction with no subunit name, written the cheque way: 50/100."""
    return f"{subunits:0{minor_units}d}/{10**minor_units}"


def amount_in_arabic_words(amount: Decimal, currency: str) -> str:
    """The Arabic words Arabic invoices print under the total: "فقط ... لا غير" (see the module docstring)."""
    whole, subunits, minor_units = _split_amount(amount, currency)
    words = currency_words(currency)
    parts = []
    if whole or not subunits or words.arabic_subunit is None:
        parts.append(_arabic_count(whole, words.arabic))
    if subunits:
        if words.arabic_subunit is None:
            parts.append(_digits_fraction(subunits, minor_units))
        else:
            parts.append(_arabic_count(subunits, words.arabic_subunit))
    return f"فقط {_AR_JOIN.join(parts)} لا غير"


def amount_in_english_words(amount: Decimal, currency: str) -> str:
    """Title Case, ending in "Only": "One Thousand Two Hundred Fifty Saudi Riyals and Fifty Halalas Only"."""
    whole, subunits, minor_units = _split_amount(amount, currency)
    words = currency_words(currency)
    parts = []
    if whole or not subunits or words.english_subunit is None:
        parts.append(_english_count(whole, words.english))
    if subunits:
        if words.english_subunit is None:
            parts.append(_digits_fraction(subunits, minor_units))
        else:
            parts.append(_english_count(subunits, words.english_subunit))
    return f"{' and '.join(parts)} Only"


def amount_in_words(amount: Decimal, currency: str, *, language: str) -> str:
    """The amount in words in `language` (a code such as "ar", "ar-sa" or "en"): Arabic for "ar*", else English."""
    if language.lower().startswith("ar"):
        return amount_in_arabic_words(amount, currency)
    return amount_in_english_words(amount, currency)
