"""Chart of accounts and analytic accounts (departments, cost centers, projects)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mizan.core.models import OrganizationOwnedModel


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


#: Types whose balance is normally a debit (debit - credit is positive).
DEBIT_NATURE_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class AccountRole(models.TextChoices):
    """What postings and reports look an account up by, so that any chart works."""

    RECEIVABLE = "receivable", _("Accounts receivable")
    PAYABLE = "payable", _("Accounts payable")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    VAT_PAYABLE = "vat_payable", _("VAT payable (output VAT)")
    VAT_RECEIVABLE = "vat_receivable", _("VAT receivable (input VAT)")
    CUSTOMER_ADVANCE = "customer_advance", _("Customer advances")
    REVENUE = "revenue", _("Revenue from services")
    COST_OF_SERVICES = "cost_of_services", _("Cost of services")
    GENERAL_EXPENSE = "general_expense", _("General expenses")
    SALARIES_EXPENSE = "salaries_expense", _("Salaries expense")
    SALARIES_PAYABLE = "salaries_payable", _("Salaries payable")
    EMPLOYEE_PAYABLE = "employee_payable", _("Amounts due to employees (expense claims)")
    RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")
    FX_GAIN = "fx_gain", _("Foreign exchange gain")
    FX_LOSS = "fx_loss", _("Foreign exchange loss")
    ROUNDING = "rounding", _("Rounding differences")
    OPENING_BALANCE = "opening_balance", _("Opening balance equity")


#: Roles several accounts may carry (an organization has many bank accounts); every other role is single.
MULTIPLE_ROLES = frozenset({AccountRole.BANK, AccountRole.CASH})
SINGLE_ROLES = tuple(role.value for role in AccountRole if role not in MULTIPLE_ROLES)

#: The account type each role requires.
ROLE_TYPES: dict[str, str] = {
    AccountRole.RECEIVABLE: AccountType.ASSET,
    AccountRole.PAYABLE: AccountType.LIABILITY,
    AccountRole.BANK: AccountType.ASSET,
    AccountRole.CASH: AccountType.ASSET,
    AccountRole.VAT_PAYABLE: AccountType.LIABILITY,
    AccountRole.VAT_RECEIVABLE: AccountType.ASSET,
    AccountRole.CUSTOMER_ADVANCE: AccountType.LIABILITY,
    AccountRole.REVENUE: AccountType.INCOME,
    AccountRole.COST_OF_SERVICES: AccountType.EXPENSE,
    AccountRole.GENERAL_EXPENSE: AccountType.EXPENSE,
    AccountRole.SALARIES_EXPENSE: AccountType.EXPENSE,
    AccountRole.SALARIES_PAYABLE: AccountType.LIABILITY,
    AccountRole.EMPLOYEE_PAYABLE: AccountType.LIABILITY,
    AccountRole.RETAINED_EARNINGS: AccountType.EQUITY,
    AccountRole.FX_GAIN: AccountType.INCOME,
    AccountRole.FX_LOSS: AccountType.EXPENSE,
    AccountRole.ROUNDING: AccountType.EXPENSE,
    AccountRole.OPENING_BALANCE: AccountType.EQUITY,
}


def _localized_name(name_ar: str, name_en: str, language: str | None) -> str:
    language = language or get_language() or "ar"
    if language.startswith("ar"):
        return name_ar or name_en
    return name_en or name_ar


class Account(OrganizationOwnedModel):
    """One account of the chart. Accounts with journal lines are deactivated, never deleted."""

    code = models.CharField(_("code"), max_length=20)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    #: Null (not "") when the account has no role, so "no role" is never mistaken for a role value.
    role = models.CharField(_("role"), max_length=20, choices=AccountRole.choices, null=True, blank=True)  # noqa: DJ001
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent account"),
    )
    #: Open items are matched on this account (receivable, payable): aging reports read it.
    reconcile = models.BooleanField(_("match open items per partner"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="ledger_account_unique_code",
                violation_error_message=_("An account with this code already exists."),
            ),
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=models.Q(role__in=SINGLE_ROLES),
                name="ledger_account_unique_single_role",
                violation_error_message=_("Another account already has this role."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_en=""),
                name="ledger_account_has_a_name",
                violation_error_message=_("An account needs a name in Arabic or in English."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "type"], name="ledger_account_type_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return _localized_name(self.name_ar, self.name_en, language)

    @property
    def is_debit_nature(self) -> bool:
        return self.type in DEBIT_NATURE_TYPES


class AnalyticKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    COST_CENTER = "cost_center", _("Cost center")
    PROJECT = "project", _("Project")


class AnalyticAccount(OrganizationOwnedModel):
    """A dimension journal lines can be tagged with; people and projects link their records here."""

    kind = models.CharField(_("kind"), max_length=12, choices=AnalyticKind.choices)
    code = models.CharField(_("code"), max_length=30)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("analytic account")
        verbose_name_plural = _("analytic accounts")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "code"],
                name="ledger_analytic_unique_code",
                violation_error_message=_("An analytic account of this kind with this code already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_en=""),
                name="ledger_analytic_has_a_name",
                violation_error_message=_("An analytic account needs a name in Arabic or in English."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name()}"

    def display_name(self, language: str | None = None) -> str:
        return _localized_name(self.name_ar, self.name_en, language)
