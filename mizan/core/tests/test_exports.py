"""export_response: CSV with a BOM that Excel reads as UTF-8, XLSX with real numbers and dates."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.utils import translation
from openpyxl import load_workbook

from mizan.core.exports import Amount, export_response

COLUMNS = [("name", "Name"), ("value", "Value"), ("closes", "Closes"), ("at", "At"), ("active", "Active")]
ROWS = [
    {"name": "شركة الأفق", "value": Decimal("1250.500"), "closes": date(2025, 3, 31), "at": None, "active": True},
    {
        "name": '=HYPERLINK("x")',
        "value": Decimal("0"),
        "closes": None,
        "at": datetime(2025, 1, 1, 9, 30, tzinfo=UTC),
        "active": False,
    },
    ("+966 50 123 4567", None, None, None, None),
]


def _body(response) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.streaming_content)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_is_streamed_with_a_byte_order_mark_and_arabic_intact():
    with translation.override("en"):
        response = export_response(
            filename="deals 2025", columns=COLUMNS, rows=iter(ROWS), file_format="csv", timezone_name="Asia/Riyadh"
        )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="deals-2025.csv"'
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Value", "Closes", "At", "Active"],
        ["شركة الأفق", "1250.500", "2025-03-31", "", "Yes"],
        ['\'=HYPERLINK("x")', "0", "", "2025-01-01 12:30", "No"],
        ["+966 50 123 4567", "", "", "", ""],
    ]


@pytest.mark.parametrize(("language", "right_to_left"), [("ar", True), ("en", False)])
def test_xlsx_keeps_numbers_and_dates_and_reads_right_to_left_in_arabic(language, right_to_left):
    with translation.override(language):
        response = export_response(
            filename="deals", columns=COLUMNS, rows=ROWS, file_format="xlsx", timezone_name="Asia/Riyadh"
        )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="deals.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(_body(response))).active
    assert sheet.sheet_view.rightToLeft is right_to_left
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Name", "Value", "Closes", "At", "Active"]
    assert values[1][0] == "شركة الأفق"
    assert values[1][1] == pytest.approx(1250.5)
    assert sheet["B2"].data_type == "n"
    assert values[1][2] == datetime(2025, 3, 31)
    assert sheet["C2"].is_date
    assert values[2][3] == datetime(2025, 1, 1, 12, 30)  # Riyadh wall-clock time
    assert sheet["A3"].data_type == "s"  # a formula-looking text stays text
    assert values[2][0] == '=HYPERLINK("x")'
    assert values[3][0] == "+966 50 123 4567"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        export_response(filename="x", columns=COLUMNS, rows=[], file_format="pdf")


MONEY_COLUMNS = [
    ("title", "Title"),
    ("value", "Value", Amount(currency_key="currency", currency="SAR")),
    ("currency", "Currency"),
    ("base", "Base", Amount(currency="EGP")),
]
MONEY_ROWS = [
    {"title": "Riyals", "value": Decimal("50000.000"), "currency": "SAR", "base": Decimal("10.005")},
    {"title": "Dinars", "value": Decimal("1250.5005"), "currency": "KWD", "base": Decimal("-2.345")},
    ("No currency", Decimal("7.125"), "", None),
    ("Total", None, "", 0),
]


def test_csv_amounts_are_rounded_half_up_to_each_rows_currency():
    with translation.override("en"):
        response = export_response(filename="deals", columns=MONEY_COLUMNS, rows=MONEY_ROWS, file_format="csv")
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows == [
        ["Title", "Value", "Currency", "Base"],
        ["Riyals", "50000.00", "SAR", "10.01"],
        ["Dinars", "1250.501", "KWD", "-2.35"],
        ["No currency", "7.13", "", ""],  # a blank currency falls back to the column's own
        ["Total", "", "", "0.00"],
    ]


def test_xlsx_amounts_are_numbers_with_the_currency_places_and_the_sheet_is_named_and_frozen():
    with translation.override("en"):
        response = export_response(
            filename="deals",
            columns=MONEY_COLUMNS,
            rows=MONEY_ROWS,
            file_format="xlsx",
            sheet_title="Deals: won/lost [2025]? * a very long name indeed",
        )
    sheet = load_workbook(io.BytesIO(_body(response))).active
    assert sheet.title == "Deals won lost 2025 a very long"  # 31 characters, none of []:*?/\\
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert (sheet["B2"].value, sheet["B2"].data_type, sheet["B2"].number_format) == (50000, "n", "#,##0.00")
    assert (sheet["B3"].value, sheet["B3"].number_format) == (pytest.approx(1250.501), "#,##0.000")
    assert (sheet["D3"].value, sheet["D3"].number_format) == (pytest.approx(-2.35), "#,##0.00")
    assert sheet["C2"].data_type == "s"  # a text column keeps no number format


def test_sheet_title_defaults_to_a_valid_name():
    response = export_response(filename="x", columns=COLUMNS, rows=[], file_format="xlsx", sheet_title="[]")
    assert load_workbook(io.BytesIO(_body(response))).active.title == "Sheet"
