"""ZATCA: the phase-1 QR code (TLV + Base64) and the UBL 2.1 XML of invoices and credit notes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest

from mizan.billing.models import BillingSettings, Invoice, InvoiceLine, Tax, TaxKind
from mizan.billing.taxes import TaxLineInput, TaxSpec, compute_document_taxes, money_round
from mizan.billing.zatca import (
    INITIAL_PREVIOUS_INVOICE_HASH,
    invoice_qr_base64,
    invoice_ubl_xml,
    invoice_uuid,
    truncate_utf8,
    zatca_qr_base64,
    zatca_qr_decode,
    zatca_qr_tlv,
    zatca_timestamp,
)
from mizan.core.errors import DomainError
from mizan.crm.models import Company
from mizan.ledger.models import Account, AccountRole, FiscalYear

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
#: Published with ZATCA's QR guide (QRCodeCreation.pdf) for the "Bobs Records" example.
PUBLISHED_BOBS_RECORDS_QR = (
    "AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA=="
)
SELLER_VAT = "310122393500003"
#: 22:30 UTC on 9 March is 01:30 on 10 March in Riyadh (UTC+3).
POSTED_AT = datetime.datetime(2026, 3, 9, 22, 30, tzinfo=UTC)
ISSUE_DATE = datetime.date(2026, 3, 10)


# --- QR code ---------------------------------------------------------------------------------


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def test_bobs_records_example_is_byte_exact():
    expected_bytes = (
        b"\x01\x0c" + b"Bobs Records"
        + b"\x02\x0f" + b"310122393500003"
        + b"\x03\x14" + b"2022-04-25T15:30:00Z"
        + b"\x04\x07" + b"1000.00"
        + b"\x05\x06" + b"150.00"
    )  # fmt: skip
    arguments = {
        "seller_name": "Bobs Records",
        "vat_number": "310122393500003",
        "timestamp": datetime.datetime(2022, 4, 25, 15, 30, tzinfo=UTC),
        "total_with_vat": Decimal("1000"),
        "vat_total": Decimal("150"),
    }

    assert zatca_qr_tlv(**arguments) == expected_bytes
    assert zatca_qr_base64(**arguments) == base64.b64encode(expected_bytes).decode()
    assert zatca_qr_base64(**arguments) == PUBLISHED_BOBS_RECORDS_QR


def test_decode_gives_back_the_five_fields():
    text = zatca_qr_base64(
        seller_name="Bobs Records",
        vat_number="310122393500003",
        timestamp=datetime.datetime(2022, 4, 25, 15, 30, tzinfo=UTC),
        total_with_vat=Decimal("1000.00"),
        vat_total=Decimal("150.00"),
    )

    assert zatca_qr_decode(text) == {
        1: "Bobs Records",
        2: "310122393500003",
        3: "2022-04-25T15:30:00Z",
        4: "1000.00",
        5: "150.00",
    }


def test_arabic_seller_length_is_counted_in_bytes():
    name = "شركة ميزان للخدمات"  # 16 Arabic letters (2 bytes each) and 2 spaces
    assert (len(name), len(name.encode("utf-8"))) == (18, 34)

    data = zatca_qr_tlv(
        seller_name=name,
        vat_number=SELLER_VAT,
        timestamp=datetime.datetime(2026, 3, 10, 1, 30),
        total_with_vat=Decimal("1150"),
        vat_total=Decimal("150"),
    )

    assert data[:2] == bytes([1, 34])
    assert data[2:36].decode("utf-8") == name
    assert data == (
        tlv(1, name.encode())
        + tlv(2, SELLER_VAT.encode())
        + tlv(3, b"2026-03-10T01:30:00")
        + tlv(4, b"1150.00")
        + tlv(5, b"150.00")
    )
    assert zatca_qr_decode(base64.b64encode(data).decode())[1] == name


def test_long_seller_name_is_cut_at_a_character_boundary():
    name = "م" * 70  # 140 bytes; 127 falls in the middle of the 64th letter

    fields = zatca_qr_decode(
        zatca_qr_base64(
            seller_name=name,
            vat_number=SELLER_VAT,
            timestamp=datetime.datetime(2026, 3, 10, 1, 30),
            total_with_vat=Decimal("1"),
            vat_total=Decimal("0"),
        )
    )

    assert fields[1] == "م" * 63
    assert len(fields[1].encode("utf-8")) == 126
    assert truncate_utf8("a" + "م" * 70, 127) == "a" + "م" * 63  # exactly 127 bytes
    assert truncate_utf8("short", 127) == "short"


def test_value_over_255_bytes_is_refused():
    with pytest.raises(ValueError, match="QR tag 2"):
        zatca_qr_tlv(
            seller_name="Seller",
            vat_number="3" * 256,
            timestamp=datetime.datetime(2026, 3, 10, 1, 30),
            total_with_vat=Decimal("1"),
            vat_total=Decimal("0"),
        )


def test_timestamp_forms_and_currency_decimals():
    riyadh = datetime.timezone(datetime.timedelta(hours=3))
    cairo = datetime.timezone(datetime.timedelta(hours=2))

    assert zatca_timestamp(datetime.datetime(2026, 3, 10, 1, 30, 5, 999)) == "2026-03-10T01:30:05"
    assert zatca_timestamp(POSTED_AT) == "2026-03-09T22:30:00Z"
    assert zatca_timestamp(POSTED_AT.astimezone(riyadh)) == "2026-03-10T01:30:00"
    assert zatca_timestamp(datetime.datetime(2026, 3, 10, 0, 30, tzinfo=cairo)) == "2026-03-10T01:30:00"
    fields = zatca_qr_decode(
        zatca_qr_base64(
            seller_name="S",
            vat_number=SELLER_VAT,
            timestamp=POSTED_AT,
            total_with_vat=Decimal("1.5"),
            vat_total=Decimal("0.0625"),
            currency="KWD",
        )
    )
    assert (fields[4], fields[5]) == ("1.500", "0.063")


@pytest.mark.parametrize(
    "text",
    [
        "not base64!",
        base64.b64encode(b"\x01").decode(),  # a tag without its length
        base64.b64encode(b"\x01\x05abc").decode(),  # shorter than its length
        base64.b64encode(b"\x01\x01a\x01\x01b").decode(),  # the same tag twice
    ],
)
def test_malformed_qr_text_is_refused(text):
    with pytest.raises(ValueError):
        zatca_qr_decode(text)


# --- Invoices built the way posting freezes them --------------------------------------------


@dataclass
class Row:
    description: str
    quantity: str
    unit_price: str
    tax: Tax | None
    unit: str = "hour"
    discount_percent: str = "0"


def saudi_taxes(org) -> dict[str, Tax]:
    taxes = Tax.objects.filter(organization=org)
    return {
        "vat": taxes.get(kind=TaxKind.STANDARD, rate=Decimal("15")),
        "zero": taxes.get(kind=TaxKind.ZERO_RATED),
        "exempt": taxes.get(kind=TaxKind.EXEMPT),
    }


@pytest.fixture
def seller(tenant):
    org = tenant.org
    org.vat_number = SELLER_VAT
    org.save(update_fields=["vat_number"])
    BillingSettings.objects.filter(organization=org).update(
        commercial_registration="1010010000", address_ar="طريق الملك فهد\nحي العليا، الرياض"
    )
    return org


@pytest.fixture
def client_company(seller):
    return Company.objects.create(
        organization=seller,
        name_ar="شركة العميل المحدودة",
        vat_number="300000000000003",
        commercial_registration="4030000000",
        city="جدة",
        address="شارع التحلية",
        country="SA",
    )


def make_invoice(
    org,
    company,
    rows: list[Row],
    *,
    number: int = 1,
    kind: str = Invoice.Kind.INVOICE,
    saudi_type: str = Invoice.SaudiType.STANDARD,
    currency: str = "SAR",
    exchange_rate: str = "1",
    prices_include_tax: bool = False,
    original: Invoice | None = None,
    notes: str = "",
) -> Invoice:
    """A posted-looking invoice whose lines and totals are frozen from billing.taxes (BR-S-09 rounding)."""
    computed = compute_document_taxes(
        [
            TaxLineInput(
                quantity=Decimal(row.quantity),
                unit_price=Decimal(row.unit_price),
                tax=TaxSpec(rate=row.tax.rate, kind=row.tax.kind, key=str(row.tax.pk)) if row.tax else None,
                discount_percent=Decimal(row.discount_percent),
            )
            for row in rows
        ],
        currency=currency,
        prices_include_tax=prices_include_tax,
        saudi_br_s_09=True,
    )
    invoice = Invoice.objects.create(
        organization=org,
        company=company,
        currency=currency,
        prices_include_tax=prices_include_tax,
        kind=kind,
        series="CN" if kind == Invoice.Kind.CREDIT_NOTE else "INV",
        number=number,
        fiscal_year=FiscalYear.objects.filter(organization=org).first(),
        status=Invoice.Status.POSTED,
        saudi_type=saudi_type,
        issue_date=ISSUE_DATE,
        due_date=ISSUE_DATE + datetime.timedelta(days=30),
        exchange_rate=Decimal(exchange_rate),
        original_invoice=original,
        notes=notes,
        net_total=computed.net_total,
        discount_total=computed.discount_total,
        tax_total=computed.tax_total,
        total=computed.gross_total,
        amount_due=computed.gross_total,
        posted_at=POSTED_AT,
    )
    income = Account.objects.filter(organization=org, role=AccountRole.REVENUE).first()
    for position, (row, amounts) in enumerate(zip(rows, computed.lines, strict=True)):
        InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            description=row.description,
            quantity=Decimal(row.quantity),
            unit=row.unit,
            unit_price=Decimal(row.unit_price),
            discount_percent=Decimal(row.discount_percent),
            tax=row.tax,
            income_account=income,
            net_amount=amounts.net,
            discount_amount=amounts.discount,
            tax_amount=amounts.tax,
            gross_amount=amounts.gross,
        )
    return invoice


def mixed_rows(org) -> list[Row]:
    """Three 0.05 lines at 15%: per-line VAT would be 0.03, BR-S-09 gives round(0.15 x 15%) = 0.02."""
    taxes = saudi_taxes(org)
    return [
        Row("استشارات إدارية", "10", "110", taxes["vat"], "hour", discount_percent="10"),
        Row("رسوم رسالة 1", "1", "0.05", taxes["vat"], "piece"),
        Row("رسوم رسالة 2", "1", "0.05", taxes["vat"], "piece"),
        Row("رسوم رسالة 3", "1", "0.05", taxes["vat"], "piece"),
        Row("خدمات مصدرة", "2", "500", taxes["zero"], "day"),
        Row("عمولة تمويل", "1", "200", taxes["exempt"], "month"),
    ]


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)


def text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def amount(element: ET.Element, path: str) -> Decimal:
    return Decimal(text(element, path))


def reference(root: ET.Element, key: str) -> ET.Element:
    matches = [ref for ref in root.findall("cac:AdditionalDocumentReference", NS) if text(ref, "cbc:ID") == key]
    assert len(matches) == 1, key
    return matches[0]


def tax_totals(root: ET.Element) -> tuple[ET.Element, ET.Element]:
    """(the TaxTotal in SAR without breakdown, the TaxTotal with the breakdown)."""
    totals = root.findall("cac:TaxTotal", NS)
    assert len(totals) == 2
    plain = [total for total in totals if total.find("cac:TaxSubtotal", NS) is None]
    detailed = [total for total in totals if total.find("cac:TaxSubtotal", NS) is not None]
    assert len(plain) == len(detailed) == 1
    return plain[0], detailed[0]


# --- UBL XML ---------------------------------------------------------------------------------


def test_standard_invoice_header_dates_and_references(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller))

    xml = invoice_ubl_xml(invoice)
    root = parse(xml)

    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert text(root, "cbc:ProfileID") == "reporting:1.0"
    assert text(root, "cbc:ID") == "INV-2026-00001"
    assert text(root, "cbc:UUID") == str(invoice_uuid(invoice))
    assert uuid.UUID(text(root, "cbc:UUID")).version == 5
    # Posted 22:30 UTC on 9 March = 01:30 on 10 March in Riyadh: date and time from the same instant.
    assert text(root, "cbc:IssueDate") == "2026-03-10"
    assert text(root, "cbc:IssueTime") == "01:30:00"
    type_code = root.find("cbc:InvoiceTypeCode", NS)
    assert (type_code.text, type_code.get("name")) == ("388", "0100000")
    assert text(root, "cbc:DocumentCurrencyCode") == "SAR"
    assert text(root, "cbc:TaxCurrencyCode") == "SAR"
    assert root.find("cac:BillingReference", NS) is None
    assert text(reference(root, "ICV"), "cbc:UUID") == "1"
    pih = reference(root, "PIH").find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)
    assert pih.get("mimeCode") == "text/plain"
    assert pih.text == INITIAL_PREVIOUS_INVOICE_HASH
    assert pih.text == base64.b64encode(hashlib.sha256(b"0").hexdigest().encode()).decode()
    assert text(root, "cac:Delivery/cbc:ActualDeliveryDate") == "2026-03-10"
    assert text(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert root.find("cac:PaymentMeans/cbc:InstructionNote", NS) is None
    assert root.find("cac:AllowanceCharge", NS) is None
    # Rendering again gives the same document (same UUID, same bytes).
    assert invoice_ubl_xml(invoice) == xml


def test_qr_in_the_xml_matches_the_invoice(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller))
    root = parse(invoice_ubl_xml(invoice))

    qr = text(reference(root, "QR"), "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")

    assert qr == invoice_qr_base64(invoice)
    fields = zatca_qr_decode(qr)
    assert fields == {
        1: "شركة alpha",
        2: SELLER_VAT,
        3: "2026-03-10T01:30:00",
        4: "2338.67",
        5: "148.52",
    }
    assert fields[3] == text(root, "cbc:IssueDate") + "T" + text(root, "cbc:IssueTime")
    assert Decimal(fields[4]) == invoice.total
    assert Decimal(fields[5]) == invoice.tax_total
    # The Arabic name is counted in bytes: 4 letters x 2 + space + "alpha".
    assert base64.b64decode(qr)[:2] == bytes([1, 14])


def test_parties(seller, client_company):
    root = parse(invoice_ubl_xml(make_invoice(seller, client_company, mixed_rows(seller))))

    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    crn = supplier.find("cac:PartyIdentification/cbc:ID", NS)
    assert (crn.get("schemeID"), crn.text) == ("CRN", "1010010000")
    assert text(supplier, "cac:PostalAddress/cbc:StreetName") == "طريق الملك فهد, حي العليا، الرياض"
    assert supplier.find("cac:PostalAddress/cbc:CityName", NS) is None  # not held yet (documented gap)
    assert text(supplier, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "SA"
    assert text(supplier, "cac:PartyTaxScheme/cbc:CompanyID") == SELLER_VAT
    assert text(supplier, "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID") == "VAT"
    assert text(supplier, "cac:PartyLegalEntity/cbc:RegistrationName") == "شركة alpha"

    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert text(customer, "cac:PartyIdentification/cbc:ID") == "4030000000"
    assert text(customer, "cac:PostalAddress/cbc:StreetName") == "شارع التحلية"
    assert text(customer, "cac:PostalAddress/cbc:CityName") == "جدة"
    assert text(customer, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "SA"
    assert text(customer, "cac:PartyTaxScheme/cbc:CompanyID") == "300000000000003"
    assert text(customer, "cac:PartyLegalEntity/cbc:RegistrationName") == "شركة العميل المحدودة"


def test_totals_and_tax_breakdown_equal_the_frozen_invoice(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller))
    # 10 x 110 - 10% = 990.00 and 3 x 0.05 at 15% (VAT 148.52, not the per-line 148.53); 1,000 zero-rated;
    # 200 exempt.
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("2190.15"),
        Decimal("148.52"),
        Decimal("2338.67"),
    )
    root = parse(invoice_ubl_xml(invoice))

    plain, detailed = tax_totals(root)
    assert text(plain, "cbc:TaxAmount") == "148.52"
    assert plain.find("cbc:TaxAmount", NS).get("currencyID") == "SAR"
    assert amount(detailed, "cbc:TaxAmount") == invoice.tax_total
    subtotals = {text(sub, "cac:TaxCategory/cbc:ID"): sub for sub in detailed.findall("cac:TaxSubtotal", NS)}
    assert set(subtotals) == {"S", "Z", "E"}
    standard = subtotals["S"]
    taxable = amount(standard, "cbc:TaxableAmount")
    assert taxable == Decimal("990.15")
    # BR-S-09: the VAT of the rate is its taxable amount times the rate, rounded once.
    assert amount(standard, "cbc:TaxAmount") == money_round(taxable * Decimal("0.15"), "SAR") == Decimal("148.52")
    assert text(standard, "cac:TaxCategory/cbc:Percent") == "15.00"
    assert standard.find("cac:TaxCategory/cbc:TaxExemptionReasonCode", NS) is None
    zero, exempt = subtotals["Z"], subtotals["E"]
    assert (amount(zero, "cbc:TaxableAmount"), amount(zero, "cbc:TaxAmount")) == (Decimal("1000.00"), Decimal("0"))
    assert text(zero, "cac:TaxCategory/cbc:Percent") == "0.00"
    assert text(zero, "cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-SA-33"
    assert text(zero, "cac:TaxCategory/cbc:TaxExemptionReason") == "Export of services"
    assert (amount(exempt, "cbc:TaxableAmount"), amount(exempt, "cbc:TaxAmount")) == (Decimal("200.00"), Decimal("0"))
    assert text(exempt, "cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-SA-29"
    assert "Article 29" in text(exempt, "cac:TaxCategory/cbc:TaxExemptionReason")

    money = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(money, "cbc:LineExtensionAmount") == invoice.net_total == Decimal("2190.15")
    assert amount(money, "cbc:TaxExclusiveAmount") == invoice.net_total
    assert amount(money, "cbc:TaxInclusiveAmount") == invoice.total == Decimal("2338.67")
    assert amount(money, "cbc:AllowanceTotalAmount") == Decimal("0")
    assert amount(money, "cbc:PayableAmount") == invoice.total
    assert sum(amount(sub, "cbc:TaxableAmount") for sub in subtotals.values()) == invoice.net_total


def test_invoice_lines(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller))
    root = parse(invoice_ubl_xml(invoice))

    lines = root.findall("cac:InvoiceLine", NS)
    assert [text(line, "cbc:ID") for line in lines] == ["1", "2", "3", "4", "5", "6"]
    assert [line.find("cbc:InvoicedQuantity", NS).get("unitCode") for line in lines] == [
        "HUR",
        "H87",
        "H87",
        "H87",
        "DAY",
        "MON",
    ]
    assert [text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") for line in lines] == list("SSSSZE")
    # The rate's 148.52 allocated back to its lines by largest remainder (billing.taxes).
    assert [text(line, "cac:TaxTotal/cbc:TaxAmount") for line in lines] == [
        "148.50",
        "0.01",
        "0.01",
        "0.00",
        "0.00",
        "0.00",
    ]
    assert sum(amount(line, "cac:TaxTotal/cbc:TaxAmount") for line in lines) == invoice.tax_total
    assert sum(amount(line, "cbc:LineExtensionAmount") for line in lines) == invoice.net_total
    for line in lines:
        net = amount(line, "cbc:LineExtensionAmount")
        assert amount(line, "cac:TaxTotal/cbc:RoundingAmount") == net + amount(line, "cac:TaxTotal/cbc:TaxAmount")
        quantity = amount(line, "cbc:InvoicedQuantity")
        price = amount(line, "cac:Price/cbc:PriceAmount")
        allowance = line.find("cac:AllowanceCharge/cbc:Amount", NS)
        discount = Decimal(allowance.text) if allowance is not None else Decimal(0)
        # BR-KSA-EN16931-11: net = quantity x net price - line allowances.
        assert money_round(quantity * price, "SAR") - discount == net

    consulting = lines[0]
    assert text(consulting, "cbc:InvoicedQuantity") == "10"
    assert text(consulting, "cbc:LineExtensionAmount") == "990.00"
    assert text(consulting, "cac:Price/cbc:PriceAmount") == "110.00"
    assert text(consulting, "cac:AllowanceCharge/cbc:ChargeIndicator") == "false"
    assert text(consulting, "cac:AllowanceCharge/cbc:AllowanceChargeReasonCode") == "95"
    assert text(consulting, "cac:AllowanceCharge/cbc:Amount") == "110.00"
    assert text(consulting, "cac:AllowanceCharge/cbc:BaseAmount") == "1100.00"
    assert text(consulting, "cac:Item/cbc:Name") == "استشارات إدارية"
    assert text(consulting, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent") == "15.00"
    assert lines[1].find("cac:AllowanceCharge", NS) is None


def test_simplified_invoice_type(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller)[:1], saudi_type=Invoice.SaudiType.SIMPLIFIED)

    type_code = parse(invoice_ubl_xml(invoice)).find("cbc:InvoiceTypeCode", NS)

    assert (type_code.text, type_code.get("name")) == ("388", "0200000")


def test_credit_note_references_the_invoice_and_gives_the_reason(seller, client_company):
    original = make_invoice(seller, client_company, mixed_rows(seller))
    rows = [Row("استشارات إدارية", "2", "110", saudi_taxes(seller)["vat"], "hour")]
    credit = make_invoice(seller, client_company, rows, kind=Invoice.Kind.CREDIT_NOTE, original=original)

    root = parse(invoice_ubl_xml(credit, credit_note_reason="ساعتان لم تُنفَّذا | Two hours not delivered"))

    type_code = root.find("cbc:InvoiceTypeCode", NS)
    assert (type_code.text, type_code.get("name")) == ("381", "0100000")
    assert text(root, "cbc:ID") == "CN-2026-00001"
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "INV-2026-00001"
    assert text(root, "cac:PaymentMeans/cbc:InstructionNote") == "ساعتان لم تُنفَّذا | Two hours not delivered"
    assert text(root, "cbc:UUID") != str(invoice_uuid(original))
    money = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(money, "cbc:PayableAmount") == credit.total == Decimal("253.00")
    assert zatca_qr_decode(text(reference(root, "QR"), "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"))[4] == (
        "253.00"
    )


def test_credit_note_reason_defaults_to_its_notes_then_a_sentence(seller, client_company):
    original = make_invoice(seller, client_company, mixed_rows(seller))
    rows = [Row("استشارات", "1", "110", saudi_taxes(seller)["vat"])]
    with_notes = make_invoice(
        seller, client_company, rows, kind=Invoice.Kind.CREDIT_NOTE, original=original, notes="خصم\nمتفق عليه"
    )
    without_notes = make_invoice(
        seller, client_company, rows, kind=Invoice.Kind.CREDIT_NOTE, original=original, number=2
    )

    assert text(parse(invoice_ubl_xml(with_notes)), "cac:PaymentMeans/cbc:InstructionNote") == "خصم, متفق عليه"
    assert text(parse(invoice_ubl_xml(without_notes)), "cac:PaymentMeans/cbc:InstructionNote") == (
        "إشعار دائن للفاتورة INV-2026-00001 | Credit note for invoice INV-2026-00001"
    )


def test_foreign_currency_invoice_gives_the_vat_in_riyals(seller, client_company):
    rows = [Row("Consulting", "3", "333.33", saudi_taxes(seller)["vat"])]
    invoice = make_invoice(seller, client_company, rows, currency="USD", exchange_rate="3.75")
    assert (invoice.net_total, invoice.tax_total) == (Decimal("999.99"), Decimal("150.00"))

    root = parse(invoice_ubl_xml(invoice))

    assert text(root, "cbc:DocumentCurrencyCode") == "USD"
    assert text(root, "cbc:TaxCurrencyCode") == "SAR"
    assert text(root, "cac:TaxExchangeRate/cbc:SourceCurrencyCode") == "USD"
    assert text(root, "cac:TaxExchangeRate/cbc:TargetCurrencyCode") == "SAR"
    assert text(root, "cac:TaxExchangeRate/cbc:CalculationRate") == "3.75"
    plain, detailed = tax_totals(root)
    assert plain.find("cbc:TaxAmount", NS).get("currencyID") == "SAR"
    assert amount(plain, "cbc:TaxAmount") == Decimal("562.50")  # 150.00 x 3.75
    assert detailed.find("cbc:TaxAmount", NS).get("currencyID") == "USD"
    assert amount(detailed, "cac:TaxSubtotal/cbc:TaxAmount") == Decimal("150.00")
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).get("currencyID") == "USD"
    fields = zatca_qr_decode(invoice_qr_base64(invoice))
    assert (fields[4], fields[5]) == ("1149.99", "150.00")  # the document's currency, as ZATCA's samples


def test_tax_inclusive_prices_derive_the_net_unit_price(seller, client_company):
    vat = saudi_taxes(seller)["vat"]
    rows = [
        Row("باقة شهرية", "3", "115", vat, "month", discount_percent="10"),
        Row("جلسة", "7", "10", vat, "session"),
    ]
    invoice = make_invoice(seller, client_company, rows, prices_include_tax=True)

    root = parse(invoice_ubl_xml(invoice))

    lines = root.findall("cac:InvoiceLine", NS)
    for line in lines:
        net = amount(line, "cbc:LineExtensionAmount")
        allowance = line.find("cac:AllowanceCharge/cbc:Amount", NS)
        discount = Decimal(allowance.text) if allowance is not None else Decimal(0)
        price = amount(line, "cac:Price/cbc:PriceAmount")
        assert money_round(amount(line, "cbc:InvoicedQuantity") * price, "SAR") - discount == net
    package = lines[0]
    assert text(package, "cac:Price/cbc:PriceAmount") == "100.00"  # 115 including 15% VAT
    assert text(package, "cac:AllowanceCharge/cbc:Amount") == "30.00"  # 34.50 with VAT
    assert text(package, "cbc:LineExtensionAmount") == "270.00"
    session = lines[1]
    assert session.find("cbc:InvoicedQuantity", NS).get("unitCode") == "C62"
    assert text(session, "cbc:LineExtensionAmount") == "60.87"  # 70.00 with VAT
    assert text(session, "cac:Price/cbc:PriceAmount") == "8.696"  # 7 x 8.696 = 60.872 -> 60.87
    assert session.find("cac:AllowanceCharge", NS) is None
    money = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(money, "cbc:TaxInclusiveAmount") == invoice.total == Decimal("380.50")  # 310.50 + 70.00
    assert amount(money, "cbc:TaxExclusiveAmount") == invoice.net_total == Decimal("330.87")
    _plain, detailed = tax_totals(root)
    taxable = amount(detailed, "cac:TaxSubtotal/cbc:TaxableAmount")
    assert amount(detailed, "cac:TaxSubtotal/cbc:TaxAmount") == money_round(taxable * Decimal("0.15"), "SAR")
    assert taxable + amount(detailed, "cbc:TaxAmount") == invoice.total


def test_line_without_tax_is_out_of_scope(seller, client_company):
    invoice = make_invoice(seller, client_company, [Row("Reimbursed expense", "1", "50", None, "")])

    root = parse(invoice_ubl_xml(invoice))

    _plain, detailed = tax_totals(root)
    assert text(detailed, "cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == "O"
    assert text(detailed, "cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-SA-OOS"
    assert text(root, "cac:InvoiceLine/cbc:InvoicedQuantity") == "1"
    assert root.find("cac:InvoiceLine/cbc:InvoicedQuantity", NS).get("unitCode") == "C62"


def test_draft_has_no_zatca_documents(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller)[:1])
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.DRAFT, number=None, posted_at=None)
    invoice.refresh_from_db()

    with pytest.raises(DomainError) as qr_error:
        invoice_qr_base64(invoice)
    with pytest.raises(DomainError) as xml_error:
        invoice_ubl_xml(invoice)

    assert qr_error.value.code == xml_error.value.code == "billing.zatca_not_posted"
    assert "INV-DRAFT-" in qr_error.value.message


def test_totals_that_do_not_reconcile_are_refused(seller, client_company):
    invoice = make_invoice(seller, client_company, mixed_rows(seller))
    invoice.tax_total += Decimal("0.01")

    with pytest.raises(ValueError, match="does not reconcile"):
        invoice_ubl_xml(invoice)


def test_query_count(seller, client_company, django_assert_max_num_queries):
    invoice = Invoice.objects.get(pk=make_invoice(seller, client_company, mixed_rows(seller)).pk)

    # organization, lines with their taxes, billing settings, company.
    with django_assert_max_num_queries(4):
        invoice_ubl_xml(invoice)
