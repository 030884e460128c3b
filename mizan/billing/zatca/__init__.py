"""Saudi e-invoicing (ZATCA / FATOORA) pieces of an invoice: the QR code and the UBL 2.1 XML.

Sources: ZATCA's E-Invoice XML Implementation Standard and data dictionary (BT-/KSA- terms), the
Security Features Implementation Standard (QR), ZATCA's SDK samples and its developer forum, and
EN 16931 (KSA rules win). See also ../shared/REGIONAL.md and docs/adr/0004-vat-rounding.md.

Done
----
- ``qr``: the phase-1 QR code. TLV fields 1-5 (seller name, seller VAT number, timestamp, total
  with VAT, VAT total), each a 1-byte tag, a 1-byte length counted in UTF-8 BYTES and the UTF-8
  value, then Base64. A value over 255 bytes is an error; the seller name is cut to 127 bytes at a
  character boundary. Amounts are in the document's currency with its decimals ("1150.00"), as
  in ZATCA's SDK samples (BT-112 and BT-110).
- ``ubl``: the posted invoice (388) or credit note (381: ZATCA keeps the ``Invoice`` root) as UBL
  2.1 XML: ProfileID ``reporting:1.0``; ID; a stable uuid5 UUID; IssueDate/IssueTime; the KSA-2
  transaction code ``0100000`` (tax invoice) or ``0200000`` (simplified); the document currency
  and SAR as tax currency (a foreign-currency document also gives TaxExchangeRate and its VAT total
  in SAR, converted at ``invoice.exchange_rate`` and rounded once); ICV, PIH and QR references;
  seller and buyer; supply date; payment means 30 (credit transfer) and, on a credit note, the
  reason (KSA-10) in ``PaymentMeans/InstructionNote`` and the credited invoice in
  ``BillingReference``; the VAT breakdown; the monetary totals and the lines.

Decisions
---------
- **Time**: ZATCA accepts a local time (``hh:mm:ss``, Saudi time) or UTC (``hh:mm:ssZ``), and the QR
  timestamp must be the XML's IssueDate + "T" + IssueTime. We use the local form everywhere:
  ``posted_at`` converted to Asia/Riyadh (ZATCA's time, fixed here rather than read from the
  organization's time zone, which is the same for Saudi organizations), e.g. an invoice posted at
  22:30 UTC is issued the next day at 01:30:00, and QR tag 3 is ``YYYY-MM-DDTHH:MM:SS`` with no
  ``Z``. Date and time come from the same instant, so a post after midnight never gets the previous
  day's date. ``Delivery/ActualDeliveryDate`` (supply date, KSA-5) is ``invoice.issue_date``.
- **Amounts** are the invoice's frozen figures, never recomputed: line nets, line VAT (allocated by
  ``billing.taxes`` so that each rate's VAT is round(taxable x rate) once, BR-S-09) and totals.
  The builder refuses a document whose lines do not add up to its totals.
- **Discounts**: the document discount is folded into each line's net amount by the tax
  arithmetic, so there is no document-level AllowanceCharge (AllowanceTotalAmount 0,
  TaxExclusiveAmount = LineExtensionAmount = sum of line nets). Each discounted line carries a
  line allowance (BG-27, reason code 95) so that quantity x net price - allowance = line net
  (BR-KSA-EN16931-11). With tax-inclusive prices the net unit price is derived from the line's net.
- **Categories**: standard S (rate), zero-rated Z, exempt E, out of scope O with the tax's
  exemption reason code and text; a line without a tax is O / VATEX-SA-OOS. One TaxSubtotal per
  category, rate and reason.
- **Units** map to UN/ECE Rec. 20: hour HUR, day DAY, month MON, year ANN, piece H87, others C62.

Not done yet
------------
- No cryptographic stamp: no ``ext:UBLExtensions`` (XAdES, ECDSA secp256k1), no ``cac:Signature``,
  no QR tags 6-9; onboarding (CSR, CSIDs), clearance and reporting calls come later.
- No chaining: ICV (KSA-16) is the invoice number, not a per-device counter across series and
  years, and PIH (KSA-13) is ZATCA's initial value (Base64 of the hex SHA-256 of "0") for every
  document. ``invoice_ubl_xml`` takes ``counter`` and ``previous_invoice_hash`` for that step.
- Addresses: ZATCA wants street, building number, district, city and a 5-digit postal code;
  we hold the seller's address as free Arabic text (``BillingSettings.address_ar``), written
  whole in StreetName with no city, and the buyer's free-text address, city and country (the
  seller's country when blank). Structured address fields are needed before clearance.
- The buyer's other IDs (national ID, etc.) are not held; only the CRN (``schemeID="CRN"``).
"""

from mizan.billing.zatca.qr import (
    ZATCA_TIMEZONE,
    QrTag,
    invoice_issue_moment,
    invoice_qr_base64,
    truncate_utf8,
    zatca_qr_base64,
    zatca_qr_decode,
    zatca_qr_tlv,
    zatca_timestamp,
)
from mizan.billing.zatca.ubl import (
    INITIAL_PREVIOUS_INVOICE_HASH,
    invoice_ubl_xml,
    invoice_uuid,
    line_price,
    unit_code,
)

__all__ = [
    "INITIAL_PREVIOUS_INVOICE_HASH",
    "ZATCA_TIMEZONE",
    "QrTag",
    "invoice_issue_moment",
    "invoice_qr_base64",
    "invoice_ubl_xml",
    "invoice_uuid",
    "line_price",
    "truncate_utf8",
    "unit_code",
    "zatca_qr_base64",
    "zatca_qr_decode",
    "zatca_qr_tlv",
    "zatca_timestamp",
]
