"""Journals, journal entries and their lines: the double-entry ledger itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.errors import DomainError
from mizan.core.models import OrganizationOwnedModel, OrganizationQuerySet
from mizan.ledger.models.accounts import _localized_name

ZERO = Decimal("0")
AMOUNT = {"max_digits": 20, "decimal_places": 3}


class JournalKind(models.TextChoices):
    SALES = "sales", _("Sales")
    PURCHASES = "purchases", _("Purchases")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    GENERAL = "general", _("General")


class Journal(OrganizationOwnedModel):
    """A book entries are numbered in: gapless per journal and fiscal year."""

    code = models.CharField(_("code"), max_length=10)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=JournalKind.choices)
    #: For bank and cash journals: the account the money moves through.
    default_account = models.ForeignKey(
        "ledger.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default account"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="ledger_journal_unique_code",
                violation_error_message=_("A journal with this code already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_en=""),
                name="ledger_journal_has_a_name",
                violation_error_message=_("A journal needs a name in Arabic or in English."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return _localized_name(self.name_ar, self.name_en, language)

    def sequence_key(self) -> str:
        return f"journal:{self.pk}"


class PostedEntryError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "ledger.entry_posted",
            gettext("A posted journal entry cannot be changed or deleted; reverse it instead."),
        )


class JournalEntryQuerySet(OrganizationQuerySet):
    def posted(self) -> JournalEntryQuerySet:
        return self.filter(state=JournalEntry.State.POSTED)

    def delete(self) -> Any:
        """Bulk deletes go through the same guard as one record (posted entries are immutable)."""
        if self.filter(state=JournalEntry.State.POSTED).exists():
            raise PostedEntryError()
        return super().delete()


class JournalEntry(OrganizationOwnedModel):
    """A balanced set of lines; immutable once posted, corrected only by a reversal entry."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        OPENING = "opening", _("Opening balances")
        CLOSING = "closing", _("Year-end closing")

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("journal"))
    fiscal_year = models.ForeignKey(
        "ledger.FiscalYear", on_delete=models.PROTECT, related_name="entries", verbose_name=_("fiscal year")
    )
    #: Gapless per (journal, fiscal year); assigned at posting, null while draft.
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default=State.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("posted by"),
    )
    #: The entry this one reverses; an entry is reversed at most once.
    reversal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    #: The document this entry was posted from (invoice, payment, bill...), if any.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "journal", "fiscal_year", "number"],
                name="ledger_entry_unique_number",
                violation_error_message=_("This entry number is already taken in the journal and fiscal year."),
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(number__isnull=False, posted_at__isnull=False),
                name="ledger_entry_posted_has_number",
                violation_error_message=_("A posted entry needs a number and a posting time."),
            ),
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="ledger_entry_source_complete",
                violation_error_message=_("A source document needs both its type and its id."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "date"], name="ledger_entry_date_idx"),
            models.Index(fields=["organization", "journal", "date"], name="ledger_entry_journal_idx"),
            models.Index(fields=["organization", "source_type", "source_id"], name="ledger_entry_source_idx"),
        ]

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> JournalEntry:
        instance = super().from_db(db, field_names, values)
        instance._loaded_state = instance.__dict__.get("state")
        return instance

    def __str__(self) -> str:
        return self.display_number()

    def display_number(self) -> str:
        if self.number is None:
            return gettext("Draft #{id}").format(id=self.pk)
        return f"{self.journal.code}/{self.fiscal_year.name}/{self.number:05d}"

    @property
    def is_posted(self) -> bool:
        return self.state == self.State.POSTED

    def can_post(self) -> bool:
        return self.state == self.State.DRAFT

    def can_reverse(self) -> bool:
        return self.is_posted and self.reversal_of_id is None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Guard, not a side effect: a row loaded as posted is never written again.
        if getattr(self, "_loaded_state", None) == self.State.POSTED:
            raise PostedEntryError()
        super().save(*args, **kwargs)
        self._loaded_state = self.state

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.state == self.State.POSTED or getattr(self, "_loaded_state", None) == self.State.POSTED:
            raise PostedEntryError()
        return super().delete(*args, **kwargs)


class JournalLineQuerySet(OrganizationQuerySet):
    def posted(self) -> JournalLineQuerySet:
        return self.filter(entry__state=JournalEntry.State.POSTED)

    def delete(self) -> Any:
        if self.filter(entry__state=JournalEntry.State.POSTED).exists():
            raise PostedEntryError()
        return super().delete()


class JournalLine(OrganizationOwnedModel):
    """One debit or one credit, in the base currency, with the foreign amount it came from."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines", verbose_name=_("entry"))
    position = models.PositiveSmallIntegerField(_("line"), default=0)
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="lines", verbose_name=_("account")
    )
    debit = models.DecimalField(_("debit"), default=ZERO, **AMOUNT)
    credit = models.DecimalField(_("credit"), default=ZERO, **AMOUNT)
    partner = models.ForeignKey(
        "crm.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_lines",
        verbose_name=_("partner"),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    #: For receivable and payable lines: when the amount falls due (aging counts from it, else from the entry date).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    #: The transaction currency; equals the base currency (rate 1) for most lines.
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    #: Signed amount in `currency`: positive for a debit, negative for a credit.
    amount_currency = models.DecimalField(_("amount in currency"), default=ZERO, **AMOUNT)
    #: 1 unit of `currency` = `exchange_rate` base units; debit/credit = |amount_currency| x rate, rounded.
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=20, decimal_places=8, default=Decimal("1"))
    cost_center = models.ForeignKey(
        "ledger.AnalyticAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cost_center_lines",
        verbose_name=_("department / cost center"),
    )
    project = models.ForeignKey(
        "ledger.AnalyticAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_lines",
        verbose_name=_("project"),
    )

    objects = JournalLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0),
                name="ledger_line_debit_not_negative",
                violation_error_message=_("A debit cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(credit__gte=0),
                name="ledger_line_credit_not_negative",
                violation_error_message=_("A credit cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(debit=0) | models.Q(credit=0),
                name="ledger_line_not_both_sides",
                violation_error_message=_("A line has either a debit or a credit, not both."),
            ),
            models.CheckConstraint(
                condition=models.Q(debit__gt=0) | models.Q(credit__gt=0),
                name="ledger_line_one_side",
                violation_error_message=_("A line needs a debit or a credit."),
            ),
            models.CheckConstraint(
                condition=models.Q(exchange_rate__gt=0),
                name="ledger_line_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "account"], name="ledger_line_account_idx"),
            models.Index(fields=["organization", "partner"], name="ledger_line_partner_idx"),
            models.Index(fields=["organization", "cost_center"], name="ledger_line_cost_center_idx"),
            models.Index(fields=["organization", "project"], name="ledger_line_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.debit} / {self.credit}"

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit

    def _entry_is_posted(self) -> bool:
        return self.entry_id is not None and self.entry.state == JournalEntry.State.POSTED

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._entry_is_posted():
            raise PostedEntryError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._entry_is_posted():
            raise PostedEntryError()
        return super().delete(*args, **kwargs)


class AccountMonthBalance(models.Model):
    """Posted debits and credits per account, month, line currency and closing flag: a summary
    of the posted lines, added to by the posting service in the posting's transaction.

    Posted lines never change, so these sums stay exact; the trial balance, profit and loss and
    balance sheet read them instead of every line (whole months here, the days of a partial
    month from the lines), which keeps their cost bound to accounts x months, not to lines
    (ADR 0006, docs/benchmarks.md). `ledger.services.month_balances` writes and rebuilds them.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="month_balances")
    month = models.DateField(help_text="The first day of the month.")
    currency = models.CharField(max_length=3)
    is_closing = models.BooleanField(default=False, help_text="Lines of year-end closing entries.")
    debit = models.DecimalField(default=ZERO, **AMOUNT)
    credit = models.DecimalField(default=ZERO, **AMOUNT)
    amount_currency = models.DecimalField(default=ZERO, **AMOUNT)

    class Meta:
        verbose_name = _("account month balance")
        verbose_name_plural = _("account month balances")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "account", "month", "currency", "is_closing"],
                name="ledger_month_balance_unique",
            )
        ]
        indexes = [models.Index(fields=["organization", "month"], name="ledger_month_balance_org_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.currency}: {self.debit} / {self.credit}"


class OpenItem(models.Model):
    """What is still open of a partner's items on a reconciled account (receivable, payable),
    per age date (the line's due date, else its entry date): the partner's settling side applied
    to the oldest opening amounts first (FIFO), the rule the aging report ages by.

    Derived from the posted lines and kept by the posting service in the posting's transaction,
    so that the aging at today reads what is open instead of every line ever posted (ADR 0007).
    `age_date` is null for a partner's settlements beyond everything it owes: that credit
    balance (a negative amount) ages as current. `ledger.services.open_items` writes and
    rebuilds them.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="open_items")
    partner = models.ForeignKey("crm.Company", null=True, on_delete=models.CASCADE, related_name="+")
    age_date = models.DateField(null=True)
    #: In the base currency, on the account's opening side (debits of a receivable, credits of a payable).
    amount = models.DecimalField(**AMOUNT)

    #: Derived rows follow the lines: a merge of companies recomputes them instead of moving them.
    moved_by_merge = False

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        indexes = [models.Index(fields=["organization", "account", "partner"], name="ledger_open_item_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.partner_id} {self.age_date}: {self.amount}"
