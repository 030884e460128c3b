"""Payments received, refunds paid, and how they settle invoices.

A payment posts Dr bank/cash, Cr receivable (the client). Whatever is not allocated stays as a
credit balance on the client's receivable: that is the client's credit, applied later by an
allocation (no new entry) or paid back by a refund (Dr receivable, Cr bank). A credit note's
amount not used on its invoice is client credit too, allocated or refunded the same way.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.billing.models.documents import AMOUNT
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models.base import OrganizationOwnedModel


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    CHEQUE = "cheque", _("Cheque")
    ONLINE = "online", _("Online payment")
    OTHER = "other", _("Other")


class Payment(OrganizationOwnedModel):
    class Direction(models.TextChoices):
        RECEIVED = "received", _("Payment received")
        REFUND = "refund", _("Refund paid")

    direction = models.CharField(_("kind"), max_length=10, choices=Direction.choices, default=Direction.RECEIVED)
    #: Gapless per (organization, direction, fiscal year).
    number = models.PositiveIntegerField(_("number"))
    fiscal_year = models.ForeignKey("ledger.FiscalYear", on_delete=models.PROTECT, related_name="+")
    #: The number as printed: RCT-2026-00042 (receipts) or RFD-2026-00003 (refunds), with the fiscal year.
    document_number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    company = models.ForeignKey("crm.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=20, decimal_places=8, default=Decimal("1"))
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("bank or cash account")
    )
    method = models.CharField(
        _("method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    #: What a refund pays back: a payment's unallocated amount or a credit note's unused credit.
    refund_of_payment = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("refund of payment"),
    )
    refund_of_credit_note = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("refund of credit note"),
    )
    #: Allocated to invoices plus refunded; the rest is the client's credit.
    amount_used = models.DecimalField(_("allocated or refunded"), **AMOUNT)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: A repeated submission with the same key records one payment (API header or form token).
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-number", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "direction", "fiscal_year", "number"], name="billing_payment_unique_number"
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="billing_payment_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_used__gte=0) & models.Q(amount_used__lte=models.F("amount")),
                name="billing_payment_used_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["organization", "company", "date"], name="billing_payment_company_idx")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return self.document_number or f"{self.prefix}-{self.date.year}-{self.number:05d}"

    @property
    def prefix(self) -> str:
        return "RCT" if self.direction == self.Direction.RECEIVED else "RFD"

    def assign_document_number(self, number: int, fiscal_year_name: str) -> None:
        self.number = number
        self.document_number = f"{self.prefix}-{fiscal_year_name}-{number:05d}"

    @property
    def unallocated(self) -> Decimal:
        """The client's credit left from this payment (0 for a refund)."""
        if self.direction == self.Direction.REFUND:
            return Decimal("0")
        return self.amount - self.amount_used


class Allocation(models.Model):
    """An amount of a payment or of a credit note settling an invoice (same currency)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("invoice")
    )
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("payment"),
    )
    credit_note = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_allocations",
        verbose_name=_("credit note"),
    )
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=3)
    date = models.DateField(_("date"))
    #: The realized exchange difference posted when a foreign-currency invoice is settled.
    fx_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_allocation_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(payment__isnull=False, credit_note__isnull=True)
                | models.Q(payment__isnull=True, credit_note__isnull=False),
                name="billing_allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} -> {self.invoice}"
