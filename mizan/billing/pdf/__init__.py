"""Billing PDFs: invoices and credit notes, quotes, statements of account (WeasyPrint).

`renderer` turns a template into PDF bytes and reads only allow-listed local files; `values`
holds the labels (gettext, in each language shown) and the formatting of values; `documents`
builds each document's context.
"""

from mizan.billing.pdf.documents import invoice_pdf, invoice_title_key, quote_pdf, statement_pdf
from mizan.billing.pdf.renderer import LocalFileFetcher, ResourceRefused, html_to_pdf, render_pdf

__all__ = [
    "LocalFileFetcher",
    "ResourceRefused",
    "html_to_pdf",
    "invoice_pdf",
    "invoice_title_key",
    "quote_pdf",
    "render_pdf",
    "statement_pdf",
]
