"""An invoice or credit note as UBL 2.1 XML after ZATCA's XML implementation standard (see the package docstring)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from mizan.billing.models import BillingSettings, InvoiceLine, TaxKind, VatExemptionReason
from mizan.billing.taxes import HUNDRED, ZERO, money_round, quantum
from mizan.billing.zatca.qr import (
    format_amount,
    invoice_issue_moment,
    invoice_qr_base64,
    not_posted_error,
    seller_name,
)
from mizan.core.errors import DomainError

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NAMESPACES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

#: KSA-13 of a device's first invoice: Base64 of the hex SHA-256 of "0" (ZATCA's published constant).
INITIAL_PREVIOUS_INVOICE_HASH = (
    "NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ=="
)
#: ZATCA's tax currency (BT-6): the VAT total is always also given in riyals (BT-111).
TAX_CURRENCY = "SAR"
PROFILE_ID = "reporting:1.0"
#: UNTDID 1001 document types.
TYPE_INVOICE = "388"
TYPE_CREDIT_NOTE = "381"
#: KSA-2 transaction code "NNPNESB": 01 tax invoice / 02 simplified, then no third-party, nominal,
#: export, summary or self-billed flag.
TRANSACTION_STANDARD = "0100000"
TRANSACTION_SIMPLIFIED = "0200000"
#: UNTDID 4461: 30 credit transfer (Mizan records the actual method on payments, not on invoices).
PAYMENT_MEANS_CREDIT_TRANSFER = "30"
#: UNTDID 5189: 95 discount.
ALLOWANCE_REASON_DISCOUNT = "95"

#: Our units (sales.ProductUnit) as UN/ECE Recommendation 20 codes; anything else is C62 ("one").
UNIT_CODES = {
    "hour": "HUR",
    "day": "DAY",
    "week": "WEE",
    "month": "MON",
    "year": "ANN",
    "piece": "H87",
    "project": "C62",
    "session": "C62",
}
DEFAULT_UNIT_CODE = "C62"

#: VAT category codes (UNCL 5305) per tax kind.
TAX_CATEGORIES = {
    TaxKind.STANDARD: "S",
    TaxKind.ZERO_RATED: "Z",
    TaxKind.EXEMPT: "E",
    TaxKind.OUT_OF_SCOPE: "O",
}
#: A line without a tax is out of scope (category O).
NO_TAX_REASON = (VatExemptionReason.SA_OOS.value, "Not subject to VAT")

#: Fixed namespace of the invoices' uuid5 (KSA-1): the same invoice always gets the same UUID.
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://mizan.invalid/billing/zatca/invoice")
_PERCENT = Decimal("0.01")


def unit_code(unit: str) -> str:
    return UNIT_CODES.get((unit or "").strip().lower(), DEFAULT_UNIT_CODE)


def invoice_uuid(invoice: Any) -> uuid.UUID:
    """KSA-1, stable: derived from the organization and the invoice's id."""
    return uuid.uuid5(_UUID_NAMESPACE, f"{invoice.organization_id}:{invoice.pk}")


@dataclass(frozen=True)
class Category:
    """A line's VAT category (BT-151) and, for Z/E/O, its exemption reason (BT-120/121)."""

    code: str
    percent: Decimal
    reason_code: str = ""
    reason: str = ""


def line_category(line: Any) -> Category:
    tax = line.tax
    if tax is None:
        return Category("O", ZERO, *NO_TAX_REASON)
    code = TAX_CATEGORIES.get(tax.kind, "S")
    if code == "S":
        return Category(code, tax.rate.quantize(_PERCENT))
    reason = tax.exemption_reason.strip()
    if not reason and tax.exemption_reason_code in VatExemptionReason.values:
        with translation.override("en"):
            reason = str(VatExemptionReason(tax.exemption_reason_code).label)
    return Category(code, ZERO.quantize(_PERCENT), tax.exemption_reason_code, reason)


@dataclass(frozen=True)
class LinePrice:
    """BT-146 item net price and BT-136 line allowance: money_round(quantity x price) - allowance == line net."""

    price: Decimal
    allowance: Decimal
    base: Decimal


def line_price(line: Any, *, prices_include_tax: bool, currency: str) -> LinePrice:
    """The net unit price and the line's discount (net of tax) that give back the line's frozen net amount.

    The discount is already inside the line's net amount (a document discount is folded into the
    lines by the tax arithmetic), so the XML carries it as a line allowance, never at document level.
    Tax-exclusive: the price as typed; the allowance is what separates quantity x price from the
    net amount (the line and document discounts). Tax-inclusive: the discount net of tax, and the
    price derived from net + allowance with as few decimals as reproduce it exactly.
    """
    net = Decimal(line.net_amount)
    quantity = Decimal(line.quantity)
    if not prices_include_tax:
        base = money_round(quantity * line.unit_price, currency)
        if base >= net:
            return LinePrice(Decimal(line.unit_price), base - net, base)
        allowance = ZERO
    else:
        rate = line_category(line).percent / HUNDRED
        allowance = money_round(line.discount_amount / (1 + rate), currency)
    base = net + allowance
    for places in range(_places(currency), 13):
        price = (base / quantity).quantize(Decimal(1).scaleb(-places))
        if money_round(quantity * price, currency) == base:
            return LinePrice(price, allowance, base)
    raise ValueError(f"No unit price reproduces the net amount {net} of line {line.pk}.")


def _places(currency: str) -> int:
    return -int(quantum(currency).as_tuple().exponent)


def _format_number(value: Decimal, minimum_places: int = 2) -> str:
    """A plain decimal with at least `minimum_places` decimals and no useless trailing zeros beyond them."""
    exponent = int(value.normalize().as_tuple().exponent)
    places = max(minimum_places, -exponent)
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


class _Xml:
    """Tiny helpers over ElementTree with the cbc:/cac: prefixes."""

    @staticmethod
    def name(qualified: str) -> str:
        prefix, local = qualified.split(":")
        return f"{{{NAMESPACES[prefix]}}}{local}"

    @classmethod
    def add(cls, parent: ET.Element, qualified: str, text: Any = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, cls.name(qualified), attributes)
        if text is not None:
            element.text = str(text)
        return element

    @classmethod
    def amount(cls, parent: ET.Element, qualified: str, value: Decimal, currency: str) -> ET.Element:
        return cls.add(parent, qualified, format_amount(value, currency), currencyID=currency)


X = _Xml


def _check_totals(invoice: Any, lines: list[Any]) -> None:
    """The XML restates the frozen totals; they must add up (the tax arithmetic guarantees it)."""
    net = sum((line.net_amount for line in lines), ZERO)
    tax = sum((line.tax_amount for line in lines), ZERO)
    problems = []
    if net != invoice.net_total:
        problems.append(f"line nets {net} != net total {invoice.net_total}")
    if tax != invoice.tax_total:
        problems.append(f"line taxes {tax} != tax total {invoice.tax_total}")
    if invoice.net_total + invoice.tax_total != invoice.total:
        problems.append(f"net + tax != total {invoice.total}")
    problems += [
        f"line {line.pk}: net + tax != gross"
        for line in lines
        if line.net_amount + line.tax_amount != line.gross_amount
    ]
    if problems:
        raise ValueError(f"{invoice.display_number} does not reconcile: " + "; ".join(problems))


def _tax_in_sar(invoice: Any) -> Decimal:
    if invoice.currency == TAX_CURRENCY:
        return Decimal(invoice.tax_total)
    if invoice.organization.base_currency != TAX_CURRENCY:
        raise DomainError(
            "billing.zatca_no_sar_rate",
            _("ZATCA needs the VAT in Saudi riyals, and the organization's base currency is not SAR."),
        )
    return money_round(invoice.tax_total * invoice.exchange_rate, TAX_CURRENCY)


def _address(parent: ET.Element, *, street: str, city: str, country: str) -> None:
    address = X.add(parent, "cac:PostalAddress")
    if street:
        X.add(address, "cbc:StreetName", street)
    if city:
        X.add(address, "cbc:CityName", city)
    if country:
        X.add(X.add(address, "cac:Country"), "cbc:IdentificationCode", country)


def _party(
    parent: ET.Element,
    *,
    crn: str,
    street: str,
    city: str,
    country: str,
    vat_number: str,
    name: str,
) -> None:
    party = X.add(parent, "cac:Party")
    if crn:
        X.add(X.add(party, "cac:PartyIdentification"), "cbc:ID", crn, schemeID="CRN")
    _address(party, street=street, city=city, country=country)
    tax_scheme = X.add(party, "cac:PartyTaxScheme")
    if vat_number:
        X.add(tax_scheme, "cbc:CompanyID", vat_number)
    X.add(X.add(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    X.add(X.add(party, "cac:PartyLegalEntity"), "cbc:RegistrationName", name)


def _one_line(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def _tax_category(parent: ET.Element, qualified: str, category: Category, *, with_reason: bool) -> None:
    element = X.add(parent, qualified)
    X.add(element, "cbc:ID", category.code)
    X.add(element, "cbc:Percent", category.percent)
    if with_reason and category.code != "S":
        if category.reason_code:
            X.add(element, "cbc:TaxExemptionReasonCode", category.reason_code)
        if category.reason:
            X.add(element, "cbc:TaxExemptionReason", category.reason)
    X.add(X.add(element, "cac:TaxScheme"), "cbc:ID", "VAT")


def default_credit_note_reason(invoice: Any) -> str:
    """KSA-10 when the credit note gives none: its notes, else a fixed bilingual sentence."""
    notes = _one_line(invoice.notes or "")
    if notes:
        return notes[:1000]
    number = invoice.original_invoice.display_number if invoice.original_invoice_id else ""
    return f"إشعار دائن للفاتورة {number} | Credit note for invoice {number}"


def invoice_ubl_xml(
    invoice: Any,
    *,
    credit_note_reason: str = "",
    counter: int | None = None,
    previous_invoice_hash: str = INITIAL_PREVIOUS_INVOICE_HASH,
) -> bytes:
    """The posted invoice or credit note as unsigned ZATCA UBL 2.1 XML (UTF-8 bytes).

    `counter` (ICV, KSA-16) defaults to the invoice number and `previous_invoice_hash` (PIH, KSA-13)
    to ZATCA's initial value, until the signing step chains the documents of a device.
    """
    issued = invoice_issue_moment(invoice)
    if invoice.number is None:
        raise not_posted_error(invoice)
    org = invoice.organization
    lines = list(InvoiceLine.objects.filter(invoice=invoice).select_related("tax").order_by("position", "pk"))
    _check_totals(invoice, lines)
    currency = invoice.currency
    billing = BillingSettings.objects.filter(organization=org).first()
    company = invoice.company

    # Only the root is in the Invoice namespace: declared as the default namespace by hand, because
    # ElementTree's `default_namespace` refuses the unqualified attributes UBL uses (currencyID...).
    root = ET.Element("Invoice", {"xmlns": INVOICE_NS})
    X.add(root, "cbc:ProfileID", PROFILE_ID)
    X.add(root, "cbc:ID", invoice.display_number)
    X.add(root, "cbc:UUID", invoice_uuid(invoice))
    X.add(root, "cbc:IssueDate", issued.date().isoformat())
    X.add(root, "cbc:IssueTime", issued.time().isoformat(timespec="seconds"))
    simplified = invoice.saudi_type == invoice.SaudiType.SIMPLIFIED
    X.add(
        root,
        "cbc:InvoiceTypeCode",
        TYPE_CREDIT_NOTE if invoice.is_credit_note else TYPE_INVOICE,
        name=TRANSACTION_SIMPLIFIED if simplified else TRANSACTION_STANDARD,
    )
    X.add(root, "cbc:DocumentCurrencyCode", currency)
    X.add(root, "cbc:TaxCurrencyCode", TAX_CURRENCY)
    if invoice.reference.strip():
        X.add(X.add(root, "cac:OrderReference"), "cbc:ID", invoice.reference.strip())
    if invoice.is_credit_note:
        reference = X.add(X.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        X.add(reference, "cbc:ID", invoice.original_invoice.display_number)

    icv = X.add(root, "cac:AdditionalDocumentReference")
    X.add(icv, "cbc:ID", "ICV")
    X.add(icv, "cbc:UUID", counter if counter is not None else invoice.number)
    for key, value in (("PIH", previous_invoice_hash), ("QR", invoice_qr_base64(invoice))):
        reference = X.add(root, "cac:AdditionalDocumentReference")
        X.add(reference, "cbc:ID", key)
        X.add(X.add(reference, "cac:Attachment"), "cbc:EmbeddedDocumentBinaryObject", value, mimeCode="text/plain")

    _party(
        X.add(root, "cac:AccountingSupplierParty"),
        crn=billing.commercial_registration.strip() if billing else "",
        street=_one_line(billing.address_ar) if billing else "",
        city="",
        country=org.country if len(org.country) == 2 else "",
        vat_number=org.vat_number.strip(),
        name=seller_name(org),
    )
    _party(
        X.add(root, "cac:AccountingCustomerParty"),
        crn=company.commercial_registration.strip(),
        street=_one_line(company.address),
        city=company.city.strip(),
        country=company.country or (org.country if len(org.country) == 2 else ""),
        vat_number=company.vat_number.strip(),
        name=(company.name_ar or company.name_latin).strip(),
    )
    X.add(X.add(root, "cac:Delivery"), "cbc:ActualDeliveryDate", invoice.issue_date.isoformat())
    means = X.add(root, "cac:PaymentMeans")
    X.add(means, "cbc:PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER)
    if invoice.is_credit_note:
        X.add(means, "cbc:InstructionNote", credit_note_reason.strip() or default_credit_note_reason(invoice))

    if currency != TAX_CURRENCY:
        exchange = X.add(root, "cac:TaxExchangeRate")
        X.add(exchange, "cbc:SourceCurrencyCode", currency)
        X.add(exchange, "cbc:TargetCurrencyCode", TAX_CURRENCY)
        X.add(exchange, "cbc:CalculationRate", _format_number(Decimal(invoice.exchange_rate), 0))
    X.amount(X.add(root, "cac:TaxTotal"), "cbc:TaxAmount", _tax_in_sar(invoice), TAX_CURRENCY)
    _tax_total(root, lines, invoice)
    _monetary_total(root, invoice)
    for index, line in enumerate(lines, start=1):
        _invoice_line(root, index, line, invoice)

    ET.indent(root, space="    ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _tax_total(root: ET.Element, lines: list[Any], invoice: Any) -> None:
    """BG-23: one TaxSubtotal per category, rate and exemption reason, in the document currency."""
    currency = invoice.currency
    groups: dict[Category, list[Decimal]] = {}
    for line in lines:
        group = groups.setdefault(line_category(line), [ZERO, ZERO])
        group[0] += line.net_amount
        group[1] += line.tax_amount
    total = X.add(root, "cac:TaxTotal")
    X.amount(total, "cbc:TaxAmount", invoice.tax_total, currency)
    for category, (taxable, tax) in groups.items():
        subtotal = X.add(total, "cac:TaxSubtotal")
        X.amount(subtotal, "cbc:TaxableAmount", taxable, currency)
        X.amount(subtotal, "cbc:TaxAmount", tax, currency)
        _tax_category(subtotal, "cac:TaxCategory", category, with_reason=True)


def _monetary_total(root: ET.Element, invoice: Any) -> None:
    """BG-22: no document-level allowance (discounts are inside the lines), nothing prepaid."""
    currency = invoice.currency
    total = X.add(root, "cac:LegalMonetaryTotal")
    X.amount(total, "cbc:LineExtensionAmount", invoice.net_total, currency)
    X.amount(total, "cbc:TaxExclusiveAmount", invoice.net_total, currency)
    X.amount(total, "cbc:TaxInclusiveAmount", invoice.total, currency)
    X.amount(total, "cbc:AllowanceTotalAmount", ZERO, currency)
    X.amount(total, "cbc:PrepaidAmount", ZERO, currency)
    X.amount(total, "cbc:PayableAmount", invoice.total, currency)


def _invoice_line(root: ET.Element, index: int, line: Any, invoice: Any) -> None:
    currency = invoice.currency
    price = line_price(line, prices_include_tax=invoice.prices_include_tax, currency=currency)
    element = X.add(root, "cac:InvoiceLine")
    X.add(element, "cbc:ID", index)
    X.add(element, "cbc:InvoicedQuantity", _format_number(Decimal(line.quantity), 0), unitCode=unit_code(line.unit))
    X.amount(element, "cbc:LineExtensionAmount", line.net_amount, currency)
    if price.allowance:
        allowance = X.add(element, "cac:AllowanceCharge")
        X.add(allowance, "cbc:ChargeIndicator", "false")
        X.add(allowance, "cbc:AllowanceChargeReasonCode", ALLOWANCE_REASON_DISCOUNT)
        X.add(allowance, "cbc:AllowanceChargeReason", "Discount")
        X.amount(allowance, "cbc:Amount", price.allowance, currency)
        X.amount(allowance, "cbc:BaseAmount", price.base, currency)
    tax_total = X.add(element, "cac:TaxTotal")
    X.amount(tax_total, "cbc:TaxAmount", line.tax_amount, currency)
    X.amount(tax_total, "cbc:RoundingAmount", line.gross_amount, currency)
    item = X.add(element, "cac:Item")
    X.add(item, "cbc:Name", line.description)
    _tax_category(item, "cac:ClassifiedTaxCategory", line_category(line), with_reason=False)
    X.add(
        X.add(element, "cac:Price"),
        "cbc:PriceAmount",
        _format_number(price.price, _places(currency)),
        currencyID=currency,
    )
