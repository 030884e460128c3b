import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from mizan.core.formatting import (
    Formatter,
    format_date,
    format_datetime,
    format_hijri,
    format_money,
    format_number,
    formatter_override,
    round_money,
    to_arabic_indic,
)

RLM = "\u200f"
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("currency", "language", "arabic_indic", "expected"),
    [
        ("SAR", "ar", False, f"{RLM}1,234,567.13{NBSP}ر.س.{RLM}"),
        ("SAR", "ar", True, f"{RLM}١٬٢٣٤٬٥٦٧٫١٣{NBSP}ر.س.{RLM}"),
        ("SAR", "en", False, f"SAR{NBSP}1,234,567.13"),
        ("SAR", "en", True, f"SAR{NBSP}1,234,567.13"),  # Arabic-Indic digits only in Arabic
        ("EGP", "ar", False, f"{RLM}1,234,567.13{NBSP}ج.م.{RLM}"),
        ("EGP", "ar", True, f"{RLM}١٬٢٣٤٬٥٦٧٫١٣{NBSP}ج.م.{RLM}"),
        ("EGP", "en", False, f"EGP{NBSP}1,234,567.13"),
        ("AED", "ar", False, f"{RLM}1,234,567.13{NBSP}د.إ.{RLM}"),
        ("AED", "en", False, f"AED{NBSP}1,234,567.13"),
        ("KWD", "ar", False, f"{RLM}1,234,567.125{NBSP}د.ك.{RLM}"),
        ("KWD", "ar", True, f"{RLM}١٬٢٣٤٬٥٦٧٫١٢٥{NBSP}د.ك.{RLM}"),
        ("KWD", "en", False, f"KWD{NBSP}1,234,567.125"),
    ],
)
def test_format_money_exact(currency, language, arabic_indic, expected):
    assert format_money(Decimal("1234567.125"), currency, language=language, arabic_indic=arabic_indic) == expected


def test_money_rounds_half_up_to_the_minor_unit():
    assert round_money(Decimal("2.345"), "SAR") == Decimal("2.35")  # half-even would give 2.34
    assert round_money(Decimal("0.0005"), "KWD") == Decimal("0.001")
    assert round_money(Decimal("-0.005"), "EGP") == Decimal("-0.01")
    assert format_money(Decimal("2.345"), "SAR", language="en") == f"SAR{NBSP}2.35"
    assert format_money(Decimal("-1234.5"), "SAR", language="ar") == f"{RLM}-1,234.50{NBSP}ر.س.{RLM}"
    assert format_money(Decimal("5"), "KWD", language="en") == f"KWD{NBSP}5.000"
    assert format_money(Decimal("-0.004"), "SAR", language="en") == f"SAR{NBSP}0.00"  # not -0.00


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(min_value=-(10**13), max_value=10**13, places=4, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["SAR", "EGP", "AED", "USD", "KWD", "JPY", "EUR"]),
    language=st.sampled_from(["ar", "en", "ar-eg"]),
    arabic_indic=st.booleans(),
    country=st.sampled_from(["SA", "EG", "AE", None]),
)
def test_money_is_written_exactly_as_babel_writes_it(amount, currency, language, arabic_indic, country):
    """The cached layout is a shortcut, not a second formatter: Babel's own output is the reference
    (except that an amount rounding to zero from below reads 0.00, not Babel's -0.00)."""
    from babel.numbers import format_currency

    from mizan.core.formatting import _money_pattern, _numbering_system, babel_locale, minor_units

    locale = babel_locale(language, country)
    expected = format_currency(
        round_money(amount, currency) + 0,  # -0.00 + 0 is 0.00
        currency,
        format=_money_pattern(language, locale, minor_units(currency)),
        locale=locale,
        currency_digits=False,
        numbering_system=_numbering_system(language, arabic_indic),
    )
    if arabic_indic and language.startswith("ar"):
        expected = to_arabic_indic(expected)
    assert format_money(amount, currency, language=language, arabic_indic=arabic_indic, country=country) == expected


def test_money_uses_the_country_locale_and_tolerates_empty_values():
    for country in ("EG", "SA", "AE", "OTHER", None):
        assert format_money(Decimal("10"), "SAR", language="ar", country=country) == f"{RLM}10.00{NBSP}ر.س.{RLM}"
    assert format_money(None, "SAR", language="ar") == ""
    assert format_money("not a number", "SAR", language="en") == "not a number"


def test_format_number():
    assert format_number(Decimal("1234.5"), language="en") == "1,234.5"
    assert format_number(Decimal("1234.5"), language="ar") == "1,234.5"
    assert format_number(Decimal("1234.5"), language="ar", arabic_indic=True) == "١٬٢٣٤٫٥"
    assert format_number(1234, language="en", decimals=2) == "1,234.00"
    assert format_number(Decimal("2.345"), language="en", decimals=2) == "2.35"
    assert format_number(Decimal("15.00"), language="ar", arabic_indic=True, decimals=0) == "١٥"
    assert format_number(None, language="en") == ""


def test_format_date_gregorian_and_hijri():
    day = datetime.date(2025, 3, 15)  # 15 Ramadan 1446
    assert format_date(day, language="en") == "Mar 15, 2025"
    assert format_date(day, language="en", date_format="long") == "March 15, 2025"
    assert format_date(day, language="ar", date_format="long") == "15 مارس 2025"
    assert format_date(day, language="ar") == f"15{RLM}/03{RLM}/2025"
    assert format_date(day, language="ar", arabic_indic=True) == f"١٥{RLM}/٠٣{RLM}/٢٠٢٥"
    assert format_date(day, language="en", show_hijri=True) == "Mar 15, 2025 (15 Ramadan 1446 AH)"
    assert format_date(day, language="ar", show_hijri=True, date_format="long") == "15 مارس 2025 (15 رمضان 1446 هـ)"
    assert (
        format_date(day, language="ar", show_hijri=True, arabic_indic=True, date_format="long")
        == "١٥ مارس ٢٠٢٥ (١٥ رمضان ١٤٤٦ هـ)"
    )


def test_hijri_month_names_follow_the_language_and_range():
    day = datetime.date(2024, 6, 16)  # 10 Dhu al-Hijjah 1445
    assert format_hijri(day, language="ar") == "10 ذو الحجة 1445 هـ"
    assert format_hijri(day, language="en") == "10 Dhu al-Hijjah 1445 AH"
    assert format_hijri(datetime.date(1900, 1, 1), language="en") == ""
    assert format_date(datetime.date(1900, 1, 1), language="en", show_hijri=True) == "Jan 1, 1900"


def test_datetimes_move_into_the_organization_time_zone():
    moment = datetime.datetime(2025, 3, 15, 22, 5, tzinfo=datetime.UTC)  # 01:05 on the 16th in Riyadh
    assert format_date(moment, language="en", tz="Asia/Riyadh") == "Mar 16, 2025"
    assert format_date(moment, language="en", tz="UTC") == "Mar 15, 2025"
    assert format_datetime(moment, language="en", tz="Asia/Riyadh") == "Mar 16, 2025, 1:05\u202fAM"
    assert format_datetime(moment, language="ar", tz="Africa/Cairo") == f"16{RLM}/03{RLM}/2025، 12:05 ص"
    assert (
        format_datetime(moment, language="ar", tz="Asia/Riyadh", arabic_indic=True) == f"١٦{RLM}/٠٣{RLM}/٢٠٢٥، ١:٠٥ ص"
    )


def test_formatter_for_org_uses_organization_options(db):
    from mizan.core.tests.factories import make_organization

    org = make_organization(country="SA")  # Saudi defaults: Arabic-Indic digits on
    org.show_hijri_dates = True
    formatter = Formatter.for_org(org, "ar")
    assert formatter.money(Decimal("10"), "SAR") == f"{RLM}١٠٫٠٠{NBSP}ر.س.{RLM}"
    assert formatter.date(datetime.date(2025, 3, 15), "long") == "١٥ مارس ٢٠٢٥ (١٥ رمضان ١٤٤٦ هـ)"
    english = Formatter.for_org(org, "en")
    assert english.money(Decimal("10"), "SAR") == f"SAR{NBSP}10.00"
    assert english.date(datetime.date(2025, 3, 15)) == "Mar 15, 2025 (15 Ramadan 1446 AH)"


def test_formatter_without_language_follows_the_active_language():
    formatter = Formatter(arabic_indic_digits=True)
    with translation.override("ar"):
        assert formatter.number(Decimal("12.5")) == "١٢٫٥"
    with translation.override("en"):
        assert formatter.number(Decimal("12.5")) == "12.5"


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_template_filters_use_the_active_formatter_without_load():
    formatter = Formatter(
        language="ar", country="SA", arabic_indic_digits=True, show_hijri=True, timezone="Asia/Riyadh"
    )
    values = {"amount": Decimal("1234.5"), "day": datetime.date(2025, 3, 15), "count": 1500}
    with formatter_override(formatter):
        assert _render('{{ amount|money:"SAR" }}', **values) == f"{RLM}١٬٢٣٤٫٥٠{NBSP}ر.س.{RLM}"
        assert _render("{{ count|number }}", **values) == "١٬٥٠٠"
        assert _render("{{ amount|number:2 }}", **values) == "١٬٢٣٤٫٥٠"
        assert _render('{{ day|localdate:"long" }}', **values) == "١٥ مارس ٢٠٢٥ (١٥ رمضان ١٤٤٦ هـ)"
        assert _render("{{ day|hijri }}", **values) == "١٥ رمضان ١٤٤٦ هـ"
    # Outside a request: plain conventions in the active language.
    with translation.override("en"):
        assert _render('{{ amount|money:"KWD" }}', **values) == f"KWD{NBSP}1,234.500"
        assert _render("{{ day|localdate }}", **values) == "Mar 15, 2025"


def test_template_tags_use_fmt_from_the_context():
    english = Formatter(language="en", show_hijri=True)
    context = {"fmt": english, "amount": Decimal("7.5"), "day": datetime.date(2025, 3, 15)}
    assert _render('{% money amount "AED" %}', **context) == f"AED{NBSP}7.50"
    assert _render("{% number amount 3 %}", **context) == "7.500"
    assert _render("{% localdate day %}", **context) == "Mar 15, 2025 (15 Ramadan 1446 AH)"
    assert _render("{% hijri day %}", **context) == "15 Ramadan 1446 AH"


def test_email_rendered_during_a_request_formats_in_the_recipients_language(tenant, rf):
    from mizan.core.context_processors import shell
    from mizan.core.formatting import activate_formatter, reset_formatter

    request = rf.get("/")
    request.org, request.membership, request.user = tenant.org, tenant.members["owner"], tenant.owner
    token = activate_formatter(None)
    try:
        with translation.override("en"):
            shell(request)
        with translation.override("ar"):
            assert _render('{{ amount|money:"SAR" }}', amount=Decimal("1")) == f"{RLM}١٫٠٠{NBSP}ر.س.{RLM}"
    finally:
        reset_formatter(token)
