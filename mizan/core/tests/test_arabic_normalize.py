import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mizan.core.arabic import arabic_contains, normalize_arabic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("ٱلله", "الله"),
        ("مصطفى", "مصطفي"),
        ("مسؤول", "مسوول"),
        ("رئيس", "رييس"),
        ("مكة", "مكه"),
        ("عَلِيّ", "علي"),
        ("مُحَمَّدٌ", "محمد"),
        ("رَحْمٰن", "رحمن"),  # superscript alef U+0670
        ("محمـــد", "محمد"),  # tatweel
        ("ﺃﺣﻤﺪ", "احمد"),  # presentation forms (NFKC)
        ("ا\u0654حمد", "احمد"),  # alef + combining hamza above
        ("١٢٣٤٥٦٧٨٩٠", "1234567890"),
        ("۱۲۳۴۵۶۷۸۹۰", "1234567890"),
        ("  Ahmed \t  ALI\n", "ahmed ali"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalize_arabic_folds_spelling_variants(text, expected):
    assert normalize_arabic(text) == expected


def test_taa_marbuta_fold_is_configurable():
    assert normalize_arabic("فاطمة", fold_taa_marbuta=False) == "فاطمة"
    assert normalize_arabic("فاطمة") == "فاطمه"


def test_strip_al_prefix_per_word_keeps_short_words():
    assert normalize_arabic("الرياض الجديدة", strip_al_prefix=True) == "رياض جديده"
    assert normalize_arabic("ال", strip_al_prefix=True) == "ال"
    assert normalize_arabic("الف", strip_al_prefix=True) == "الف"
    assert normalize_arabic("الرياض") == "الرياض"


def test_arabic_contains_matches_across_variants():
    assert arabic_contains("السيد أحمد المصري", "احمد")
    assert arabic_contains("مكة المكرمة", "مكه")
    assert not arabic_contains("علي", "")
    assert not arabic_contains("علي", "عمر")


_arabic_heavy = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from([" ", "\t", "A", "z", "ß", "İ", "\u0301"]),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _arabic_heavy), st.booleans(), st.booleans())
def test_normalize_arabic_is_idempotent(text, fold_taa_marbuta, strip_al_prefix):
    options = {"fold_taa_marbuta": fold_taa_marbuta, "strip_al_prefix": strip_al_prefix}
    once = normalize_arabic(text, **options)
    assert normalize_arabic(once, **options) == once
