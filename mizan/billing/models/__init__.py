from mizan.billing.models.taxes import BillingSettings, Tax, TaxKind, VatExemptionReason

__all__ = ["BillingSettings", "Tax", "TaxKind", "VatExemptionReason"]
