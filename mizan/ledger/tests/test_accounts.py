"""Chart of accounts, journals and analytic accounts: services."""

from __future__ import annotations

import pytest
from django.utils import translation

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry
from mizan.core.roles import Role
from mizan.ledger.models import Account, AccountRole, AnalyticAccount, Journal
from mizan.ledger.services.accounts import (
    account_create,
    account_delete,
    account_set_active,
    account_update,
    analytic_account_create,
    journal_create,
    journal_update,
)
from mizan.ledger.tests.conftest import account, post

pytestmark = pytest.mark.django_db


def _create(tenant, member, **data):
    base = {"code": "5310", "name_en": "Software subscriptions", "name_ar": "اشتراكات البرمجيات", "type": "expense"}
    return account_create(org=tenant.org, actor_membership=member, data={**base, **data})


def test_create_account_under_a_parent_and_audit(tenant, accountant):
    created = _create(tenant, accountant, parent=account(tenant.org, "5"))
    assert created.parent.code == "5" and created.is_active
    assert AuditEntry.objects.filter(content_type__model="account", object_id=str(created.pk), action="create").exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"code": "1130"}, "ledger.code_taken"),
        ({"role": AccountRole.RECEIVABLE}, "ledger.role_type"),
        ({"type": "asset", "role": AccountRole.RECEIVABLE}, "ledger.role_taken"),
        ({"name_en": "", "name_ar": ""}, "ledger.name_required"),
        ({"type": "income", "parent": "5"}, "ledger.parent_type"),
    ],
)
def test_invalid_accounts_are_refused(tenant, accountant, data, code):
    if data.get("parent"):
        data["parent"] = account(tenant.org, data["parent"])
    before = Account.objects.count()
    with pytest.raises(DomainError) as error:
        _create(tenant, accountant, **data)
    assert error.value.code == code
    assert Account.objects.count() == before


def test_other_organizations_parent_is_not_found(tenant, other_tenant, accountant):
    with pytest.raises(DomainError) as error:
        _create(tenant, accountant, parent=account(other_tenant.org, "5"))
    assert error.value.code == "not_found"


def test_account_with_lines_cannot_be_deleted_or_change_type(tenant, accountant):
    post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    rent = account(tenant.org, "5300")
    with translation.override("en"), pytest.raises(DomainError) as error:
        account_delete(org=tenant.org, actor_membership=accountant, account=rent)
    assert error.value.code == "ledger.account_has_lines"
    assert "deactivate" in error.value.message
    with pytest.raises(DomainError) as error:
        account_update(org=tenant.org, actor_membership=accountant, account=rent, data={"type": "asset"})
    assert error.value.code == "ledger.type_locked"
    updated = account_update(org=tenant.org, actor_membership=accountant, account=rent, data={"name_en": "Office rent"})
    assert updated.name_en == "Office rent"
    deactivated = account_set_active(org=tenant.org, actor_membership=accountant, account=rent, is_active=False)
    assert not deactivated.is_active
    assert Account.objects.filter(pk=rent.pk).exists()


def test_unused_account_can_be_deleted(tenant, accountant):
    created = _create(tenant, accountant)
    account_delete(org=tenant.org, actor_membership=accountant, account=created)
    assert not Account.objects.filter(pk=created.pk).exists()


def test_role_accounts_and_journal_accounts_cannot_be_deactivated(tenant, accountant):
    with pytest.raises(DomainError) as error:
        account_set_active(
            org=tenant.org, actor_membership=accountant, account=account(tenant.org, "1130"), is_active=False
        )
    assert error.value.code == "ledger.role_account"
    with pytest.raises(DomainError) as error:
        account_set_active(
            org=tenant.org, actor_membership=accountant, account=account(tenant.org, "1120"), is_active=False
        )
    assert error.value.code == "ledger.journal_account"
    assert Account.objects.filter(organization=tenant.org, is_active=False).count() == 0


def test_managing_the_chart_needs_the_capability(tenant):
    with pytest.raises(PermissionDeniedError):
        _create(tenant, tenant.members[Role.SALES])
    assert not Account.objects.filter(code="5310").exists()


def test_journal_create_and_update(tenant, accountant):
    bank2 = _create(
        tenant,
        accountant,
        code="1125",
        name_en="Bank 2",
        type="asset",
        role=AccountRole.BANK,
        parent=account(tenant.org, "11"),
    )
    created = journal_create(
        org=tenant.org,
        actor_membership=accountant,
        data={"code": "BNK2", "name_en": "Bank 2", "kind": "bank", "default_account": bank2},
    )
    assert created.default_account == bank2
    with pytest.raises(DomainError) as error:
        journal_create(
            org=tenant.org, actor_membership=accountant, data={"code": "BNK3", "name_en": "No account", "kind": "bank"}
        )
    assert error.value.code == "ledger.default_account_required"
    post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], journal_code="BNK2")
    with pytest.raises(DomainError) as error:
        journal_update(org=tenant.org, actor_membership=accountant, journal=created, data={"code": "NEW"})
    assert error.value.code == "ledger.code_locked"
    journal_update(org=tenant.org, actor_membership=accountant, journal=created, data={"is_active": False})
    with pytest.raises(DomainError) as error:
        post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], journal_code="BNK2")
    assert error.value.code == "ledger.journal_inactive"
    assert Journal.objects.get(pk=created.pk).entries.count() == 1


def test_analytic_accounts(tenant, accountant):
    created = analytic_account_create(
        org=tenant.org,
        actor_membership=accountant,
        data={"kind": "department", "code": "ENG", "name_en": "Engineering"},
    )
    assert created.kind == "department"
    with pytest.raises(DomainError):
        analytic_account_create(
            org=tenant.org, actor_membership=accountant, data={"kind": "department", "code": "ENG", "name_en": "Again"}
        )
    assert AnalyticAccount.objects.count() == 1
