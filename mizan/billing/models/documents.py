"""Quotes, invoices and credit notes: one line shape, one totals shape, states declared.

Quotes live in billing (not in sales beside the catalog) because they share their lines, totals,
PDF and public link with invoices and their acceptance creates an invoice: billing depends on
sales (the catalog), never the other way (docs/adr/0005-billing-documents.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.models.base import OrganizationOwnedModel

ZERO = Decimal("0")
AMOUNT = {"max_digits": 20, "decimal_places": 3, "default": ZERO}
PERCENT = {"max_digits": 7, "decimal_places": 4, "default": ZERO}


class DocumentLanguage(models.TextChoices):
    BILINGUAL = "both", _("Arabic and English side by side")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class DocumentTotals(models.Model):
    """Header fields every billable document has: party, currency, discount, frozen totals."""

    company = models.ForeignKey("crm.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("contact")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    discount_percent = models.DecimalField(
        _("document discount (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    language = models.CharField(
        _("document language"), max_length=4, choices=DocumentLanguage.choices, default=DocumentLanguage.BILINGUAL
    )
    notes = models.TextField(_("notes"), blank=True)
    terms = models.TextField(_("terms and conditions"), blank=True)
    net_total = models.DecimalField(_("total before tax"), **AMOUNT)
    discount_total = models.DecimalField(_("discount"), **AMOUNT)
    tax_total = models.DecimalField(_("tax"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class DocumentLine(models.Model):
    """One priced line; net/tax/gross are computed by billing.taxes and frozen with the document."""

    position = models.PositiveSmallIntegerField(_("line"), default=0)
    product = models.ForeignKey(
        "sales.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=3)
    discount_percent = models.DecimalField(
        _("discount (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], **PERCENT
    )
    tax = models.ForeignKey(
        "billing.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax")
    )
    income_account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("income account")
    )
    net_amount = models.DecimalField(_("amount before tax"), **AMOUNT)
    discount_amount = models.DecimalField(_("discount"), **AMOUNT)
    tax_amount = models.DecimalField(_("tax"), **AMOUNT)
    gross_amount = models.DecimalField(_("amount with tax"), **AMOUNT)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.description

    @property
    def unit_label(self) -> str:
        """The catalog unit's name in the active language ("Day" / "يوم"); free text as typed."""
        from mizan.sales.models import ProductUnit

        return str(dict(ProductUnit.choices).get(self.unit, self.unit))


class Quote(OrganizationOwnedModel, DocumentTotals):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Superseded by a new version")

    #: Allowed transitions; one service per transition.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.SENT, Status.SUPERSEDED),
        Status.SENT: (Status.ACCEPTED, Status.DECLINED, Status.SUPERSEDED),
        Status.ACCEPTED: (),
        Status.DECLINED: (Status.SUPERSEDED,),
        Status.SUPERSEDED: (),
    }

    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    deal = models.ForeignKey(
        "crm.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes", verbose_name=_("deal")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    issue_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    deposit_percent = models.DecimalField(
        _("deposit invoiced on acceptance (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 invoices the whole amount."),
        **PERCENT,
    )
    #: Changing it invalidates every public link sent before.
    public_key = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responder_name = models.CharField(_("answered by"), max_length=200, blank=True)
    responder_ip = models.GenericIPAddressField(_("answered from (IP)"), null=True, blank=True)
    responder_user_agent = models.CharField(_("answered from (browser)"), max_length=300, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invoice")
    )

    class Meta:
        ordering = ["-issue_date", "-number", "-version"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number", "version"], name="billing_quote_unique_number_version"
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="billing_quote_total_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="billing_quote_status_idx")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        base = f"Q-{self.number:05d}"
        return base if self.version == 1 else f"{base}/{self.version}"

    def can_transition(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class QuoteLine(DocumentLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")


class Invoice(OrganizationOwnedModel, DocumentTotals):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled by a credit note")

    class SaudiType(models.TextChoices):
        """ZATCA: a tax invoice (B2B, buyer's VAT number) or a simplified tax invoice (B2C)."""

        STANDARD = "standard", _("Tax invoice")
        SIMPLIFIED = "simplified", _("Simplified tax invoice")

    #: Allowed transitions; one service per transition (payments move posted <-> paid).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.POSTED,),
        Status.POSTED: (Status.PARTIALLY_PAID, Status.PAID, Status.CANCELLED),
        Status.PARTIALLY_PAID: (Status.POSTED, Status.PAID, Status.CANCELLED),
        # A paid invoice fully credited afterwards is cancelled; its payment becomes client credit.
        Status.PAID: (Status.PARTIALLY_PAID, Status.POSTED, Status.CANCELLED),
        Status.CANCELLED: (),
    }
    OPEN_STATUSES = (Status.POSTED, Status.PARTIALLY_PAID)

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    series = models.CharField(_("series"), max_length=10, default="INV")
    #: Gapless per (organization, series, fiscal year); assigned at posting, null while draft.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    fiscal_year = models.ForeignKey(
        "ledger.FiscalYear", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The number as printed, e.g. INV-2026-00042 or INV-2026-27-00042 (series, fiscal year, number).
    document_number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    saudi_type = models.CharField(
        _("Saudi invoice type"), max_length=10, choices=SaudiType.choices, default=SaudiType.STANDARD
    )
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    payment_term = models.ForeignKey(
        "billing.PaymentTerm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment terms"),
    )
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=20, decimal_places=8, default=Decimal("1"))
    deal = models.ForeignKey(
        "crm.Deal", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices", verbose_name=_("deal")
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices", verbose_name=_("quote")
    )
    original_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    reference = models.CharField(_("client reference (PO)"), max_length=100, blank=True)
    amount_paid = models.DecimalField(_("paid and credited"), **AMOUNT)
    amount_due = models.DecimalField(_("amount due"), **AMOUNT)
    journal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost_center = models.ForeignKey(
        "ledger.AnalyticAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cost center"),
    )
    project = models.ForeignKey(
        "ledger.AnalyticAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("project"),
    )
    recurring_schedule = models.ForeignKey(
        "billing.RecurringSchedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    #: The first day of the period a recurring invoice bills; with the schedule, at most one invoice.
    recurring_period = models.DateField(null=True, blank=True)
    qr_code = models.TextField(_("ZATCA QR code (base64 TLV)"), blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="invoices/pdf/%Y/", blank=True, editable=False)
    ubl_xml = models.FileField(_("UBL XML"), upload_to="invoices/xml/%Y/", blank=True, editable=False)

    class Meta:
        ordering = ["-issue_date", "-number", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "series", "fiscal_year", "number"],
                condition=models.Q(number__isnull=False),
                name="billing_invoice_unique_number",
            ),
            models.UniqueConstraint(
                fields=["recurring_schedule", "recurring_period"],
                condition=models.Q(recurring_schedule__isnull=False),
                name="billing_invoice_one_per_recurring_period",
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="billing_invoice_total_not_negative"),
            models.CheckConstraint(condition=models.Q(amount_due__gte=0), name="billing_invoice_due_not_negative"),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", original_invoice__isnull=True)
                | models.Q(kind="credit_note", original_invoice__isnull=False),
                name="billing_invoice_credit_note_has_original",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"], name="billing_invoice_status_idx"),
            # The lists' default order: the first page is read from the index, not sorted (docs/benchmarks.md).
            models.Index(fields=["organization", "-issue_date", "-number", "-id"], name="billing_invoice_list_idx"),
            models.Index(fields=["organization", "company", "issue_date"], name="billing_invoice_company_idx"),
            models.Index(fields=["organization", "series", "issue_date"], name="billing_invoice_series_idx"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        """INV-2026-00042 once posted; drafts show their internal id."""
        if self.document_number:
            return self.document_number
        if self.number is not None:  # numbered without `assign_document_number` (imported rows)
            return f"{self.series}-{self.issue_date.year}-{self.number:05d}"
        return f"{self.series}-DRAFT-{self.pk or 0}"

    def assign_document_number(self, number: int, fiscal_year_name: str) -> None:
        """Numbers restart each fiscal year, so the printed number names the year (unique per series)."""
        self.number = number
        self.document_number = f"{self.series}-{fiscal_year_name}-{number:05d}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def status_label(self) -> str:
        """The status as a reader says it: a credit note is not "paid" but its credit is used."""
        if self.is_credit_note and self.status in CREDIT_NOTE_STATUS_LABELS:
            return str(CREDIT_NOTE_STATUS_LABELS[self.status])
        return self.get_status_display()

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_transition(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


#: How a credit note's own statuses read: its amount due is the client's credit not yet used.
CREDIT_NOTE_STATUS_LABELS = {
    Invoice.Status.POSTED: _("Credit available"),
    Invoice.Status.PARTIALLY_PAID: _("Credit partly used"),
    Invoice.Status.PAID: _("Credit used"),
}


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
