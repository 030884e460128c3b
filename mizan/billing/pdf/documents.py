"""Invoices, credit notes, quotes and statements of account as PDF documents."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from mizan.billing.models import BillingSettings, Invoice, Quote, VatExemptionReason
from mizan.billing.pdf.renderer import document_mode, render_pdf
from mizan.billing.pdf.values import Field, Label, Values, bilingual, logo_uri, qr_data_uri, text
from mizan.billing.selectors.statements import company_statement
from mizan.billing.taxes import money_round


def _parties(org: Any, company: Any, values: Values) -> dict[str, Any]:
    billing = BillingSettings.objects.filter(organization=org).first() or BillingSettings(organization=org)
    seller = [("vat_number", org.vat_number), ("commercial_registration", billing.commercial_registration)]
    buyer = [("vat_number", company.vat_number), ("commercial_registration", company.commercial_registration)]
    address = ", ".join(part for part in (company.address, company.city) if part)
    return {
        "seller": {
            "names": values.names(org.name_ar, org.name_en),
            "addresses": values.names(billing.address_ar, billing.address_en),
            "fields": [values.field(key, value) for key, value in seller if value],
            "logo_uri": logo_uri(org),
        },
        "buyer": {
            "names": values.names(company.name_ar, company.name_latin),
            "addresses": [text(address)] if address else [],
            "fields": [values.field(key, value) for key, value in buyer if value],
        },
    }


def _lines(document: Any, values: Values) -> tuple[list[dict], list[dict]]:
    """The line rows and the VAT breakdown (taxable amount and VAT per tax, summed from the frozen lines)."""
    currency, rows, groups = document.currency, [], {}
    for position, line in enumerate(document.lines.select_related("tax"), start=1):
        tax = line.tax
        rate = tax.rate if tax is not None and tax.kind == "standard" else Decimal("0")
        rows.append(
            {
                "position": values.number(position),
                "description": text(line.description),
                "quantity": values.number(line.quantity),
                "unit": text(line.unit_label),
                "unit_price": values.amount(line.unit_price, currency),
                "discount": values.amount(line.discount_amount, currency) if line.discount_amount else "",
                "net": values.amount(line.net_amount, currency),
                "rate": values.percent(rate),
                "tax": values.amount(line.tax_amount, currency),
                "total": values.amount(line.gross_amount, currency),
            }
        )
        group = groups.setdefault(tax.pk if tax else None, [tax, rate, Decimal("0"), Decimal("0")])
        group[2] += line.net_amount
        group[3] += line.tax_amount
    rates = []
    for tax, rate, taxable, amount in groups.values():
        reason = ""
        if tax is not None and tax.kind != "standard":
            code = tax.exemption_reason_code
            reason = str(bilingual(VatExemptionReason(code).label, values.mode)) if code else ""
            reason = tax.exemption_reason or reason
        name = " / ".join(map(str, values.names(tax.name_ar, tax.name_en))) if tax is not None else ""
        rates.append(
            {
                "name": text(name),
                "rate": values.percent(rate),
                "taxable": values.amount(taxable, currency),
                "amount": values.amount(amount, currency),
                "reason": text(reason) if reason else None,
            }
        )
    return rows, rates


def _document_context(document: Any, values: Values, *, title: Label, meta: list[Field]) -> dict[str, Any]:
    """What invoices, credit notes and quotes share: parties, lines, VAT, totals, words, notes."""
    currency = document.currency
    lines, rates = _lines(document, values)
    totals = []
    if document.discount_total:
        totals.append(values.field("discount_total", values.money(document.discount_total, currency)))
    totals.append(values.field("net_total", values.money(document.net_total, currency)))
    totals.append(values.field("tax_total", values.money(document.tax_total, currency)))
    totals.append(values.field("total", values.money(document.total, currency), strong=True))
    return {
        **_parties(document.organization, document.company, values),
        "labels": values.labels(),
        "title": title,
        "number": document.display_number,
        "meta": meta,
        "lines": lines,
        "rates": rates,
        "totals": totals,
        "amount_words": values.words(document.total, currency),
        "notes": [(values.label(key), text(value)) for key in ("notes", "terms") if (value := getattr(document, key))],
    }


def invoice_title_key(invoice: Invoice) -> str:
    """Saudi invoices are tax invoices or simplified tax invoices (ZATCA); elsewhere an invoice."""
    if invoice.is_credit_note:
        return "credit_note"
    if invoice.organization.country == "SA":
        return "simplified_tax_invoice" if invoice.saudi_type == Invoice.SaudiType.SIMPLIFIED else "tax_invoice"
    return "invoice"


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of an invoice or a credit note, in the invoice's language."""
    org, mode = invoice.organization, document_mode(invoice.language)
    values = Values(org, mode)
    currency, base = invoice.currency, org.base_currency
    meta = [values.field("number", invoice.display_number)]
    if invoice.is_credit_note:
        original = invoice.original_invoice
        meta.append(values.field("credited_invoice", original.display_number, note=values.date(original.issue_date)))
    meta.append(values.date_field("issue_date", invoice.issue_date))
    if not invoice.is_credit_note:
        meta.append(values.date_field("due_date", invoice.due_date))
    if invoice.reference:
        meta.append(values.field("reference", invoice.reference))
    meta.append(values.field("currency", currency))
    context = _document_context(invoice, values, title=values.label(invoice_title_key(invoice)), meta=meta)
    if currency != base:  # the rate of the invoice date, and the amounts in the organization's currency
        rate = invoice.exchange_rate
        net, tax = money_round(invoice.net_total * rate, base), money_round(invoice.tax_total * rate, base)
        context["base_heading"] = values.label("amounts_in", currency=base)
        context["base_totals"] = [
            values.field("exchange_rate", f"1 {currency} = {values.number(rate)} {base}"),
            values.field("net_total", values.money(net, base)),
            values.field("tax_total", values.money(tax, base)),
            values.field("total", values.money(net + tax, base), strong=True),
        ]
    if not invoice.is_draft and not invoice.is_credit_note:
        context["payment"] = [
            values.field("status", bilingual(Invoice.Status(invoice.status).label, mode)),
            values.field("amount_paid", values.money(invoice.amount_paid, currency)),
            values.field("amount_due", values.money(invoice.amount_due, currency), strong=True),
        ]
    context["draft"] = invoice.is_draft
    if org.country == "SA" and invoice.qr_code:
        context["qr_uri"] = qr_data_uri(invoice.qr_code)
    return render_pdf("billing/pdf/invoice.html", context, language=mode)


def quote_pdf(quote: Quote) -> bytes:
    """The PDF of a quote (any version), in the quote's language."""
    mode = document_mode(quote.language)
    values = Values(quote.organization, mode)
    meta = [values.field("number", quote.display_number), values.field("version", values.number(quote.version))]
    meta += [values.date_field("issue_date", quote.issue_date), values.date_field("valid_until", quote.valid_until)]
    if quote.deposit_percent:
        meta.append(values.field("deposit", values.percent(quote.deposit_percent)))
    meta.append(values.field("currency", quote.currency))
    context = _document_context(quote, values, title=values.label("quote"), meta=meta)
    context["subject"] = text(quote.title) if quote.title else None
    return render_pdf("billing/pdf/quote.html", context, language=mode)


def statement_pdf(*, org: Any, company: Any, date_from: datetime.date, date_to: datetime.date, language: str) -> bytes:
    """A client's statement of account for a period: one table per currency, with running balances."""
    mode = document_mode(language)
    values = Values(org, mode)
    statement = company_statement(org=org, company=company, date_from=date_from, date_to=date_to)
    sections = []
    for section in statement.currencies:
        currency = section.currency

        def amount(value: Decimal, currency: str = currency) -> str:
            return values.amount(value, currency) if value else ""

        rows = [
            {
                "date": values.date(row.date),
                "number": row.number,
                "description": text(bilingual(lambda row=row: row.description, mode)),
                "debit": amount(row.debit),
                "credit": amount(row.credit),
                "balance": values.amount(row.balance, currency),
            }
            for row in section.rows
        ]
        closing = values.money(section.closing_balance, currency)
        sections.append(
            {
                "heading": values.label("amounts_in", currency=currency),
                "opening": values.amount(section.opening_balance, currency),
                "closing": [values.field("closing_balance", closing, strong=True)],
                "total_debit": values.amount(section.total_debit, currency),
                "total_credit": values.amount(section.total_credit, currency),
                "rows": rows,
            }
        )
    meta = [values.date_field("date_from", date_from), values.date_field("date_to", date_to)]
    meta.append(values.field("statement_date", values.date(org.today())))
    context = {
        **_parties(org, company, values),
        "labels": values.labels(),
        "title": values.label("statement"),
        "number": "",
        "meta": meta,
        "sections": sections,
    }
    return render_pdf("billing/pdf/statement.html", context, language=mode)
