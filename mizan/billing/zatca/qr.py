"""ZATCA phase-1 QR code: five TLV fields, Base64-encoded (see the package docstring)."""

from __future__ import annotations

import base64
import binascii
import datetime
import zoneinfo
from decimal import Decimal
from enum import IntEnum
from typing import Any

from django.utils.translation import gettext as _

from mizan.billing.taxes import money_round
from mizan.core.errors import DomainError

#: ZATCA's local time is Arabia Standard Time (UTC+3, no daylight saving time).
ZATCA_TIMEZONE = zoneinfo.ZoneInfo("Asia/Riyadh")
#: One length byte: no value can be longer.
TLV_VALUE_MAX_BYTES = 255
#: ZATCA's QR guide: keep the seller name within 127 bytes (longer names are cut at a character boundary).
SELLER_NAME_MAX_BYTES = 127


class QrTag(IntEnum):
    SELLER_NAME = 1
    VAT_NUMBER = 2
    TIMESTAMP = 3
    TOTAL_WITH_VAT = 4
    VAT_TOTAL = 5


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` UTF-8 bytes, never in the middle of a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    # The input is valid UTF-8, so "ignore" only drops the incomplete character at the cut.
    return data[:max_bytes].decode("utf-8", errors="ignore")


def zatca_timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 in one of the two forms ZATCA accepts (XML standard, KSA-25 / QR tag 3).

    - naive: written as given, taken as Saudi local time: ``2022-04-25T18:30:00``;
    - aware in UTC: UTC with a ``Z``: ``2022-04-25T15:30:00Z`` (the form of ZATCA's QR example);
    - aware in any other zone: converted to Asia/Riyadh and written as local time, no suffix.

    Invoices use the local form (see `invoice_issue_moment`): ZATCA compares the QR timestamp with
    the XML's IssueDate + "T" + IssueTime, and a local IssueTime carries no suffix.
    """
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(microsecond=0).isoformat(timespec="seconds")
    if offset == datetime.timedelta(0):
        return moment.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds") + "Z"
    local = moment.astimezone(ZATCA_TIMEZONE).replace(tzinfo=None, microsecond=0)
    return local.isoformat(timespec="seconds")


def format_amount(amount: Decimal, currency: str) -> str:
    """An amount with exactly the currency's decimals: 1000 SAR -> "1000.00", 1.5 KWD -> "1.500"."""
    return f"{money_round(Decimal(amount), currency):f}"


def _tlv(tag: int, value: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > TLV_VALUE_MAX_BYTES:
        raise ValueError(f"QR tag {tag}: {len(data)} bytes, more than {TLV_VALUE_MAX_BYTES}.")
    return bytes((tag, len(data))) + data


def zatca_qr_tlv(
    *,
    seller_name: str,
    vat_number: str,
    timestamp: datetime.datetime,
    total_with_vat: Decimal,
    vat_total: Decimal,
    currency: str = "SAR",
) -> bytes:
    """The TLV bytes: per field a 1-byte tag, a 1-byte length (UTF-8 BYTES, not characters), the value.

    Amounts are written with the currency's decimals; the seller name is cut to 127 bytes.
    """
    fields = [
        (QrTag.SELLER_NAME, truncate_utf8(seller_name.strip(), SELLER_NAME_MAX_BYTES)),
        (QrTag.VAT_NUMBER, vat_number.strip()),
        (QrTag.TIMESTAMP, zatca_timestamp(timestamp)),
        (QrTag.TOTAL_WITH_VAT, format_amount(total_with_vat, currency)),
        (QrTag.VAT_TOTAL, format_amount(vat_total, currency)),
    ]
    return b"".join(_tlv(tag, value) for tag, value in fields)


def zatca_qr_base64(
    *,
    seller_name: str,
    vat_number: str,
    timestamp: datetime.datetime,
    total_with_vat: Decimal,
    vat_total: Decimal,
    currency: str = "SAR",
) -> str:
    """The text the QR code carries: Base64 of `zatca_qr_tlv`."""
    tlv = zatca_qr_tlv(
        seller_name=seller_name,
        vat_number=vat_number,
        timestamp=timestamp,
        total_with_vat=total_with_vat,
        vat_total=vat_total,
        currency=currency,
    )
    return base64.b64encode(tlv).decode("ascii")


def zatca_qr_decode(b64: str) -> dict[int, str]:
    """{tag: value} read back from a QR text; ValueError when it is not well-formed TLV."""
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("The QR text is not Base64.") from error
    fields: dict[int, str] = {}
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise ValueError("The QR data ends inside a tag header.")
        tag, length = data[position], data[position + 1]
        end = position + 2 + length
        if end > len(data):
            raise ValueError(f"QR tag {tag} is longer than the data left.")
        if tag in fields:
            raise ValueError(f"QR tag {tag} appears twice.")
        try:
            fields[tag] = data[position + 2 : end].decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"QR tag {tag} is not UTF-8.") from error
        position = end
    return fields


def seller_name(org: Any) -> str:
    """The seller's name on ZATCA documents: the Arabic name, else the English one."""
    return (org.name_ar or org.name_en).strip()


def not_posted_error(invoice: Any) -> DomainError:
    return DomainError(
        "billing.zatca_not_posted",
        _("{number} is not issued yet: ZATCA documents exist once an invoice is posted.").format(
            number=invoice.display_number
        ),
    )


def invoice_issue_moment(invoice: Any) -> datetime.datetime:
    """When the invoice was issued (posted), in Saudi local time: the XML's IssueDate/IssueTime and QR tag 3."""
    if invoice.posted_at is None:
        raise not_posted_error(invoice)
    return invoice.posted_at.astimezone(ZATCA_TIMEZONE).replace(microsecond=0)


def invoice_qr_base64(invoice: Any) -> str:
    """The phase-1 QR text of a posted invoice or credit note, amounts in the document's currency."""
    org = invoice.organization
    return zatca_qr_base64(
        seller_name=seller_name(org),
        vat_number=org.vat_number,
        timestamp=invoice_issue_moment(invoice).replace(tzinfo=None),
        total_with_vat=invoice.total,
        vat_total=invoice.tax_total,
        currency=invoice.currency,
    )
