"""Lists as files: CSV that Excel opens with Arabic intact, and real XLSX workbooks.

One function, `export_response`, serves every list of every app. CSV is streamed (a 50,000-row
list never sits in memory as text) and starts with a UTF-8 byte order mark, without which Excel
reads Arabic as mojibake. XLSX is written with openpyxl's write-only workbook (rows go straight
to a temporary file); numbers stay numbers and dates stay dates, so totals and filters work in
Excel, and the sheet reads right to left when the language is Arabic.

A column is `(key, label)` or `(key, label, Amount(...))`: an amount column is rounded half up
to its currency's minor unit (2 places for SAR, 3 for KWD) and written as a number with that
many places, whether the currency is the same for every row (a ledger's base currency) or read
from another column of the row (a deal's own currency).

A list page offers its download with `list_export_response`: `?export=csv|xlsx` on the page's
own URL, with the page's filters, gives the filtered list as a file named after the list and the
organization's date.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from mizan.core.formatting import minor_units

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class Amount:
    """Marks a column as money: `currency` for every row, or `currency_key`, the column holding
    each row's own currency (`currency` then serves rows whose currency is blank)."""

    currency: str = ""
    currency_key: str = ""


#: (key in a row dict, label: a lazily translated string[, Amount(...) for a money column])
Column = tuple[str, Any] | tuple[str, Any, Amount | None]
Row = dict[str, Any] | Sequence[Any]

#: A cell starting with one of these is a formula to a spreadsheet ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: ...except numbers and phone numbers such as "+966 50 123 4567" or "-12.5".
_PLAIN_NUMBER = re.compile(r"[+-][\d\s().\-]*")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Characters Excel refuses in a sheet name; a name holds at most 31 characters.
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]+")
SHEET_TITLE_MAX = 31


def export_response(
    *,
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Row],
    file_format: str,
    timezone_name: str | None = None,
    sheet_title: str = "",
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """A download of `rows` (dicts keyed by column key, or tuples in column order).

    `filename` is given without extension; `sheet_title` names the XLSX sheet (the list or report
    shown). Aware datetimes are shown in `timezone_name` (else the current time zone). Raises
    ValueError for an unknown format: callers validate user input.
    """
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    tz = ZoneInfo(timezone_name) if timezone_name else timezone.get_current_timezone()
    safe_name = _FILENAME_UNSAFE.sub("-", filename).strip("-") or "export"
    # Labels are resolved now, in the request's language: the CSV body is produced after the
    # view returns, when the request's translation is no longer active.
    labels = [str(column[1]) for column in columns]
    rounded = _rounded_rows(columns, rows)
    if file_format == CSV:
        booleans = (_("Yes"), _("No"))
        chunks = _csv_chunks(columns, labels, rounded, tz, booleans)
        response: Any = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{safe_name}.csv"'
    else:
        response = FileResponse(
            _xlsx_file(
                columns, labels, rounded, tz, right_to_left=get_language_bidi(), title=_sheet_title(str(sheet_title))
            ),
            as_attachment=True,
            filename=f"{safe_name}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def list_export_response(
    request: HttpRequest, *, filename: str, columns: Sequence[Column], rows: Iterable[Row], sheet_title: Any
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The `?export=` download of a list page: `rows` (the page's filtered list, lazily read) as
    `<filename>-<organization's date>.csv|xlsx`; a format other than CSV or XLSX is a 400.

    Rows are produced in the request's language even when the CSV is streamed after the view
    returns, so statuses and names read as on the page.
    """
    file_format = request.GET.get("export", "")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Choose CSV or Excel."), content_type="text/plain; charset=utf-8")
    org = request.org  # type: ignore[attr-defined]
    return export_response(
        filename=f"{filename}-{org.today().isoformat()}",
        columns=columns,
        rows=_in_language(rows, get_language()),
        file_format=file_format,
        timezone_name=org.timezone,
        sheet_title=sheet_title,
    )


def _in_language(rows: Iterable[Row], language: str | None) -> Iterator[Row]:
    """`rows`, each one read with `language` active (and the active language put back between rows)."""
    iterator = iter(rows)
    while True:
        with translation.override(language):
            try:
                row = next(iterator)
            except StopIteration:
                return
        yield row


def _row_values(columns: Sequence[Column], row: Row) -> list[Any]:
    if isinstance(row, dict):
        return [row.get(column[0]) for column in columns]
    return list(row)


def _amount_of(column: Column) -> Amount | None:
    return column[2] if len(column) > 2 else None  # type: ignore[misc]


def _rounded(value: Any, currency: str) -> Any:
    """`value` rounded half up to the currency's minor unit; anything not a number is left alone."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return value
    return number.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _rounded_rows(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[list[Any]]:
    """Rows as value lists in column order, amounts rounded to their currency's minor unit."""
    keys = [column[0] for column in columns]
    amounts = [(index, amount) for index, column in enumerate(columns) if (amount := _amount_of(column))]
    currency_index = {
        amount.currency_key: keys.index(amount.currency_key)
        for _index, amount in amounts
        if amount.currency_key in keys
    }
    for row in rows:
        values = _row_values(columns, row)
        for index, amount in amounts:
            own = values[currency_index[amount.currency_key]] if amount.currency_key in currency_index else ""
            values[index] = _rounded(values[index], str(own or amount.currency))
        yield values


def _amount_places(value: Any) -> int | None:
    """The places of a rounded amount (its exponent), for the spreadsheet's number format."""
    return -value.as_tuple().exponent if isinstance(value, Decimal) and value.is_finite() else None


def _sheet_title(title: str) -> str:
    """A name Excel accepts: no []:*?/\\, at most 31 characters, never empty."""
    cleaned = " ".join(_SHEET_TITLE_UNSAFE.sub(" ", title).split()).strip("'")[:SHEET_TITLE_MAX].strip()
    return cleaned or "Sheet"


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
    columns: Sequence[Column], labels: list[str], rows: Iterable[list[Any]], tz: Any, booleans: tuple[str, str]
) -> Iterator[str]:
    writer = csv.writer(_LineBuffer())
    yield BYTE_ORDER_MARK + writer.writerow(labels)
    batch: list[str] = []
    for values in rows:
        batch.append(writer.writerow([_csv_text(value, tz, booleans) for value in values]))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_cell(sheet: Any, value: Any, tz: Any, *, amount: bool = False) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value, tz))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if value is None or isinstance(value, bool | int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        places = _amount_places(value) if amount else None
        if places is not None:
            cell.number_format = "#,##0" + ("." + "0" * places if places > 0 else "")
        return cell
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _xlsx_file(
    columns: Sequence[Column],
    labels: list[str],
    rows: Iterable[list[Any]],
    tz: Any,
    *,
    right_to_left: bool,
    title: str,
) -> Any:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.freeze_panes = "A2"  # the header row stays in view while scrolling
    bold = Font(bold=True)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    amounts = [_amount_of(column) is not None for column in columns]
    for values in rows:
        sheet.append(
            [_xlsx_cell(sheet, value, tz, amount=is_amount) for value, is_amount in zip(values, amounts, strict=False)]
        )
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    workbook.save(target)
    target.seek(0)
    return target
