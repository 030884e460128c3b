"""Chart of accounts, journals and analytic accounts: create, edit, deactivate, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_deleted, model_update
from mizan.ledger.models import (
    ROLE_TYPES,
    SINGLE_ROLES,
    Account,
    AccountRole,
    AccountType,
    AnalyticAccount,
    AnalyticKind,
    Journal,
    JournalKind,
    JournalLine,
)
from mizan.ledger.services.common import require_member_of, require_same_org
from mizan.ledger.services.open_items import open_items_rebuild

ACCOUNT_FIELDS = ["code", "name_ar", "name_en", "type", "role", "parent", "reconcile"]
JOURNAL_FIELDS = ["code", "name_ar", "name_en", "kind", "default_account", "is_active"]
ANALYTIC_FIELDS = ["code", "name_ar", "name_en", "is_active"]


def _domain_error(error: ValidationError) -> DomainError:
    """The first message of a model validation error, on its field when it names one."""
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.error_dict.items()))
        return DomainError("ledger.invalid", errors[0].messages[0], field=None if name == "__all__" else name)
    return DomainError("ledger.invalid", error.messages[0])


def _clean_text(data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()


def _validate_account(org: Any, account: Account, *, has_lines: bool, old_type: str | None) -> None:
    if not account.code:
        raise DomainError("ledger.code_required", _("Enter the account code."), field="code")
    if account.type not in AccountType.values:
        raise DomainError("ledger.type_invalid", _("Choose the account type."), field="type")
    if not account.role:
        account.role = None
    if account.role is not None:
        if account.role not in AccountRole.values:
            raise DomainError("ledger.role_invalid", _("Choose a valid role."), field="role")
        if ROLE_TYPES[account.role] != account.type:
            raise DomainError(
                "ledger.role_type",
                _("The role “{role}” needs an account of type “{type}”.").format(
                    role=AccountRole(account.role).label, type=AccountType(ROLE_TYPES[account.role]).label
                ),
                field="role",
            )
        if account.role in SINGLE_ROLES:
            taken = Account.objects.filter(organization=org, role=account.role).exclude(pk=account.pk)
            if taken.exists():
                raise DomainError("ledger.role_taken", _("Another account already has this role."), field="role")
    if has_lines and old_type is not None and old_type != account.type:
        raise DomainError("ledger.type_locked", _("The type of an account with entries cannot change."), field="type")
    parent = account.parent
    if parent is not None:
        require_same_org(parent, org, field="parent")
        if parent.type != account.type:
            raise DomainError("ledger.parent_type", _("A parent account must have the same type."), field="parent")
        ancestor: Account | None = parent
        while ancestor is not None:
            if ancestor.pk == account.pk and account.pk is not None:
                raise DomainError(
                    "ledger.parent_cycle", _("An account cannot be inside one of its sub-accounts."), field="parent"
                )
            ancestor = ancestor.parent
        if JournalLine.objects.filter(account=parent).exists():
            raise DomainError(
                "ledger.parent_has_lines",
                _("The parent account has entries; choose an account used only for grouping."),
                field="parent",
            )
    if Account.objects.filter(organization=org, code=account.code).exclude(pk=account.pk).exists():
        raise DomainError("ledger.code_taken", _("An account with this code already exists."), field="code")


def account_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> Account:
    """Add an account to the chart. `data`: code, name_ar, name_en, type, role, parent, reconcile."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    data = {name: data[name] for name in ACCOUNT_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    account = Account(organization=org, **data)
    if not (account.name_ar or account.name_en):
        raise DomainError(
            "ledger.name_required", _("Enter the account's name in Arabic or in English."), field="name_ar"
        )
    with transaction.atomic():
        _validate_account(org, account, has_lines=False, old_type=None)
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise DomainError(
                "ledger.code_taken", _("An account with this code already exists."), field="code"
            ) from None
        audit_created(org=org, actor=actor_membership.user, instance=account)
    return account


def account_update(*, org: Any, actor_membership: Any, account: Account, data: dict[str, Any]) -> Account:
    """Edit an account. Its type is fixed once it has entries."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(account, org)
    data = {name: data[name] for name in ACCOUNT_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    if "role" in data and not data["role"]:
        data["role"] = None
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        old_type, old_reconcile = locked.type, locked.reconcile
        candidate = Account(pk=locked.pk, organization=org, **{**_current(locked), **data})
        if not (candidate.name_ar or candidate.name_en):
            raise DomainError(
                "ledger.name_required", _("Enter the account's name in Arabic or in English."), field="name_ar"
            )
        has_lines = JournalLine.objects.filter(account=locked).exists()
        _validate_account(org, candidate, has_lines=has_lines, old_type=old_type)
        if candidate.type != old_type and Account.objects.filter(parent=locked).exists():
            raise DomainError(
                "ledger.type_locked", _("The type of an account with sub-accounts cannot change."), field="type"
            )
        try:
            model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=ACCOUNT_FIELDS)
        except ValidationError as error:
            raise _domain_error(error) from None
        if locked.reconcile != old_reconcile and has_lines:
            open_items_rebuild(org=org, accounts=[locked])
    return locked


def _current(account: Account) -> dict[str, Any]:
    return {name: getattr(account, name) for name in ACCOUNT_FIELDS}


def account_set_active(*, org: Any, actor_membership: Any, account: Account, is_active: bool) -> Account:
    """Deactivate (no new postings; history stays) or reactivate an account."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(account, org)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if not is_active and locked.role in SINGLE_ROLES:
            raise DomainError(
                "ledger.role_account",
                _("Postings rely on this account's role “{role}”: give the role to another account first.").format(
                    role=AccountRole(locked.role).label
                ),
            )
        if not is_active and Journal.objects.filter(default_account=locked, is_active=True).exists():
            raise DomainError(
                "ledger.journal_account", _("An active journal uses this account; change the journal first.")
            )
        model_update(
            org=org, actor=actor_membership.user, instance=locked, data={"is_active": is_active}, fields=["is_active"]
        )
    return locked


def account_delete(*, org: Any, actor_membership: Any, account: Account) -> None:
    """Delete an account that was never used. An account with entries is deactivated instead."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(account, org)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if JournalLine.objects.filter(account=locked).exists():
            raise DomainError(
                "ledger.account_has_lines",
                _("This account has journal entries and cannot be deleted; deactivate it instead."),
            )
        if Account.objects.filter(parent=locked).exists():
            raise DomainError("ledger.account_has_children", _("Delete or move the sub-accounts first."))
        if Journal.objects.filter(default_account=locked).exists():
            raise DomainError("ledger.journal_account", _("A journal uses this account; change the journal first."))
        audit_deleted(org=org, actor=actor_membership.user, instance=locked)
        locked.delete()


def _validate_journal(org: Any, journal: Journal) -> None:
    if not journal.code:
        raise DomainError("ledger.code_required", _("Enter the journal code."), field="code")
    if not (journal.name_ar or journal.name_en):
        raise DomainError(
            "ledger.name_required", _("Enter the journal's name in Arabic or in English."), field="name_ar"
        )
    if journal.kind not in JournalKind.values:
        raise DomainError("ledger.kind_invalid", _("Choose the journal kind."), field="kind")
    if journal.default_account is not None:
        require_same_org(journal.default_account, org, field="default_account")
        if journal.default_account.type != AccountType.ASSET or not journal.default_account.is_active:
            raise DomainError(
                "ledger.default_account",
                _("The default account must be an active asset account (bank or cash)."),
                field="default_account",
            )
    if journal.kind in (JournalKind.BANK, JournalKind.CASH) and journal.default_account is None:
        raise DomainError(
            "ledger.default_account_required",
            _("A bank or cash journal needs its default account."),
            field="default_account",
        )
    if Journal.objects.filter(organization=org, code=journal.code).exclude(pk=journal.pk).exists():
        raise DomainError("ledger.code_taken", _("A journal with this code already exists."), field="code")


def journal_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> Journal:
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    data = {name: data[name] for name in JOURNAL_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    journal = Journal(organization=org, **data)
    with transaction.atomic():
        _validate_journal(org, journal)
        journal.save()
        audit_created(org=org, actor=actor_membership.user, instance=journal)
    return journal


def journal_update(*, org: Any, actor_membership: Any, journal: Journal, data: dict[str, Any]) -> Journal:
    """Edit a journal. The code is part of posted numbers, so it is fixed once entries exist."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(journal, org)
    data = {name: data[name] for name in JOURNAL_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    with transaction.atomic():
        locked = Journal.objects.select_for_update().get(pk=journal.pk)
        candidate = Journal(
            pk=locked.pk, organization=org, **{**{n: getattr(locked, n) for n in JOURNAL_FIELDS}, **data}
        )
        _validate_journal(org, candidate)
        if candidate.code != locked.code and locked.entries.exists():
            raise DomainError(
                "ledger.code_locked", _("The code of a journal with entries cannot change."), field="code"
            )
        model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=JOURNAL_FIELDS)
    return locked


def analytic_account_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> AnalyticAccount:
    """A department, cost center or project dimension (people and projects create theirs here)."""
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    return analytic_account_create_for_app(org=org, actor=actor_membership.user, data=data)


def analytic_account_create_for_app(*, org: Any, actor: Any, data: dict[str, Any]) -> AnalyticAccount:
    """For other apps' services that already checked their own capability (a new department or
    project gets its analytic account in the same transaction)."""
    data = {name: data[name] for name in ["kind", *ANALYTIC_FIELDS] if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    analytic = AnalyticAccount(organization=org, **data)
    if analytic.kind not in AnalyticKind.values:
        raise DomainError("ledger.kind_invalid", _("Choose the kind of analytic account."), field="kind")
    if not analytic.code:
        raise DomainError("ledger.code_required", _("Enter the code."), field="code")
    if not (analytic.name_ar or analytic.name_en):
        raise DomainError("ledger.name_required", _("Enter the name in Arabic or in English."), field="name_ar")
    with transaction.atomic():
        if AnalyticAccount.objects.filter(organization=org, kind=analytic.kind, code=analytic.code).exists():
            raise DomainError(
                "ledger.code_taken", _("An analytic account of this kind with this code already exists."), field="code"
            )
        analytic.save()
        audit_created(org=org, actor=actor, instance=analytic)
    return analytic


def analytic_account_update(
    *, org: Any, actor_membership: Any, analytic_account: AnalyticAccount, data: dict[str, Any]
) -> AnalyticAccount:
    require_capability(actor_membership, Capability.LEDGER_MANAGE)
    require_member_of(actor_membership, org)
    require_same_org(analytic_account, org)
    data = {name: data[name] for name in ANALYTIC_FIELDS if name in data}
    _clean_text(data, ("code", "name_ar", "name_en"))
    with transaction.atomic():
        locked = AnalyticAccount.objects.select_for_update().get(pk=analytic_account.pk)
        code = data.get("code", locked.code)
        if AnalyticAccount.objects.filter(organization=org, kind=locked.kind, code=code).exclude(pk=locked.pk).exists():
            raise DomainError(
                "ledger.code_taken", _("An analytic account of this kind with this code already exists."), field="code"
            )
        if not (data.get("name_ar", locked.name_ar) or data.get("name_en", locked.name_en)):
            raise DomainError("ledger.name_required", _("Enter the name in Arabic or in English."), field="name_ar")
        try:
            model_update(org=org, actor=actor_membership.user, instance=locked, data=data, fields=ANALYTIC_FIELDS)
        except ValidationError as error:
            raise _domain_error(error) from None
    return locked
