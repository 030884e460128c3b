"""Chart-of-accounts templates installed at organization creation (data only, no database).

One generic IFRS-style chart; Egypt, Saudi Arabia and the UAE add their statutory accounts
(withholding tax and social insurance, zakat and GOSI, corporate tax and gratuity). Every
template fills the roles that postings and reports look accounts up by.
"""

from __future__ import annotations

from dataclasses import dataclass

from mizan.ledger.models import AccountRole, AccountType, JournalKind

A, L, E, I, X = (  # noqa: E741 - one-letter aliases keep the tables readable
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.INCOME,
    AccountType.EXPENSE,
)
R = AccountRole


@dataclass(frozen=True)
class AccountTemplate:
    code: str
    name_ar: str
    name_en: str
    type: str
    role: str | None = None
    parent: str | None = None
    reconcile: bool = False


def _t(code: str, ar: str, en: str, type_: str, role: str | None = None, parent: str | None = None) -> AccountTemplate:
    return AccountTemplate(
        code, ar, en, type_, role, parent, reconcile=role in {R.RECEIVABLE, R.PAYABLE, R.EMPLOYEE_PAYABLE}
    )


GENERIC: tuple[AccountTemplate, ...] = (
    _t("1", "الأصول", "Assets", A),
    _t("11", "الأصول المتداولة", "Current assets", A, parent="1"),
    _t("1110", "الصندوق (النقدية)", "Cash on hand", A, R.CASH, "11"),
    _t("1120", "البنك - الحساب الجاري", "Bank - current account", A, R.BANK, "11"),
    _t("1130", "العملاء (الذمم المدينة)", "Accounts receivable", A, R.RECEIVABLE, "11"),
    _t("1140", "ضريبة القيمة المضافة على المشتريات", "VAT receivable (input VAT)", A, R.VAT_RECEIVABLE, "11"),
    _t("1150", "مصروفات مدفوعة مقدمًا", "Prepaid expenses", A, parent="11"),
    _t("1160", "سلف الموظفين", "Employee advances", A, parent="11"),
    _t("1170", "إيرادات مستحقة غير مفوترة", "Accrued revenue (unbilled)", A, parent="11"),
    _t("12", "الأصول غير المتداولة", "Non-current assets", A, parent="1"),
    _t("1210", "الممتلكات والمعدات", "Property and equipment", A, parent="12"),
    _t("1220", "مجمع الإهلاك", "Accumulated depreciation", A, parent="12"),
    _t("1230", "الأصول غير الملموسة", "Intangible assets", A, parent="12"),
    _t("2", "الالتزامات", "Liabilities", L),
    _t("21", "الالتزامات المتداولة", "Current liabilities", L, parent="2"),
    _t("2110", "الموردون (الذمم الدائنة)", "Accounts payable", L, R.PAYABLE, "21"),
    _t("2120", "ضريبة القيمة المضافة المستحقة", "VAT payable (output VAT)", L, R.VAT_PAYABLE, "21"),
    _t("2130", "مصروفات مستحقة", "Accrued expenses", L, parent="21"),
    _t("2140", "رواتب مستحقة", "Salaries payable", L, R.SALARIES_PAYABLE, "21"),
    _t(
        "2150",
        "مستحقات الموظفين (المصروفات المستردة)",
        "Due to employees (expense claims)",
        L,
        R.EMPLOYEE_PAYABLE,
        "21",
    ),
    _t("2160", "دفعات مقدمة من العملاء", "Customer advances", L, R.CUSTOMER_ADVANCE, "21"),
    _t("22", "الالتزامات غير المتداولة", "Non-current liabilities", L, parent="2"),
    _t("2210", "قروض طويلة الأجل", "Long-term loans", L, parent="22"),
    _t("2220", "مخصص مكافأة نهاية الخدمة", "Employee end-of-service benefits", L, parent="22"),
    _t("3", "حقوق الملكية", "Equity", E),
    _t("3100", "رأس المال", "Share capital", E, parent="3"),
    _t("3200", "الأرباح المبقاة", "Retained earnings", E, R.RETAINED_EARNINGS, "3"),
    _t("3300", "أرصدة افتتاحية", "Opening balance equity", E, R.OPENING_BALANCE, "3"),
    _t("3400", "جاري الشركاء", "Owners' current account", E, parent="3"),
    _t("4", "الإيرادات", "Income", I),
    _t("4100", "إيرادات الخدمات", "Revenue from services", I, R.REVENUE, "4"),
    _t("4200", "إيرادات أخرى", "Other income", I, parent="4"),
    _t("4300", "أرباح فروق العملة", "Foreign exchange gain", I, R.FX_GAIN, "4"),
    _t("5", "المصروفات", "Expenses", X),
    _t("5100", "تكلفة الخدمات المقدمة", "Cost of services", X, R.COST_OF_SERVICES, "5"),
    _t("5200", "الرواتب والأجور", "Salaries and wages", X, R.SALARIES_EXPENSE, "5"),
    _t("5300", "الإيجار", "Rent", X, parent="5"),
    _t("5400", "المرافق والاتصالات", "Utilities and telecommunications", X, parent="5"),
    _t("5500", "مصروفات عمومية وإدارية", "General and administrative expenses", X, R.GENERAL_EXPENSE, "5"),
    _t("5600", "الإهلاك", "Depreciation", X, parent="5"),
    _t("5700", "مصروفات بنكية", "Bank charges", X, parent="5"),
    _t("5800", "خسائر فروق العملة", "Foreign exchange loss", X, R.FX_LOSS, "5"),
    _t("5900", "فروق التقريب", "Rounding differences", X, R.ROUNDING, "5"),
)

EGYPT_EXTRA: tuple[AccountTemplate, ...] = (
    _t("1180", "ضرائب خصم وتحصيل لدى الغير", "Withholding tax receivable", A, parent="11"),
    _t("2170", "ضرائب الخصم والتحصيل المستحقة", "Withholding tax payable", L, parent="21"),
    _t("2180", "التأمينات الاجتماعية المستحقة", "Social insurance payable", L, parent="21"),
    _t("2190", "ضريبة الدخل المستحقة", "Income tax payable", L, parent="21"),
    _t("3150", "الاحتياطي القانوني", "Legal reserve", E, parent="3"),
    _t("5250", "حصة الشركة في التأمينات الاجتماعية", "Social insurance (employer share)", X, parent="5"),
    _t("5650", "ضريبة الدخل", "Income tax expense", X, parent="5"),
)

SAUDI_EXTRA: tuple[AccountTemplate, ...] = (
    _t("2170", "الزكاة المستحقة", "Zakat payable", L, parent="21"),
    _t("2180", "المؤسسة العامة للتأمينات الاجتماعية المستحقة", "GOSI payable", L, parent="21"),
    _t("5250", "اشتراكات التأمينات الاجتماعية (GOSI)", "GOSI contributions", X, parent="5"),
    _t("5650", "مصروف الزكاة", "Zakat expense", X, parent="5"),
)

EMIRATES_EXTRA: tuple[AccountTemplate, ...] = (
    _t("2170", "ضريبة الشركات المستحقة", "Corporate tax payable", L, parent="21"),
    _t("2180", "رسوم التأشيرات وتصاريح العمل المستحقة", "Visa and work permit fees payable", L, parent="21"),
    _t("5250", "رسوم التأشيرات وتصاريح العمل", "Visa and work permit fees", X, parent="5"),
    _t("5650", "مصروف ضريبة الشركات", "Corporate tax expense", X, parent="5"),
)

#: Country-specific names replacing the generic ones (code -> (Arabic, English)).
NAME_OVERRIDES: dict[str, dict[str, tuple[str, str]]] = {
    "SA": {"2220": ("مخصص مكافأة نهاية الخدمة", "End-of-service benefits (KSA labour law)")},
    "AE": {"2220": ("مخصص مكافأة نهاية الخدمة", "End-of-service gratuity")},
    "EG": {"2220": ("مخصص مكافأة ترك الخدمة", "End-of-service provision")},
}

CHART_NAMES = {
    "EG": ("دليل الحسابات المصري", "Egyptian chart of accounts"),
    "SA": ("دليل الحسابات السعودي", "Saudi chart of accounts"),
    "AE": ("دليل الحسابات الإماراتي", "UAE chart of accounts"),
    "IFRS": ("دليل حسابات عام (المعايير الدولية)", "Generic IFRS chart of accounts"),
}

_EXTRA = {"EG": EGYPT_EXTRA, "SA": SAUDI_EXTRA, "AE": EMIRATES_EXTRA}


def chart_template_for(country: str) -> tuple[AccountTemplate, ...]:
    """The accounts of the country's chart (the generic IFRS chart for other countries), by code."""
    overrides = NAME_OVERRIDES.get(country, {})
    accounts = [
        AccountTemplate(a.code, *overrides[a.code], a.type, a.role, a.parent, a.reconcile) if a.code in overrides else a
        for a in GENERIC
    ]
    accounts.extend(_EXTRA.get(country, ()))
    return tuple(sorted(accounts, key=lambda account: account.code))


@dataclass(frozen=True)
class JournalTemplate:
    code: str
    name_ar: str
    name_en: str
    kind: str
    default_account_role: str | None = None


JOURNALS: tuple[JournalTemplate, ...] = (
    JournalTemplate("SAL", "يومية المبيعات", "Sales journal", JournalKind.SALES),
    JournalTemplate("PUR", "يومية المشتريات", "Purchases journal", JournalKind.PURCHASES),
    JournalTemplate("BNK", "يومية البنك", "Bank journal", JournalKind.BANK, AccountRole.BANK),
    JournalTemplate("CSH", "يومية الصندوق", "Cash journal", JournalKind.CASH, AccountRole.CASH),
    JournalTemplate("GEN", "اليومية العامة", "General journal", JournalKind.GENERAL),
)

#: The journal opening balances, year-end closing and manual entries default to.
GENERAL_JOURNAL_CODE = "GEN"
