"""Arabic-aware text normalization for search and duplicate detection.

People type Arabic names with or without hamza, diacritics or tatweel, with ة or ه, and with
Arabic-Indic or Latin digits. `normalize_arabic` maps every such spelling of a word to one key,
so "أحمد" and "احمد", "مكة" and "مكه", "عَلِيّ" and "علي" compare equal. It is a matching key,
never something to show.
"""

from __future__ import annotations

import re
import unicodedata

# Hamza-carrying and decorated alef forms, alef maqsura, and hamza seats -> their base letter.
_LETTER_FOLDS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ alef with madda above
        "\u0623": "\u0627",  # أ alef with hamza above
        "\u0625": "\u0627",  # إ alef with hamza below
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u0649": "\u064a",  # ى alef maqsura -> ي
        "\u0624": "\u0648",  # ؤ waw with hamza -> و
        "\u0626": "\u064a",  # ئ yeh with hamza -> ي
    }
)
_TAA_MARBUTA_FOLD = str.maketrans({"\u0629": "\u0647"})  # ة -> ه

# Arabic-Indic (U+0660–0669) and Eastern Arabic-Indic / Persian (U+06F0–06F9) digits -> 0-9.
_DIGIT_FOLDS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)

# Harakat, tanween, shadda, sukun (U+064B–0652), maddah/hamza marks (U+0653–0655),
# superscript alef (U+0670) and tatweel (U+0640).
_REMOVED = re.compile("[\u064b-\u0655\u0670\u0640]")
_WHITESPACE = re.compile(r"\s+")
_ARABIC_DEFINITE_ARTICLE = "\u0627\u0644"  # ال


def normalize_arabic(text: str, *, fold_taa_marbuta: bool = True, strip_al_prefix: bool = False) -> str:
    """One comparison key per spelling: folded letters, no diacritics, Latin digits, casefolded.

    Idempotent: normalizing an already normalized string returns it unchanged.
    `strip_al_prefix` drops a leading "ال" from each word when at least two letters remain
    (so "الرياض" matches "رياض"; "ال" and "الف" stay).
    """
    if not text:
        return ""
    # NFKC turns presentation forms (ﻷ, ﺃ …) into plain letters and composes a letter typed as
    # base + hamza mark, so the folds see it; NFD then exposes every remaining mark for removal.
    value = unicodedata.normalize("NFKC", text).casefold()
    value = unicodedata.normalize("NFKC", value).translate(_LETTER_FOLDS)
    value = _REMOVED.sub("", unicodedata.normalize("NFD", value))
    value = unicodedata.normalize("NFC", value).translate(_DIGIT_FOLDS)
    if fold_taa_marbuta:
        value = value.translate(_TAA_MARBUTA_FOLD)
    words = _WHITESPACE.split(value.strip())
    if strip_al_prefix:
        words = [_strip_article(word) for word in words]
    return " ".join(word for word in words if word)


def _strip_article(word: str) -> str:
    """Drop leading "ال" while at least two letters remain (repeated, so the key is idempotent)."""
    while word.startswith(_ARABIC_DEFINITE_ARTICLE) and len(word) > len(_ARABIC_DEFINITE_ARTICLE) + 1:
        word = word[len(_ARABIC_DEFINITE_ARTICLE) :]
    return word


def arabic_contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` once both are normalized (empty needle: False)."""
    key = normalize_arabic(needle)
    return bool(key) and key in normalize_arabic(haystack)
