"""Lead import from CSV or XLSX: upload, column mapping, preview, then a background run.

Arabic CSV files from Excel come as UTF-8 with a byte order mark, UTF-8 without one, UTF-16
("Unicode text") or Windows-1256; all are detected. Each row becomes a lead through `lead_create`
in its own savepoint, so a broken row is reported (row number + translated reason) without
touching the others. The run goes in chunks: the leads of a chunk and the job's `processed`
counter commit together, so a worker that dies mid-run is re-run by the reaper and continues
after the last committed row, never creating a row's lead twice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from mizan.core.access import require_capability
from mizan.core.arabic import normalize_arabic
from mizan.core.background import enqueue_run_on_commit, mizan_task
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created
from mizan.crm.models import ImportJob, LeadSource
from mizan.crm.phones import phone_normalize, phone_region
from mizan.crm.services.clients import clean_country, clean_email
from mizan.crm.services.leads import lead_create
from mizan.crm.services.scoring import lead_score_apply, scoring_rules_active

Status = ImportJob.Status

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PREVIEW_ROWS = 20
CHUNK_SIZE = 100
#: Row errors kept on the job for display (the failed count stays exact beyond it).
MAX_STORED_ERRORS = 1000

#: Lead fields a column can fill, in the order the mapping page shows them.
IMPORT_FIELDS: dict[str, Any] = {
    "person_name": gettext_lazy("Person's name"),
    "company_name": gettext_lazy("Company name"),
    "title": gettext_lazy("Title"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "job_title": gettext_lazy("Job title"),
    "website": gettext_lazy("Website"),
    "country": gettext_lazy("Country"),
    "source": gettext_lazy("Source"),
    "estimated_value": gettext_lazy("Estimated value"),
    "currency": gettext_lazy("Currency"),
    "message": gettext_lazy("Message"),
}

#: Header spellings (Arabic and English) that suggest a field; compared after `_header_key`.
HEADER_SYNONYMS: dict[str, list[str]] = {
    "person_name": [
        "name",
        "full name",
        "contact",
        "contact name",
        "person",
        "first name",
        "الاسم",
        "اسم",
        "الاسم الكامل",
        "اسم العميل",
        "العميل",
        "جهة الاتصال",
        "اسم الشخص",
    ],
    "company_name": [
        "company",
        "company name",
        "organization",
        "organisation",
        "business",
        "account",
        "الشركة",
        "اسم الشركة",
        "المؤسسة",
        "الجهة",
        "المنشأة",
    ],
    "title": ["title", "lead", "subject", "lead title", "العنوان", "الموضوع", "الفرصة"],
    "email": [
        "email",
        "e-mail",
        "mail",
        "email address",
        "البريد",
        "البريد الإلكتروني",
        "الإيميل",
        "الايميل",
        "البريد الالكتروني",
    ],
    "phone": [
        "phone",
        "mobile",
        "tel",
        "telephone",
        "phone number",
        "mobile number",
        "whatsapp",
        "cell",
        "الهاتف",
        "الجوال",
        "الموبايل",
        "رقم الهاتف",
        "رقم الجوال",
        "هاتف",
        "جوال",
        "واتساب",
        "الرقم",
    ],
    "job_title": ["job title", "position", "role", "job", "المسمى الوظيفي", "الوظيفة", "المنصب"],
    "website": ["website", "web", "url", "site", "web site", "الموقع", "الموقع الإلكتروني"],
    "country": ["country", "الدولة", "البلد"],
    "source": ["source", "lead source", "channel", "المصدر", "مصدر العميل", "القناة"],
    "estimated_value": [
        "value",
        "amount",
        "budget",
        "estimated value",
        "deal value",
        "القيمة",
        "القيمة التقديرية",
        "الميزانية",
        "المبلغ",
    ],
    "currency": ["currency", "العملة"],
    "message": [
        "message",
        "notes",
        "note",
        "comment",
        "comments",
        "details",
        "الرسالة",
        "ملاحظات",
        "ملاحظة",
        "التفاصيل",
    ],
}

#: Country names people type, normalized, -> ISO code (two-letter codes are accepted as they are).
COUNTRY_NAMES = {
    "saudi arabia": "SA",
    "ksa": "SA",
    "saudi": "SA",
    "سعوديه": "SA",
    "مملكه عربيه سعوديه": "SA",
    "egypt": "EG",
    "مصر": "EG",
    "جمهوريه مصر عربيه": "EG",
    "uae": "AE",
    "united arab emirates": "AE",
    "emirates": "AE",
    "امارات": "AE",
    "امارات عربيه متحده": "AE",
    "kuwait": "KW",
    "كويت": "KW",
    "qatar": "QA",
    "قطر": "QA",
    "bahrain": "BH",
    "بحرين": "BH",
    "oman": "OM",
    "عمان": "OM",
    "jordan": "JO",
    "اردن": "JO",
    "iraq": "IQ",
    "عراق": "IQ",
    "lebanon": "LB",
    "لبنان": "LB",
    "morocco": "MA",
    "مغرب": "MA",
    "tunisia": "TN",
    "تونس": "TN",
}
_CURRENCIES = {code for code, _label in CURRENCY_CHOICES}
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


# --- reading files --------------------------------------------------------------------------


def _has_control_characters(text: str) -> bool:
    """NUL and other control characters never occur in a table's text: the file is binary."""
    return any(ord(char) < 32 and char not in "\t\r\n" for char in text)


def _plausible_text(text: str) -> bool:
    """Whether a Windows-1256 reading looks like a real table rather than binary noise."""
    if _has_control_characters(text):
        return False
    unusual = sum(
        1
        for char in text
        if ord(char) > 127 and not ("\u0600" <= char <= "\u06ff" or "\u00c0" <= char <= "\u00ff" or char in "\u00a0«»")
    )
    return unusual <= max(3, len(text) // 50)


def decode_csv(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1256 (Arabic Excel)."""
    if not raw:
        return "", "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            text = ""
        if text and not _has_control_characters(text):
            return text, "utf-16"
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        if text and not _has_control_characters(text):
            return text, "utf-8-sig"
        try:
            text = raw.decode("cp1256")
        except UnicodeDecodeError:
            text = ""
        if text and _plausible_text(text):
            return text, "cp1256"
    raise DomainError(
        "undecodable_file",
        _(
            "The file's text could not be read. In Excel choose “Save as” > “CSV UTF-8 (comma delimited)” "
            "and upload that file."
        ),
        field="file",
    )


def detect_delimiter(text: str) -> str:
    """Comma, semicolon (European Excel) or tab, whichever splits the header line most."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number Excel stored as a number
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(raw: bytes, encoding: str, delimiter: str) -> Iterator[list[str]]:
    text = raw.decode(encoding)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # a corrupt or mislabelled file: openpyxl raises many kinds of errors
        raise DomainError(
            "unreadable_file", _("This is not an Excel workbook (.xlsx) Mizan can read."), field="file"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _table_rows(raw: bytes, file_format: str, encoding: str, delimiter: str) -> Iterator[list[str]]:
    rows = _xlsx_rows(raw) if file_format == ImportJob.FileFormat.XLSX else _csv_rows(raw, encoding, delimiter)
    return ([cell.strip() for cell in row] for row in rows)


def _data_rows(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of the non-blank rows after the header (row 1)."""
    for number, row in enumerate(rows, start=2):
        if any(row):
            yield number, row


def job_rows(job: ImportJob) -> Iterator[tuple[int, list[str]]]:
    """The job's data rows, read from its stored file."""
    with job.file.open("rb") as stored:
        raw = stored.read()
    rows = _table_rows(raw, job.file_format, job.encoding, job.delimiter)
    next(rows, None)  # the header
    return _data_rows(rows)


# --- mapping --------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", normalize_arabic(text, strip_al_prefix=True)).split())


_SYNONYM_KEYS = {
    field_name: {_header_key(spelling) for spelling in spellings} for field_name, spellings in HEADER_SYNONYMS.items()
}


def suggest_mapping(headers: list[str]) -> dict[str, int]:
    """{field: column index} for the headers that name a field, first match wins."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for index, header in enumerate(headers):
        key = _header_key(header)
        for field_name, keys in _SYNONYM_KEYS.items():
            if key and key in keys and field_name not in mapping and index not in used:
                mapping[field_name] = index
                used.add(index)
    return mapping


# --- parsing a row --------------------------------------------------------------------------


def source_lookup(*, org: Organization) -> dict[str, LeadSource]:
    """Active sources by normalized Arabic and English name."""
    lookup: dict[str, LeadSource] = {}
    for source in LeadSource.objects.filter(organization=org, is_active=True).order_by("pk"):
        for name in (source.name_ar, source.name_en):
            key = _header_key(name)
            if key:
                lookup.setdefault(key, source)
    return lookup


def _country_code(value: str) -> str:
    key = _header_key(value)
    return COUNTRY_NAMES.get(key) or clean_country(value)


def _amount(value: str) -> Decimal | None:
    text = value.translate(_DIGITS).replace(",", "").replace("\u066c", "").replace("\u066b", ".").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise DomainError(
            "invalid_amount", _("“{value}” is not an amount.").format(value=value[:40]), field="estimated_value"
        )
    return amount


@dataclass
class ParsedRow:
    number: int
    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    source: LeadSource | None = None
    errors: list[str] = field(default_factory=list)


def import_row_parse(
    *, org: Organization, job: ImportJob, number: int, cells: list[str], sources: dict[str, LeadSource]
) -> ParsedRow:
    """A row's lead data and every problem with it (all problems, not only the first)."""
    values = {name: (cells[index] if 0 <= index < len(cells) else "").strip() for name, index in job.mapping.items()}
    row = ParsedRow(number=number, values=values, source=job.default_source)
    data: dict[str, Any] = {
        name: values.get(name, "")
        for name in ("person_name", "company_name", "title", "job_title", "website", "message")
        if values.get(name)
    }
    if not (values.get("person_name") or values.get("company_name")):
        row.errors.append(_("The name is missing: fill in the person's name or the company name."))
    checks = {
        "country": lambda value: _country_code(value),
        "email": lambda value: clean_email(value),
        "estimated_value": _amount,
    }
    for name, check in checks.items():
        if values.get(name):
            try:
                data[name] = check(values[name])
            except DomainError as error:
                row.errors.append(error.message)
    if values.get("phone"):
        try:
            data["phone"] = phone_normalize(values["phone"], region=phone_region(data.get("country"), org.country))
        except DomainError as error:
            row.errors.append(error.message)
    if values.get("currency"):
        currency = values["currency"].upper()
        if currency in _CURRENCIES:
            data["currency"] = currency
        else:
            row.errors.append(_("“{value}” is not a currency Mizan knows.").format(value=values["currency"][:20]))
    if values.get("source"):
        row.source = sources.get(_header_key(values["source"]))
        if row.source is None:
            row.errors.append(_("Unknown source “{value}”.").format(value=values["source"][:60]))
    row.data = data
    return row


# --- services -------------------------------------------------------------------------------


def _file_format(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in ("csv", "txt"):
        return ImportJob.FileFormat.CSV
    if extension == "xlsx":
        return ImportJob.FileFormat.XLSX
    raise DomainError("unsupported_file", _("Upload a CSV file or an Excel workbook (.xlsx)."), field="file")


def import_job_create(*, org: Organization, actor_membership: Membership, upload: UploadedFile) -> ImportJob:
    """Check and store an uploaded file; the job then waits for its column mapping."""
    require_capability(actor_membership, Capability.CRM_EDIT)
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    file_format = _file_format(name)
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            "file_too_large",
            _("The file is larger than {size} MB. Split it into smaller files.").format(
                size=MAX_UPLOAD_BYTES // (1024 * 1024)
            ),
            field="file",
        )
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise DomainError("file_too_large", _("The file is too large. Split it into smaller files."), field="file")
    encoding = delimiter = ""
    if file_format == ImportJob.FileFormat.CSV:
        text, encoding = decode_csv(raw)
        delimiter = detect_delimiter(text)
    try:
        rows = _table_rows(raw, file_format, encoding, delimiter)
        headers = next(rows, [])
        total = sum(1 for _row in _data_rows(rows))
    except csv.Error:
        raise DomainError("unreadable_file", _("The CSV file is malformed and cannot be read."), field="file") from None
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise DomainError("no_header", _("The first row must hold the column names."), field="file")
    if total == 0:
        raise DomainError("no_rows", _("The file has column names but no rows to import."), field="file")
    if total > MAX_ROWS:
        raise DomainError(
            "too_many_rows",
            _("The file has {count} rows; import at most {limit} at a time.").format(
                count=active_formatter().number(total), limit=active_formatter().number(MAX_ROWS)
            ),
            field="file",
        )
    headers = [header or _("Column {number}").format(number=index + 1) for index, header in enumerate(headers)]
    with transaction.atomic():
        job = ImportJob(
            organization=org,
            created_by=actor_membership.user,
            original_name=name,
            file_format=file_format,
            encoding=encoding,
            delimiter=delimiter,
            headers=headers,
            mapping=suggest_mapping(headers),
            total=total,
        )
        job.file.save(name, ContentFile(raw), save=False)
        job.save()
        audit_created(org=org, actor=actor_membership.user, instance=job)
    return job


def _ensure_job(org: Organization, actor_membership: Membership, job: ImportJob) -> None:
    require_capability(actor_membership, Capability.CRM_EDIT)
    if job.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))


def import_job_set_mapping(
    *,
    org: Organization,
    actor_membership: Membership,
    job: ImportJob,
    mapping: dict[str, Any],
    default_source: LeadSource | None = None,
) -> ImportJob:
    """Which column fills which lead field ({field: column index or None})."""
    _ensure_job(org, actor_membership, job)
    if job.status not in (Status.UPLOADED, Status.MAPPED):
        raise DomainError("import_started", _("This import has already started."))
    if default_source is not None and default_source.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."), field="default_source")
    cleaned: dict[str, int] = {}
    for name, index in mapping.items():
        if index in (None, ""):
            continue
        if name not in IMPORT_FIELDS:
            raise DomainError("unknown_field", _("Unknown field “{name}”.").format(name=str(name)[:40]))
        try:
            position = int(index)
        except (TypeError, ValueError):
            position = -1
        if not 0 <= position < len(job.headers):
            raise DomainError("invalid_column", _("Choose one of the file's columns."), field=name)
        if position in cleaned.values():
            raise DomainError(
                "column_used_twice", _("“{column}” is mapped twice.").format(column=job.headers[position]), field=name
            )
        cleaned[name] = position
    if "person_name" not in cleaned and "company_name" not in cleaned:
        raise DomainError(
            "name_not_mapped",
            _("Choose the column that holds the person's name or the company name."),
            field="person_name",
        )
    job.mapping = cleaned
    job.default_source = default_source
    job.status = Status.MAPPED
    job.save(update_fields=["mapping", "default_source", "status", "updated_at"])
    return job


def import_preview(*, org: Organization, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[ParsedRow]:
    """The first rows as they will be imported, each with its problems."""
    sources = source_lookup(org=org)
    return [
        import_row_parse(org=org, job=job, number=number, cells=cells, sources=sources)
        for number, cells in islice(job_rows(job), limit)
    ]


def import_job_start(*, org: Organization, actor_membership: Membership, job: ImportJob) -> ImportJob:
    """Queue the background run; also resumes a run stopped by an error where it stopped."""
    _ensure_job(org, actor_membership, job)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (Status.MAPPED, Status.FAILED):
            raise DomainError("import_not_ready", _("This import cannot be started now."))
        locked.status = Status.QUEUED
        locked.last_error = ""
        locked.save(update_fields=["status", "last_error", "updated_at"])
        enqueue_run_on_commit(lead_import_run, args=[locked.pk], key=f"crm.import:{locked.pk}", organization=org)
    return locked


@mizan_task
def lead_import_run(job_id: int) -> None:
    """The background run of one import (safe to run again: it continues where it stopped)."""
    import_job_process(job_id=job_id)


def import_job_process(*, job_id: int, chunk_size: int = CHUNK_SIZE) -> ImportJob | None:
    job = ImportJob.objects.select_related("organization", "created_by", "default_source").filter(pk=job_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.RUNNING):
        return job
    org = job.organization
    language = getattr(job.created_by, "language", None) or org.language
    with translation.override(language):
        membership = Membership.objects.filter(organization=org, user=job.created_by, is_active=True).first()
        if membership is None:
            return _job_fail(job, _("The member who started this import no longer has access."))
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.RUNNING, started_at=job.started_at or timezone.now(), updated_at=timezone.now()
        )
        try:
            _process_rows(job, membership, chunk_size)
        except Exception as error:
            _job_fail(
                job,
                _("The import stopped because of an unexpected error ({error}).").format(error=type(error).__name__),
            )
            raise
    job.refresh_from_db()
    return job


def _process_rows(job: ImportJob, membership: Membership, chunk_size: int) -> None:
    org = job.organization
    sources = source_lookup(org=org)
    rules = scoring_rules_active(org=org)
    rows = islice(job_rows(job), job.processed, None)
    while chunk := list(islice(rows, chunk_size)):
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != Status.RUNNING or locked.processed != job.processed:
                return  # another attempt took over; it continues from its own position
            for number, cells in chunk:
                _import_row(locked, membership, number, cells, sources, rules)
            locked.processed += len(chunk)
            locked.save(update_fields=["processed", "created", "failed", "errors", "updated_at"])
        job.processed = locked.processed
    ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _import_row(
    job: ImportJob,
    membership: Membership,
    number: int,
    cells: list[str],
    sources: dict[str, LeadSource],
    rules: list[Any],
) -> None:
    org = job.organization
    row = import_row_parse(org=org, job=job, number=number, cells=cells, sources=sources)
    if not row.errors:
        try:
            with transaction.atomic():  # a savepoint: a broken row leaves nothing behind
                lead = lead_create(org=org, actor_membership=membership, data=row.data, source=row.source, score=False)
                lead_score_apply(lead=lead, rules=rules, activity_count=0)
        except DomainError as error:
            row.errors.append(error.message)
        except ValidationError as error:
            row.errors.extend(error.messages)
        except DatabaseError:
            row.errors.append(_("This row could not be saved."))
    if row.errors:
        job.failed += 1
        if len(job.errors) < MAX_STORED_ERRORS:
            job.errors.append({"row": number, "messages": row.errors})
    else:
        job.created += 1


def _job_fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.FAILED, last_error=message, finished_at=timezone.now(), updated_at=timezone.now()
    )
    job.refresh_from_db()
    return job
