"""A fixed bookkeeping scenario for the report tests, posted through the posting service.

Saudi organization (SAR), 2024:
  E0  01-01 opening: bank 10,000 / opening balance equity
  E1  01-10 sale to A 1,000 + VAT 150 (cost center CC1, project P1)
  E2  01-15 sale to B 2,000 + VAT 300 (CC2, P2), due 02-14
  E3  01-20 receipt from A 500
  E4  01-25 expense from vendor V 400 + VAT 60 (CC1)
  E5  02-05 sale to A 500 + VAT 75 (CC1, P1)
  E6  02-10 receipt from B USD 400 at 3.75 = 1,500 (a foreign-currency entry)
  E7  02-12 salaries 3,000 (CC2, P2)
  E8  02-15 expense 100 (CC2), reversed by E9 on 02-16
  E10 02-20 payment to V 200
  E11 03-01 receipt from C 100 (no invoice: an unapplied credit)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mizan.core.roles import Role
from mizan.crm.models import Company
from mizan.ledger.models import (
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalKind,
    JournalLine,
)
from mizan.ledger.services.entries import (
    LineInput,
    journal_entry_create,
    journal_entry_post,
    journal_entry_reverse,
)
from mizan.ledger.services.periods import fiscal_year_create

D = Decimal


def day(month: int, number: int, year: int = 2024) -> datetime.date:
    return datetime.date(year, month, number)


def account_for_role(org: Any, role: str, code: str, name: str) -> Account:
    """The organization's account with this role (from its chart), else a new one."""
    account = Account.objects.filter(organization=org, role=role, is_active=True, children__isnull=True).first()
    if account is None:
        account = Account.objects.create(
            organization=org, code=code, name_en=name, name_ar=name, type=AccountType(_role_type(role)), role=role
        )
    return account


def _role_type(role: str) -> str:
    from mizan.ledger.models import ROLE_TYPES

    return ROLE_TYPES[role]


def plain_account(org: Any, code: str, name: str, account_type: str) -> Account:
    account, _created = Account.objects.get_or_create(
        organization=org, code=code, defaults={"name_en": name, "name_ar": name, "type": account_type}
    )
    return account


def ensure_fiscal_year(org: Any, membership: Any, year: int) -> None:
    start = datetime.date(year, 1, 1)
    if not FiscalYear.objects.filter(organization=org, start_date__lte=start, end_date__gte=start).exists():
        fiscal_year_create(org=org, actor_membership=membership, start_date=start)


def general_journal_for(org: Any) -> Journal:
    journal = Journal.objects.filter(organization=org, kind=JournalKind.GENERAL, is_active=True).first()
    if journal is None:
        journal = Journal.objects.create(organization=org, code="RGEN", name_en="General", kind=JournalKind.GENERAL)
    return journal


@dataclass
class Books:
    org: Any
    membership: Any
    journal: Journal
    bank: Account
    receivable: Account
    payable: Account
    vat_payable: Account
    vat_receivable: Account
    revenue: Account
    expense: Account
    salaries: Account
    equity: Account
    rounding: Account

    def post(
        self,
        date: datetime.date,
        lines: list[LineInput],
        *,
        memo: str = "",
        currency: str | None = None,
        kind: str = JournalEntry.Kind.REGULAR,
        due_date: datetime.date | None = None,
    ) -> JournalEntry:
        """Post through the service; a due date is set on the draft's lines before posting."""
        entry = journal_entry_create(
            org=self.org,
            actor_membership=self.membership,
            journal=self.journal,
            date=date,
            lines=lines,
            memo=memo,
            currency=currency,
            kind=kind,
            post=due_date is None,
        )
        if due_date is not None:
            JournalLine.objects.filter(entry=entry, partner__isnull=False).update(due_date=due_date)
            entry = journal_entry_post(org=self.org, actor_membership=self.membership, entry=entry)
        return entry

    def reverse(self, entry: JournalEntry, date: datetime.date) -> JournalEntry:
        return journal_entry_reverse(org=self.org, actor_membership=self.membership, entry=entry, date=date)


def books_for(tenant: Any, years: tuple[int, ...] = (2024,)) -> Books:
    org = tenant.org
    membership = tenant.members[Role.ACCOUNTANT]
    for year in years:
        ensure_fiscal_year(org, membership, year)
    return Books(
        org=org,
        membership=membership,
        journal=general_journal_for(org),
        bank=account_for_role(org, AccountRole.BANK, "R1120", "Bank"),
        receivable=account_for_role(org, AccountRole.RECEIVABLE, "R1130", "Receivable"),
        payable=account_for_role(org, AccountRole.PAYABLE, "R2110", "Payable"),
        vat_payable=account_for_role(org, AccountRole.VAT_PAYABLE, "R2120", "VAT payable"),
        vat_receivable=account_for_role(org, AccountRole.VAT_RECEIVABLE, "R1140", "VAT receivable"),
        revenue=account_for_role(org, AccountRole.REVENUE, "R4100", "Revenue"),
        expense=account_for_role(org, AccountRole.GENERAL_EXPENSE, "R5300", "General expenses"),
        salaries=account_for_role(org, AccountRole.SALARIES_EXPENSE, "R5200", "Salaries"),
        equity=account_for_role(org, AccountRole.OPENING_BALANCE, "R3900", "Opening balance equity"),
        rounding=account_for_role(org, AccountRole.ROUNDING, "R5900", "Rounding"),
    )


@dataclass
class Scenario:
    books: Books
    client_a: Company
    client_b: Company
    client_c: Company
    vendor: Company
    cc1: AnalyticAccount
    cc2: AnalyticAccount
    p1: AnalyticAccount
    p2: AnalyticAccount
    entries: dict[str, JournalEntry]


def analytic(org: Any, kind: str, code: str, name: str) -> AnalyticAccount:
    return AnalyticAccount.objects.create(organization=org, kind=kind, code=code, name_en=name, name_ar=name)


def company(org: Any, name: str) -> Company:
    return Company.objects.create(organization=org, name_latin=name, name_ar=name)


def build_scenario(tenant: Any) -> Scenario:
    books = books_for(tenant)
    org = books.org
    a, b, c, v = (company(org, name) for name in ("Client A", "Client B", "Client C", "Vendor V"))
    cc1 = analytic(org, AnalyticKind.DEPARTMENT, "CC1", "Sales department")
    cc2 = analytic(org, AnalyticKind.COST_CENTER, "CC2", "Delivery")
    p1 = analytic(org, AnalyticKind.PROJECT, "P1", "Project one")
    p2 = analytic(org, AnalyticKind.PROJECT, "P2", "Project two")
    L = LineInput
    e: dict[str, JournalEntry] = {}
    e["E0"] = books.post(
        day(1, 1),
        [L(books.bank, debit="10000"), L(books.equity, credit="10000")],
        memo="Opening",
        kind=JournalEntry.Kind.OPENING,
    )
    e["E1"] = books.post(
        day(1, 10),
        [
            L(books.receivable, debit="1150", partner=a),
            L(books.revenue, credit="1000", cost_center=cc1, project=p1),
            L(books.vat_payable, credit="150"),
        ],
        memo="Invoice A-1",
    )
    e["E2"] = books.post(
        day(1, 15),
        [
            L(books.receivable, debit="2300", partner=b),
            L(books.revenue, credit="2000", cost_center=cc2, project=p2),
            L(books.vat_payable, credit="300"),
        ],
        memo="Invoice B-1",
        due_date=day(2, 14),
    )
    e["E3"] = books.post(
        day(1, 20), [L(books.bank, debit="500"), L(books.receivable, credit="500", partner=a)], memo="Receipt A"
    )
    e["E4"] = books.post(
        day(1, 25),
        [
            L(books.expense, debit="400", cost_center=cc1),
            L(books.vat_receivable, debit="60"),
            L(books.payable, credit="460", partner=v),
        ],
        memo="Bill V-1",
    )
    e["E5"] = books.post(
        day(2, 5),
        [
            L(books.receivable, debit="575", partner=a),
            L(books.revenue, credit="500", cost_center=cc1, project=p1),
            L(books.vat_payable, credit="75"),
        ],
        memo="Invoice A-2",
    )
    e["E6"] = books.post(
        day(2, 10),
        [
            L(books.bank, debit="400", exchange_rate="3.75"),
            L(books.receivable, credit="400", partner=b, exchange_rate="3.75"),
        ],
        memo="Receipt B in USD",
        currency="USD",
    )
    e["E7"] = books.post(
        day(2, 12),
        [L(books.salaries, debit="3000", cost_center=cc2, project=p2), L(books.bank, credit="3000")],
        memo="Salaries",
    )
    e["E8"] = books.post(
        day(2, 15), [L(books.expense, debit="100", cost_center=cc2), L(books.bank, credit="100")], memo="Wrong"
    )
    e["E9"] = books.reverse(e["E8"], day(2, 16))
    e["E10"] = books.post(
        day(2, 20), [L(books.payable, debit="200", partner=v), L(books.bank, credit="200")], memo="Pay V"
    )
    e["E11"] = books.post(
        day(3, 1), [L(books.bank, debit="100"), L(books.receivable, credit="100", partner=c)], memo="Receipt C"
    )
    return Scenario(
        books=books, client_a=a, client_b=b, client_c=c, vendor=v, cc1=cc1, cc2=cc2, p1=p1, p2=p2, entries=e
    )
