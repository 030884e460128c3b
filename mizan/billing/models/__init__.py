from mizan.billing.models.documents import DocumentLanguage, Invoice, InvoiceLine, Quote, QuoteLine
from mizan.billing.models.payments import Allocation, Payment, PaymentMethod
from mizan.billing.models.recurring import PaymentReminder, RecurringLine, RecurringSchedule
from mizan.billing.models.taxes import BillingSettings, Tax, TaxKind, VatExemptionReason
from mizan.billing.models.terms import PaymentTerm

__all__ = [
    "Allocation",
    "BillingSettings",
    "DocumentLanguage",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PaymentMethod",
    "PaymentReminder",
    "PaymentTerm",
    "Quote",
    "QuoteLine",
    "RecurringLine",
    "RecurringSchedule",
    "Tax",
    "TaxKind",
    "VatExemptionReason",
]
