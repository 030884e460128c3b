"""Phone numbers are stored in E.164 whatever way they were typed; invalid ones are refused."""

from __future__ import annotations

import pytest
from django.utils import translation

from mizan.core.errors import DomainError
from mizan.crm.phones import phone_normalize, phone_search_digits


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+966501234567", "SA", "+966501234567"),
        ("0501234567", "SA", "+966501234567"),
        ("050 123 4567", "SA", "+966501234567"),
        ("00966501234567", "SA", "+966501234567"),
        ("٠٥٠١٢٣٤٥٦٧", "SA", "+966501234567"),
        ("+٩٦٦٥٠١٢٣٤٥٦٧", "SA", "+966501234567"),
        ("01001234567", "EG", "+201001234567"),
        ("+20 100 123 4567", "EG", "+201001234567"),
        ("0501234567", "AE", "+971501234567"),
        ("+971 50 123 4567", "AE", "+971501234567"),
        ("+966501234567", "OTHER", "+966501234567"),
        ("+201001234567", "SA", "+201001234567"),
        ("", "SA", ""),
        ("   ", "SA", ""),
    ],
)
def test_phone_normalize(raw, region, expected):
    assert phone_normalize(raw, region=region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [("123", "SA"), ("0501234567", "OTHER"), ("not a phone", "EG"), ("+9665", "SA"), ("05012345678901234", "AE")],
)
def test_invalid_phone_is_a_translated_field_error(raw, region):
    with pytest.raises(DomainError) as error:
        phone_normalize(raw, region=region, field="mobile")
    assert (error.value.code, error.value.field) == ("invalid_phone", "mobile")
    assert "\u2066+" in error.value.message and error.value.message.endswith("\u2069.")


def test_invalid_phone_example_is_of_the_region_and_isolated_left_to_right():
    """Regression: in Arabic the example "+966…" rendered as "966…+"; and an Egyptian org got a Saudi example."""
    with translation.override("en"), pytest.raises(DomainError) as egypt:
        phone_normalize("123", region="EG")
    assert egypt.value.message.endswith("e.g. \u2066+201001234567\u2069.")
    with translation.override("en"), pytest.raises(DomainError) as saudi:
        phone_normalize("123", region="SA")
    assert "\u2066+9665" in saudi.value.message


def test_invalid_phone_message_is_translated():
    with translation.override("ar"), pytest.raises(DomainError) as error:
        phone_normalize("123", region="SA")
    with translation.override("en"), pytest.raises(DomainError) as english:
        phone_normalize("123", region="SA")
    assert english.value.message.startswith("“123” is not a valid phone number")
    assert error.value.code == "invalid_phone"


def test_search_digits_hold_international_and_national_forms():
    assert phone_search_digits("+966501234567") == "966501234567 0501234567"
    assert phone_search_digits("") == ""
