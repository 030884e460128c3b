"""Lists as files: CSV that Excel opens with Arabic intact, and real XLSX workbooks.

One function, `export_response`, serves every list of every app. CSV is streamed (a 50,000-row
list never sits in memory as text) and starts with a UTF-8 byte order mark, without which Excel
reads Arabic as mojibake. XLSX is written with openpyxl's write-only workbook (rows go straight
to a temporary file); numbers stay numbers and dates stay dates, so totals and filters work in
Excel, and the sheet reads right to left when the language is Arabic.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BYTE_ORDER_MARK = "\ufeff"

Column = tuple[str, Any]  # (key in a row dict, label: a lazily translated string)
Row = dict[str, Any] | Sequence[Any]

#: A cell starting with one of these is a formula to a spreadsheet ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: ...except numbers and phone numbers such as "+966 50 123 4567" or "-12.5".
_PLAIN_NUMBER = re.compile(r"[+-][\d\s().\-]*")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_response(
    *,
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    file_format: str,
    timezone_name: str | None = None,
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """A download of `rows` (dicts keyed by column key, or tuples in column order).

    `filename` is given without extension. Aware datetimes are shown in `timezone_name` (else the
    current time zone). Raises ValueError for an unknown format: callers validate user input.
    """
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    tz = ZoneInfo(timezone_name) if timezone_name else timezone.get_current_timezone()
    safe_name = _FILENAME_UNSAFE.sub("-", filename).strip("-") or "export"
    # Labels are resolved now, in the request's language: the CSV body is produced after the
    # view returns, when the request's translation is no longer active.
    labels = [str(label) for _key, label in columns]
    if file_format == CSV:
        booleans = (_("Yes"), _("No"))
        chunks = _csv_chunks(columns, labels, rows, tz, booleans)
        response: Any = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{safe_name}.csv"'
    else:
        response = FileResponse(
            _xlsx_file(columns, labels, rows, tz, right_to_left=get_language_bidi()),
            as_attachment=True,
            filename=f"{safe_name}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _row_values(columns: Sequence[Column], row: Row) -> list[Any]:
    if isinstance(row, dict):
        return [row.get(key) for key, _label in columns]
    return list(row)


def _local(value: datetime, tz: ZoneInfo | Any) -> datetime:
    """Excel has no time zones: show the moment as wall-clock time in the organization's zone."""
    if timezone.is_aware(value):
        return timezone.localtime(value, tz).replace(tzinfo=None)
    return value


# --- CSV ------------------------------------------------------------------------------------


class _LineBuffer:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Any, tz: Any, booleans: tuple[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    if isinstance(value, datetime):
        return _local(value, tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_chunks(
    columns: Sequence[Column], labels: list[str], rows: Iterable[Row], tz: Any, booleans: tuple[str, str]
) -> Iterator[str]:
    writer = csv.writer(_LineBuffer())
    yield BYTE_ORDER_MARK + writer.writerow(labels)
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([_csv_text(value, tz, booleans) for value in _row_values(columns, row)]))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_cell(sheet: Any, value: Any, tz: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value, tz))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if value is None or isinstance(value, bool | int | float | Decimal):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _xlsx_file(
    columns: Sequence[Column], labels: list[str], rows: Iterable[Row], tz: Any, *, right_to_left: bool
) -> Any:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.sheet_view.rightToLeft = right_to_left
    bold = Font(bold=True)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, tz) for value in _row_values(columns, row)])
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    workbook.save(target)
    target.seek(0)
    return target
