"""Amounts in words: exact Arabic and English strings, per currency, checked by hand against the grammar rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mizan.billing.words import amount_in_arabic_words, amount_in_english_words, amount_in_words

D = Decimal

ARABIC_PER_CURRENCY = [
    ("SAR", "0", "فقط صفر ريال سعودي لا غير"),
    ("SAR", "1", "فقط ريال سعودي واحد لا غير"),
    ("SAR", "2", "فقط ريالان سعوديان لا غير"),
    ("SAR", "3", "فقط ثلاثة ريالات سعودية لا غير"),
    ("SAR", "11", "فقط أحد عشر ريالاً سعودياً لا غير"),
    ("SAR", "100", "فقط مائة ريال سعودي لا غير"),
    ("SAR", "101", "فقط مائة وواحد ريال سعودي لا غير"),
    ("SAR", "1000", "فقط ألف ريال سعودي لا غير"),
    ("SAR", "2000", "فقط ألفا ريال سعودي لا غير"),
    ("SAR", "1000000", "فقط مليون ريال سعودي لا غير"),
    ("SAR", "0.01", "فقط هللة واحدة لا غير"),
    ("SAR", "0.02", "فقط هللتان لا غير"),
    ("SAR", "0.03", "فقط ثلاث هللات لا غير"),
    ("SAR", "0.11", "فقط إحدى عشرة هللة لا غير"),
    ("SAR", "1.25", "فقط ريال سعودي واحد وخمس وعشرون هللة لا غير"),
    ("SAR", "1250", "فقط ألف ومائتان وخمسون ريالاً سعودياً لا غير"),
    ("SAR", "1250.50", "فقط ألف ومائتان وخمسون ريالاً سعودياً وخمسون هللة لا غير"),
    ("EGP", "0", "فقط صفر جنيه مصري لا غير"),
    ("EGP", "1", "فقط جنيه مصري واحد لا غير"),
    ("EGP", "2", "فقط جنيهان مصريان لا غير"),
    ("EGP", "3", "فقط ثلاثة جنيهات مصرية لا غير"),
    ("EGP", "11", "فقط أحد عشر جنيهاً مصرياً لا غير"),
    ("EGP", "100", "فقط مائة جنيه مصري لا غير"),
    ("EGP", "101", "فقط مائة وواحد جنيه مصري لا غير"),
    ("EGP", "1000", "فقط ألف جنيه مصري لا غير"),
    ("EGP", "2000", "فقط ألفا جنيه مصري لا غير"),
    ("EGP", "1000000", "فقط مليون جنيه مصري لا غير"),
    ("EGP", "0.01", "فقط قرش واحد لا غير"),
    ("EGP", "0.02", "فقط قرشان لا غير"),
    ("EGP", "0.03", "فقط ثلاثة قروش لا غير"),
    ("EGP", "0.11", "فقط أحد عشر قرشاً لا غير"),
    ("EGP", "1.25", "فقط جنيه مصري واحد وخمسة وعشرون قرشاً لا غير"),
    ("EGP", "1250.50", "فقط ألف ومائتان وخمسون جنيهاً مصرياً وخمسون قرشاً لا غير"),
    ("AED", "0", "فقط صفر درهم إماراتي لا غير"),
    ("AED", "1", "فقط درهم إماراتي واحد لا غير"),
    ("AED", "2", "فقط درهمان إماراتيان لا غير"),
    ("AED", "3", "فقط ثلاثة دراهم إماراتية لا غير"),
    ("AED", "11", "فقط أحد عشر درهماً إماراتياً لا غير"),
    ("AED", "100", "فقط مائة درهم إماراتي لا غير"),
    ("AED", "101", "فقط مائة وواحد درهم إماراتي لا غير"),
    ("AED", "1000", "فقط ألف درهم إماراتي لا غير"),
    ("AED", "2000", "فقط ألفا درهم إماراتي لا غير"),
    ("AED", "1000000", "فقط مليون درهم إماراتي لا غير"),
    ("AED", "0.01", "فقط فلس واحد لا غير"),
    ("AED", "0.02", "فقط فلسان لا غير"),
    ("AED", "0.03", "فقط ثلاثة فلوس لا غير"),
    ("AED", "0.11", "فقط أحد عشر فلساً لا غير"),
    ("AED", "1.25", "فقط درهم إماراتي واحد وخمسة وعشرون فلساً لا غير"),
    ("AED", "1250.50", "فقط ألف ومائتان وخمسون درهماً إماراتياً وخمسون فلساً لا غير"),
    ("KWD", "0", "فقط صفر دينار كويتي لا غير"),
    ("KWD", "1", "فقط دينار كويتي واحد لا غير"),
    ("KWD", "2", "فقط ديناران كويتيان لا غير"),
    ("KWD", "3", "فقط ثلاثة دنانير كويتية لا غير"),
    ("KWD", "11", "فقط أحد عشر ديناراً كويتياً لا غير"),
    ("KWD", "100", "فقط مائة دينار كويتي لا غير"),
    ("KWD", "101", "فقط مائة وواحد دينار كويتي لا غير"),
    ("KWD", "1000", "فقط ألف دينار كويتي لا غير"),
    ("KWD", "2000", "فقط ألفا دينار كويتي لا غير"),
    ("KWD", "1000000", "فقط مليون دينار كويتي لا غير"),
    # Three decimals: the subunit is a thousandth, so 0.01 KWD is ten fils.
    ("KWD", "0.001", "فقط فلس واحد لا غير"),
    ("KWD", "0.002", "فقط فلسان لا غير"),
    ("KWD", "0.003", "فقط ثلاثة فلوس لا غير"),
    ("KWD", "0.011", "فقط أحد عشر فلساً لا غير"),
    ("KWD", "0.01", "فقط عشرة فلوس لا غير"),
    ("KWD", "0.11", "فقط مائة وعشرة فلوس لا غير"),
    ("KWD", "0.101", "فقط مائة وواحد فلس لا غير"),
    ("KWD", "0.102", "فقط مائة واثنان فلس لا غير"),
    ("KWD", "0.2", "فقط مائتا فلس لا غير"),
    ("KWD", "1.25", "فقط دينار كويتي واحد ومائتان وخمسون فلساً لا غير"),
    ("KWD", "1.250", "فقط دينار كويتي واحد ومائتان وخمسون فلساً لا غير"),
    ("KWD", "12.345", "فقط اثنا عشر ديناراً كويتياً وثلاثمائة وخمسة وأربعون فلساً لا غير"),
    ("KWD", "1250.50", "فقط ألف ومائتان وخمسون ديناراً كويتياً وخمسمائة فلس لا غير"),
    ("USD", "0", "فقط صفر دولار أمريكي لا غير"),
    ("USD", "1", "فقط دولار أمريكي واحد لا غير"),
    ("USD", "2", "فقط دولاران أمريكيان لا غير"),
    ("USD", "3", "فقط ثلاثة دولارات أمريكية لا غير"),
    ("USD", "11", "فقط أحد عشر دولاراً أمريكياً لا غير"),
    ("USD", "100", "فقط مائة دولار أمريكي لا غير"),
    ("USD", "101", "فقط مائة وواحد دولار أمريكي لا غير"),
    ("USD", "1000", "فقط ألف دولار أمريكي لا غير"),
    ("USD", "2000", "فقط ألفا دولار أمريكي لا غير"),
    ("USD", "1000000", "فقط مليون دولار أمريكي لا غير"),
    ("USD", "0.01", "فقط سنت واحد لا غير"),
    ("USD", "0.02", "فقط سنتان لا غير"),
    ("USD", "0.03", "فقط ثلاثة سنتات لا غير"),
    ("USD", "0.11", "فقط أحد عشر سنتاً لا غير"),
    ("USD", "1.25", "فقط دولار أمريكي واحد وخمسة وعشرون سنتاً لا غير"),
    ("USD", "1250.50", "فقط ألف ومائتان وخمسون دولاراً أمريكياً وخمسون سنتاً لا غير"),
]

ARABIC_NUMBERS = [
    ("10", "فقط عشرة ريالات سعودية لا غير"),
    ("12", "فقط اثنا عشر ريالاً سعودياً لا غير"),
    ("13", "فقط ثلاثة عشر ريالاً سعودياً لا غير"),
    ("20", "فقط عشرون ريالاً سعودياً لا غير"),
    ("21", "فقط واحد وعشرون ريالاً سعودياً لا غير"),
    ("22", "فقط اثنان وعشرون ريالاً سعودياً لا غير"),
    ("23", "فقط ثلاثة وعشرون ريالاً سعودياً لا غير"),
    ("102", "فقط مائة واثنان ريال سعودي لا غير"),
    ("103", "فقط مائة وثلاثة ريالات سعودية لا غير"),
    ("110", "فقط مائة وعشرة ريالات سعودية لا غير"),
    ("111", "فقط مائة وأحد عشر ريالاً سعودياً لا غير"),
    ("200", "فقط مائتا ريال سعودي لا غير"),
    ("250", "فقط مائتان وخمسون ريالاً سعودياً لا غير"),
    ("1001", "فقط ألف وواحد ريال سعودي لا غير"),
    ("1002", "فقط ألف واثنان ريال سعودي لا غير"),
    ("1200", "فقط ألف ومائتا ريال سعودي لا غير"),
    ("2500", "فقط ألفان وخمسمائة ريال سعودي لا غير"),
    ("3000", "فقط ثلاثة آلاف ريال سعودي لا غير"),
    ("10000", "فقط عشرة آلاف ريال سعودي لا غير"),
    ("11000", "فقط أحد عشر ألف ريال سعودي لا غير"),
    ("11500", "فقط أحد عشر ألفاً وخمسمائة ريال سعودي لا غير"),
    ("25000", "فقط خمسة وعشرون ألف ريال سعودي لا غير"),
    ("100000", "فقط مائة ألف ريال سعودي لا غير"),
    ("101000", "فقط مائة وواحد ألف ريال سعودي لا غير"),
    ("103000", "فقط مائة وثلاثة آلاف ريال سعودي لا غير"),
    ("200000", "فقط مائتا ألف ريال سعودي لا غير"),
    ("200500", "فقط مائتا ألف وخمسمائة ريال سعودي لا غير"),
    ("1000001", "فقط مليون وواحد ريال سعودي لا غير"),
    ("2000000", "فقط مليونا ريال سعودي لا غير"),
    ("2000500", "فقط مليونان وخمسمائة ريال سعودي لا غير"),
    ("3000000", "فقط ثلاثة ملايين ريال سعودي لا غير"),
    ("11000000", "فقط أحد عشر مليون ريال سعودي لا غير"),
    (
        "999999999",
        "فقط تسعمائة وتسعة وتسعون مليوناً وتسعمائة وتسعة وتسعون ألفاً وتسعمائة وتسعة وتسعون ريالاً سعودياً لا غير",
    ),
    ("1000000000", "فقط مليار ريال سعودي لا غير"),
    ("2000000000", "فقط مليارا ريال سعودي لا غير"),
    ("3000000000", "فقط ثلاثة مليارات ريال سعودي لا غير"),
    (
        "999999999999",
        "فقط تسعمائة وتسعة وتسعون ملياراً وتسعمائة وتسعة وتسعون مليوناً وتسعمائة وتسعة وتسعون ألفاً"
        " وتسعمائة وتسعة وتسعون ريالاً سعودياً لا غير",
    ),
    ("0.50", "فقط خمسون هللة لا غير"),
]

# Halala is feminine: the numbers agree (3-10 take the opposite gender, so they drop the ة).
ARABIC_FEMININE = [
    ("SAR", "0.08", "فقط ثماني هللات لا غير"),
    ("SAR", "0.10", "فقط عشر هللات لا غير"),
    ("SAR", "0.12", "فقط اثنتا عشرة هللة لا غير"),
    ("SAR", "0.13", "فقط ثلاث عشرة هللة لا غير"),
    ("SAR", "0.18", "فقط ثماني عشرة هللة لا غير"),
    ("SAR", "0.21", "فقط إحدى وعشرون هللة لا غير"),
    ("SAR", "0.22", "فقط اثنتان وعشرون هللة لا غير"),
    ("SAR", "0.23", "فقط ثلاث وعشرون هللة لا غير"),
    ("SAR", "0.28", "فقط ثمان وعشرون هللة لا غير"),
    ("SAR", "0.99", "فقط تسع وتسعون هللة لا غير"),
    ("LBP", "1", "فقط ليرة لبنانية واحدة لا غير"),
    ("LBP", "2", "فقط ليرتان لبنانيتان لا غير"),
    ("LBP", "3", "فقط ثلاث ليرات لبنانية لا غير"),
    ("LBP", "11", "فقط إحدى عشرة ليرة لبنانية لا غير"),
    ("LBP", "101", "فقط مائة وواحدة ليرة لبنانية لا غير"),
    ("LBP", "3000", "فقط ثلاثة آلاف ليرة لبنانية لا غير"),
    ("LBP", "3003", "فقط ثلاثة آلاف وثلاث ليرات لبنانية لا غير"),
    ("OMR", "0.001", "فقط بيسة واحدة لا غير"),
    ("OMR", "0.003", "فقط ثلاث بيسات لا غير"),
    ("OMR", "0.013", "فقط ثلاث عشرة بيسة لا غير"),
    ("OMR", "0.5", "فقط خمسمائة بيسة لا غير"),
    ("OMR", "1.102", "فقط ريال عماني واحد ومائة واثنتان بيسة لا غير"),
]

ARABIC_OTHER_CURRENCIES = [
    ("EUR", "1", "فقط يورو واحد لا غير"),
    ("EUR", "2", "فقط يوروان لا غير"),
    ("EUR", "3", "فقط ثلاثة يورو لا غير"),
    ("EUR", "11.02", "فقط أحد عشر يورو وسنتان لا غير"),
    ("GBP", "2.02", "فقط جنيهان إسترلينيان وبنسان لا غير"),
    ("GBP", "15.15", "فقط خمسة عشر جنيهاً إسترلينياً وخمسة عشر بنساً لا غير"),
    ("BHD", "1.001", "فقط دينار بحريني واحد وفلس واحد لا غير"),
    ("QAR", "5.05", "فقط خمسة ريالات قطرية وخمسة دراهم لا غير"),
    ("QAR", "20", "فقط عشرون ريالاً قطرياً لا غير"),
    ("JOD", "3.5", "فقط ثلاثة دنانير أردنية وخمسمائة فلس لا غير"),
    ("TND", "2.020", "فقط ديناران تونسيان وعشرون مليماً لا غير"),
    ("IQD", "1000", "فقط ألف دينار عراقي لا غير"),
    ("MAD", "11.11", "فقط أحد عشر درهماً مغربياً وأحد عشر سنتيماً لا غير"),
]

ENGLISH_PER_CURRENCY = [
    ("SAR", "0", "Zero Saudi Riyals Only"),
    ("SAR", "1", "One Saudi Riyal Only"),
    ("SAR", "2", "Two Saudi Riyals Only"),
    ("SAR", "3", "Three Saudi Riyals Only"),
    ("SAR", "11", "Eleven Saudi Riyals Only"),
    ("SAR", "100", "One Hundred Saudi Riyals Only"),
    ("SAR", "101", "One Hundred One Saudi Riyals Only"),
    ("SAR", "1000", "One Thousand Saudi Riyals Only"),
    ("SAR", "2000", "Two Thousand Saudi Riyals Only"),
    ("SAR", "1000000", "One Million Saudi Riyals Only"),
    ("SAR", "0.01", "One Halala Only"),
    ("SAR", "0.02", "Two Halalas Only"),
    ("SAR", "0.03", "Three Halalas Only"),
    ("SAR", "0.11", "Eleven Halalas Only"),
    ("SAR", "1.25", "One Saudi Riyal and Twenty-Five Halalas Only"),
    ("SAR", "1250.50", "One Thousand Two Hundred Fifty Saudi Riyals and Fifty Halalas Only"),
    ("EGP", "0", "Zero Egyptian Pounds Only"),
    ("EGP", "1", "One Egyptian Pound Only"),
    ("EGP", "2", "Two Egyptian Pounds Only"),
    ("EGP", "3", "Three Egyptian Pounds Only"),
    ("EGP", "11", "Eleven Egyptian Pounds Only"),
    ("EGP", "100", "One Hundred Egyptian Pounds Only"),
    ("EGP", "101", "One Hundred One Egyptian Pounds Only"),
    ("EGP", "1000", "One Thousand Egyptian Pounds Only"),
    ("EGP", "2000", "Two Thousand Egyptian Pounds Only"),
    ("EGP", "1000000", "One Million Egyptian Pounds Only"),
    ("EGP", "0.01", "One Piastre Only"),
    ("EGP", "0.02", "Two Piastres Only"),
    ("EGP", "0.03", "Three Piastres Only"),
    ("EGP", "0.11", "Eleven Piastres Only"),
    ("EGP", "1.25", "One Egyptian Pound and Twenty-Five Piastres Only"),
    ("EGP", "1250.50", "One Thousand Two Hundred Fifty Egyptian Pounds and Fifty Piastres Only"),
    ("AED", "0", "Zero UAE Dirhams Only"),
    ("AED", "1", "One UAE Dirham Only"),
    ("AED", "2", "Two UAE Dirhams Only"),
    ("AED", "3", "Three UAE Dirhams Only"),
    ("AED", "11", "Eleven UAE Dirhams Only"),
    ("AED", "100", "One Hundred UAE Dirhams Only"),
    ("AED", "101", "One Hundred One UAE Dirhams Only"),
    ("AED", "1000", "One Thousand UAE Dirhams Only"),
    ("AED", "2000", "Two Thousand UAE Dirhams Only"),
    ("AED", "1000000", "One Million UAE Dirhams Only"),
    ("AED", "0.01", "One Fils Only"),
    ("AED", "0.02", "Two Fils Only"),
    ("AED", "0.03", "Three Fils Only"),
    ("AED", "0.11", "Eleven Fils Only"),
    ("AED", "1.25", "One UAE Dirham and Twenty-Five Fils Only"),
    ("AED", "1250.50", "One Thousand Two Hundred Fifty UAE Dirhams and Fifty Fils Only"),
    ("KWD", "0", "Zero Kuwaiti Dinars Only"),
    ("KWD", "1", "One Kuwaiti Dinar Only"),
    ("KWD", "2", "Two Kuwaiti Dinars Only"),
    ("KWD", "3", "Three Kuwaiti Dinars Only"),
    ("KWD", "11", "Eleven Kuwaiti Dinars Only"),
    ("KWD", "100", "One Hundred Kuwaiti Dinars Only"),
    ("KWD", "101", "One Hundred One Kuwaiti Dinars Only"),
    ("KWD", "1000", "One Thousand Kuwaiti Dinars Only"),
    ("KWD", "2000", "Two Thousand Kuwaiti Dinars Only"),
    ("KWD", "1000000", "One Million Kuwaiti Dinars Only"),
    ("KWD", "0.001", "One Fils Only"),
    ("KWD", "0.002", "Two Fils Only"),
    ("KWD", "0.003", "Three Fils Only"),
    ("KWD", "0.011", "Eleven Fils Only"),
    ("KWD", "0.01", "Ten Fils Only"),
    ("KWD", "1.250", "One Kuwaiti Dinar and Two Hundred Fifty Fils Only"),
    ("KWD", "12.345", "Twelve Kuwaiti Dinars and Three Hundred Forty-Five Fils Only"),
    ("KWD", "1250.50", "One Thousand Two Hundred Fifty Kuwaiti Dinars and Five Hundred Fils Only"),
    ("USD", "0", "Zero US Dollars Only"),
    ("USD", "1", "One US Dollar Only"),
    ("USD", "2", "Two US Dollars Only"),
    ("USD", "3", "Three US Dollars Only"),
    ("USD", "11", "Eleven US Dollars Only"),
    ("USD", "100", "One Hundred US Dollars Only"),
    ("USD", "101", "One Hundred One US Dollars Only"),
    ("USD", "1000", "One Thousand US Dollars Only"),
    ("USD", "2000", "Two Thousand US Dollars Only"),
    ("USD", "1000000", "One Million US Dollars Only"),
    ("USD", "0.01", "One Cent Only"),
    ("USD", "0.02", "Two Cents Only"),
    ("USD", "0.03", "Three Cents Only"),
    ("USD", "0.11", "Eleven Cents Only"),
    ("USD", "1.25", "One US Dollar and Twenty-Five Cents Only"),
    ("USD", "1250.50", "One Thousand Two Hundred Fifty US Dollars and Fifty Cents Only"),
]

ENGLISH_OTHER = [
    ("SAR", "3000", "Three Thousand Saudi Riyals Only"),
    ("SAR", "11000", "Eleven Thousand Saudi Riyals Only"),
    ("SAR", "200000", "Two Hundred Thousand Saudi Riyals Only"),
    ("SAR", "2000000", "Two Million Saudi Riyals Only"),
    ("SAR", "3000000", "Three Million Saudi Riyals Only"),
    ("SAR", "11000000", "Eleven Million Saudi Riyals Only"),
    (
        "SAR",
        "999999999",
        "Nine Hundred Ninety-Nine Million Nine Hundred Ninety-Nine Thousand Nine Hundred Ninety-Nine Saudi Riyals Only",
    ),
    ("SAR", "2000000001", "Two Billion One Saudi Riyals Only"),
    ("SAR", "0.50", "Fifty Halalas Only"),
    ("EUR", "1.01", "One Euro and One Cent Only"),
    ("GBP", "1.01", "One Pound Sterling and One Penny Only"),
    ("GBP", "2.02", "Two Pounds Sterling and Two Pence Only"),
    ("OMR", "2.5", "Two Omani Rials and Five Hundred Baisa Only"),
    ("QAR", "1.01", "One Qatari Riyal and One Dirham Only"),
    ("JOD", "7.007", "Seven Jordanian Dinars and Seven Fils Only"),
    ("TND", "1.001", "One Tunisian Dinar and One Millime Only"),
]


@pytest.mark.parametrize(("currency", "amount", "expected"), ARABIC_PER_CURRENCY + ARABIC_FEMININE)
def test_arabic_words_per_currency(currency, amount, expected):
    assert amount_in_arabic_words(D(amount), currency) == expected


@pytest.mark.parametrize(("amount", "expected"), ARABIC_NUMBERS)
def test_arabic_words_counted_noun_follows_the_last_two_digits(amount, expected):
    assert amount_in_arabic_words(D(amount), "SAR") == expected


@pytest.mark.parametrize(("currency", "amount", "expected"), ARABIC_OTHER_CURRENCIES)
def test_arabic_words_other_currencies(currency, amount, expected):
    assert amount_in_arabic_words(D(amount), currency) == expected


@pytest.mark.parametrize(("currency", "amount", "expected"), ENGLISH_PER_CURRENCY + ENGLISH_OTHER)
def test_english_words(currency, amount, expected):
    assert amount_in_english_words(D(amount), currency) == expected


@pytest.mark.parametrize(
    ("currency", "amount", "arabic", "english"),
    [
        ("SAR", "1.005", "فقط ريال سعودي واحد وهللة واحدة لا غير", "One Saudi Riyal and One Halala Only"),
        ("SAR", "1.004", "فقط ريال سعودي واحد لا غير", "One Saudi Riyal Only"),
        ("SAR", "0.995", "فقط ريال سعودي واحد لا غير", "One Saudi Riyal Only"),
        ("SAR", "0.004", "فقط صفر ريال سعودي لا غير", "Zero Saudi Riyals Only"),
        ("KWD", "1.0005", "فقط دينار كويتي واحد وفلس واحد لا غير", "One Kuwaiti Dinar and One Fils Only"),
        ("KWD", "1.0004", "فقط دينار كويتي واحد لا غير", "One Kuwaiti Dinar Only"),
    ],
)
def test_rounds_half_up_to_the_currency_minor_unit(currency, amount, arabic, english):
    assert amount_in_arabic_words(D(amount), currency) == arabic
    assert amount_in_english_words(D(amount), currency) == english


@pytest.mark.parametrize(
    ("amount", "arabic", "english"),
    [
        ("1", "فقط XYZ واحد لا غير", "One XYZ Only"),
        ("2", "فقط اثنان XYZ لا غير", "Two XYZ Only"),
        ("3.50", "فقط ثلاثة XYZ و50/100 لا غير", "Three XYZ and 50/100 Only"),
        ("0.05", "فقط صفر XYZ و05/100 لا غير", "Zero XYZ and 05/100 Only"),
    ],
)
def test_unknown_currency_names_itself_and_writes_the_fraction_in_digits(amount, arabic, english):
    assert amount_in_arabic_words(D(amount), "XYZ") == arabic
    assert amount_in_english_words(D(amount), "XYZ") == english


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", "فقط خمسة ريالات سعودية لا غير"),
        ("ar-sa", "فقط خمسة ريالات سعودية لا غير"),
        ("AR", "فقط خمسة ريالات سعودية لا غير"),
        ("en", "Five Saudi Riyals Only"),
        ("fr", "Five Saudi Riyals Only"),
    ],
)
def test_amount_in_words_picks_the_language(language, expected):
    assert amount_in_words(D("5"), "SAR", language=language) == expected


def test_accepts_an_int_and_a_lower_case_code():
    assert amount_in_arabic_words(5, "sar") == "فقط خمسة ريالات سعودية لا غير"


@pytest.mark.parametrize(
    "amount",
    [
        D("-1"),
        D("-0.001"),
        D("NaN"),
        D("Infinity"),
        D("1000000000000"),
        D("999999999999.995"),
        1.5,
        "10",
        True,
    ],
)
def test_rejects_amounts_it_cannot_write(amount):
    with pytest.raises(ValueError):
        amount_in_arabic_words(amount, "SAR")
    with pytest.raises(ValueError):
        amount_in_english_words(amount, "SAR")


@pytest.mark.parametrize("currency", ["", "SA", "SAR1", "ريال"])
def test_rejects_what_is_not_a_currency_code(currency):
    with pytest.raises(ValueError):
        amount_in_words(D("1"), currency, language="ar")
