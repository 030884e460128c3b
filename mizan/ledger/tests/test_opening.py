"""Opening-balance import: one balanced opening entry, the difference on its own line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mizan.core.errors import DomainError
from mizan.crm.models import Company
from mizan.ledger.models import FiscalYear, JournalEntry
from mizan.ledger.selectors.balances import account_balances
from mizan.ledger.services.opening import opening_balances_import, opening_balances_parse
from mizan.ledger.tests.conftest import account

pytestmark = pytest.mark.django_db


def test_opening_entry_with_difference_line(tenant, accountant):
    org = tenant.org
    Company.objects.create(organization=org, name_latin="Al Noor Trading")
    text = 'account,debit,credit,partner\n1120,"10,000.00",,\n1130,2500,,Al Noor Trading\n2110,,1500,\n'
    plan = opening_balances_parse(org=org, text=text)
    assert (plan.total_debit, plan.total_credit, plan.difference) == (
        Decimal("12500.00"),
        Decimal("1500"),
        Decimal("11000.00"),
    )
    assert plan.difference_account.code == "3300"
    day = FiscalYear.objects.get(organization=org).start_date
    entry = opening_balances_import(org=org, actor_membership=accountant, text=text, date=day)
    assert entry.kind == JournalEntry.Kind.OPENING and entry.is_posted and entry.journal.code == "GEN"
    balances = account_balances(org=org)
    assert balances[account(org, "3300").pk] == Decimal("-11000.000")
    assert entry.lines.get(account__code="1130").partner.name_latin == "Al Noor Trading"
    assert sum(balances.values()) == 0
    with pytest.raises(DomainError) as error:
        opening_balances_import(org=org, actor_membership=accountant, text=text, date=day)
    assert error.value.code == "ledger.opening_exists"
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize(
    "text",
    ["9999,10,\n", "1120,-5,\n", "1120,5,5\n", "1120,abc,\n", "1130,5,,Nobody\n", "", "1120,1.005,\n"],
)
def test_bad_files_are_refused_and_nothing_posted(tenant, accountant, text):
    with pytest.raises(DomainError):
        opening_balances_import(org=tenant.org, actor_membership=accountant, text=text, date=tenant.org.today())
    assert JournalEntry.objects.count() == 0
