"""Labels in each language of a document, and its values written once in its conventions.

A document is "both" (Arabic and English side by side, right to left), "ar" or "en". Labels are
gettext strings, each rendered under `translation.override` of each language shown. Values
(amounts, dates) are written once: in Arabic conventions for "ar" (Arabic-Indic digits when the
organization wants them), with Latin digits otherwise; the Hijri date is in Arabic unless the
document is English.
"""

from __future__ import annotations

import base64
import datetime
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from django.core.exceptions import SuspiciousFileOperation
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mizan.billing.words import amount_in_words
from mizan.core.formatting import Formatter, format_hijri, minor_units

LABELS = {
    "tax_invoice": _("Tax invoice"),
    "simplified_tax_invoice": _("Simplified tax invoice"),
    "credit_note": _("Credit note"),
    "invoice": _("Invoice"),
    "quote": _("Quote"),
    "statement": _("Statement of account"),
    "seller": _("Seller"),
    "buyer": _("Buyer"),
    "client": _("Client"),
    "vat_number": _("VAT number"),
    "commercial_registration": _("Commercial registration"),
    "number": _("Number"),
    "credited_invoice": _("Credited invoice"),
    "issue_date": _("Date of issue"),
    "due_date": _("Due date"),
    "reference": _("Client reference (PO)"),
    "currency": _("Currency"),
    "exchange_rate": _("Exchange rate"),
    "amounts_in": _("Amounts in {currency}"),
    "version": _("Version"),
    "valid_until": _("Valid until"),
    "deposit": _("Deposit on acceptance"),
    "subject": _("Subject"),
    "position": _("No."),
    "description": _("Description"),
    "quantity": _("Quantity"),
    "unit": _("Unit"),
    "unit_price": _("Unit price"),
    "discount": _("Discount"),
    "net": _("Amount before VAT"),
    "vat_rate": _("VAT rate"),
    "vat": _("VAT"),
    "line_total": _("Amount with VAT"),
    "vat_breakdown": _("VAT breakdown"),
    "tax": _("Tax"),
    "taxable": _("Taxable amount"),
    "discount_total": _("Total discount"),
    "net_total": _("Total before VAT"),
    "tax_total": _("Total VAT"),
    "total": _("Total with VAT"),
    "amount_in_words": _("Amount in words"),
    "payment": _("Payment"),
    "status": _("Status"),
    "amount_paid": _("Paid and credited"),
    "amount_due": _("Amount due"),
    "notes": _("Notes"),
    "terms": _("Terms and conditions"),
    "draft": _("Draft: not valid as an invoice"),
    "date_from": _("From"),
    "date_to": _("To"),
    "statement_date": _("Statement date"),
    "date": _("Date"),
    "document": _("Document"),
    "debit": _("Debit"),
    "credit": _("Credit"),
    "balance": _("Balance"),
    "opening_balance": _("Opening balance"),
    "closing_balance": _("Closing balance"),
    "period_totals": _("Totals of the period"),
    "no_documents": _("No documents in this period."),
}


@dataclass(frozen=True)
class Label:
    """A label in the document's first language (Arabic unless English only) and, if bilingual, in English."""

    first: str
    second: str = ""
    first_lang: str = "ar"

    def __str__(self) -> str:
        return " / ".join(dict.fromkeys(part for part in (self.first, self.second) if part))


def bilingual(source: Any, mode: str, **params: Any) -> Label:
    """`source` (a lazy gettext string, or a function returning text) in each language of `mode`."""
    languages = ("ar", "en") if mode == "both" else (mode,)
    texts = []
    for language in languages:
        with translation.override(language):
            value = source() if callable(source) else str(source)
            texts.append(value.format(**params) if params else value)
    return Label(texts[0], texts[1] if len(texts) > 1 else "", languages[0])


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Text for a `dir="auto"` element; its direction is also given as a class (WeasyPrint ignores "auto")."""

    text: str
    dir: str = ""

    def __str__(self) -> str:
        return self.text


def text(value: Any) -> Text:
    """The text with the direction of its first strong character (the HTML dir="auto" rule)."""
    value = "" if value is None else str(value)
    for char in value:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return Text(value, "rtl")
        if kind == "L":
            return Text(value, "ltr")
    return Text(value, "ltr" if value else "")  # numbers and dates read left to right


@dataclass(frozen=True)
class Field:
    label: Label
    value: Text
    note: Text | None = None
    strong: bool = False


class Values:
    """Labels and values of one document: each value written once, in the document's conventions."""

    def __init__(self, org: Any, mode: str) -> None:
        self.org, self.mode = org, mode
        self.format = Formatter(
            language="ar" if mode == "ar" else "en",
            country=org.country,
            timezone=org.timezone,
            arabic_indic_digits=org.use_arabic_indic_digits,
        )

    def label(self, key: str, **params: Any) -> Label:
        return bilingual(LABELS[key], self.mode, **params)

    def labels(self) -> dict[str, Label]:
        return {key: self.label(key) for key in LABELS if key != "amounts_in"}

    def field(self, key: str, value: Any, *, note: Any = None, strong: bool = False) -> Field:
        return Field(self.label(key), text(value), text(note) if note else None, strong)

    def money(self, amount: Decimal, currency: str) -> str:
        """Arabic: "١٬٤٠٨٫٧٥ ر.س.‏"; otherwise the ISO code, never a symbol: "USD 1,408.75"."""
        if self.mode == "ar":
            return self.format.money(amount, currency)
        return f"{currency}\xa0{self.amount(amount, currency)}"

    def amount(self, amount: Decimal, currency: str) -> str:
        return self.format.number(amount, decimals=minor_units(currency))

    def number(self, value: Decimal | int) -> str:
        return self.format.number(Decimal(value).normalize())

    def percent(self, value: Decimal) -> str:
        return f"{self.number(value)}%"

    def date(self, day: datetime.date) -> str:
        return self.format.date(day, date_format="yyyy-MM-dd" if self.mode == "both" else "medium")

    def hijri(self, day: datetime.date) -> str:
        if not self.org.show_hijri_dates:
            return ""
        language = "en" if self.mode == "en" else "ar"
        return format_hijri(day, language=language, arabic_indic=self.org.use_arabic_indic_digits)

    def date_field(self, key: str, day: datetime.date) -> Field:
        return self.field(key, self.date(day), note=self.hijri(day))

    def names(self, arabic: str, latin: str) -> list[Text]:
        """Names (or addresses) to print: both for a bilingual document, else the document language's."""
        if self.mode == "both":
            chosen = [arabic, latin]
        else:
            chosen = [arabic or latin] if self.mode == "ar" else [latin or arabic]
        return [text(value) for value in dict.fromkeys(chosen) if value]

    def words(self, amount: Decimal, currency: str) -> list[Text]:
        languages = ("ar", "en") if self.mode == "both" else (self.mode,)
        return [text(amount_in_words(amount, currency, language=language)) for language in languages]


def qr_data_uri(content: str) -> str:
    """The ZATCA QR text (base64 TLV) drawn as an SVG QR code, inlined as a data: URI."""
    image = qrcode.make(content, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def logo_uri(org: Any) -> str:
    if not org.logo:
        return ""
    try:
        path = Path(org.logo.path)
    except (NotImplementedError, SuspiciousFileOperation, ValueError):
        return ""  # a storage without local paths: no logo rather than a fetch
    return path.as_uri() if path.is_file() else ""
