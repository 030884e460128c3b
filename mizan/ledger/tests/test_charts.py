"""Chart templates installed at organization creation, per country."""

from __future__ import annotations

import pytest

from mizan.core.tests.factories import make_organization
from mizan.ledger.charts import GENERIC, chart_template_for
from mizan.ledger.models import ROLE_TYPES, SINGLE_ROLES, Account, AccountRole, FiscalYear, Journal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "extra_en"),
    [
        ("SA", {"Zakat payable", "GOSI payable"}),
        ("EG", {"Withholding tax payable", "Social insurance payable", "Legal reserve"}),
        ("AE", {"Corporate tax payable"}),
        ("OTHER", set()),
    ],
)
def test_country_chart_installed_with_roles_and_names(country, extra_en):
    extra = {"base_currency": "USD", "timezone_name": "UTC"} if country == "OTHER" else {}
    org = make_organization(country=country, **extra)
    accounts = Account.objects.filter(organization=org)
    assert (
        accounts.count()
        == len(chart_template_for(country))
        == len(GENERIC) + len([a for a in chart_template_for(country) if a.code not in {g.code for g in GENERIC}])
    )
    assert extra_en <= set(accounts.values_list("name_en", flat=True))
    assert not accounts.filter(name_ar="").exists() and not accounts.filter(name_en="").exists()
    roles = dict(accounts.exclude(role=None).values_list("role", "type"))
    assert set(roles) == set(AccountRole.values)  # every role filled, so any posting finds its account
    assert all(ROLE_TYPES[role] == account_type for role, account_type in roles.items())
    for role in SINGLE_ROLES:
        assert accounts.filter(role=role).count() == 1
    assert accounts.get(code="1130").reconcile and accounts.get(code="1130").parent.code == "11"
    journals = {j.code: j for j in Journal.objects.filter(organization=org).select_related("default_account")}
    assert set(journals) == {"SAL", "PUR", "BNK", "CSH", "GEN"}
    assert journals["BNK"].default_account.role == AccountRole.BANK
    assert journals["CSH"].default_account.role == AccountRole.CASH
    assert FiscalYear.objects.filter(organization=org).count() == 1


def test_organizations_do_not_share_accounts(tenant, other_tenant):
    ours = set(Account.objects.filter(organization=tenant.org).values_list("pk", flat=True))
    theirs = set(Account.objects.filter(organization=other_tenant.org).values_list("pk", flat=True))
    assert ours and theirs and not ours & theirs
