"""api_token_create / api_token_revoke: hashing, capability, ownership, audit."""

from __future__ import annotations

import hashlib

import pytest

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import ApiToken, AuditEntry
from mizan.core.roles import Role
from mizan.core.services.api_tokens import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_sha256_and_audits_without_it(tenant):
    membership = tenant.members[Role.EMPLOYEE]
    token, raw = api_token_create(org=tenant.org, membership=membership, name="  Timesheet sync ")
    assert raw.startswith(f"mzn_{token.prefix}_")
    assert len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (token.name, token.user, token.organization) == ("Timesheet sync", membership.user, tenant.org)
    assert token.revoked_at is None and token.last_used_at is None
    entry = AuditEntry.objects.get(object_id=str(token.pk), action="create", content_type__model="apitoken")
    assert entry.actor == membership.user
    assert "token_hash" not in entry.changes
    assert entry.changes["name"] == [None, "Timesheet sync"]
    assert token.token_hash not in str(entry.changes)


def test_each_token_is_different(tenant):
    membership = tenant.members[Role.EMPLOYEE]
    raws = {api_token_create(org=tenant.org, membership=membership, name=f"t{i}")[1] for i in range(5)}
    assert len(raws) == 5
    assert ApiToken.objects.filter(user=membership.user).values("prefix").distinct().count() == 5


@pytest.mark.parametrize(
    ("name", "code"), [("", "name_required"), ("   ", "name_required"), ("x" * 101, "name_too_long")]
)
def test_create_with_a_bad_name_writes_nothing(tenant, name, code):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as error:
        api_token_create(org=tenant.org, membership=tenant.members[Role.SALES], name=name)
    assert (error.value.code, error.value.field) == (code, "name")
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_create_for_another_organization_is_refused(tenant, other_tenant):
    with pytest.raises(DomainError) as error:
        api_token_create(org=other_tenant.org, membership=tenant.members[Role.OWNER], name="Sneaky")
    assert error.value.code == "not_found"
    assert not ApiToken.objects.exists()


def test_inactive_member_cannot_create(tenant):
    membership = tenant.members[Role.SALES]
    membership.is_active = False
    with pytest.raises(PermissionDeniedError):
        api_token_create(org=tenant.org, membership=membership, name="Late")
    assert not ApiToken.objects.exists()


def test_revoke_own_token_audits_once_and_is_idempotent(tenant):
    membership = tenant.members[Role.SALES]
    token, _raw = api_token_create(org=tenant.org, membership=membership, name="Mine")
    revoked = api_token_revoke(org=tenant.org, membership=membership, token=token)
    assert revoked.revoked_at is not None
    first_revoked_at = revoked.revoked_at
    again = api_token_revoke(org=tenant.org, membership=membership, token=token)
    assert again.revoked_at == first_revoked_at
    assert AuditEntry.objects.filter(object_id=str(token.pk), action="update").count() == 1


def test_member_cannot_revoke_someone_elses_token(tenant):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.EMPLOYEE], name="Theirs")
    with pytest.raises(PermissionDeniedError):
        api_token_revoke(org=tenant.org, membership=tenant.members[Role.SALES], token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_and_admin_revoke_anyones_token(tenant, role):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.EMPLOYEE], name="Theirs")
    api_token_revoke(org=tenant.org, membership=tenant.members[role], token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(object_id=str(token.pk), action="update", content_type__model="apitoken")
    assert entry.actor == tenant.user(role)


def test_admin_of_another_organization_cannot_revoke(tenant, other_tenant):
    token, _raw = api_token_create(org=tenant.org, membership=tenant.members[Role.EMPLOYEE], name="Theirs")
    with pytest.raises(DomainError) as error:
        api_token_revoke(org=other_tenant.org, membership=other_tenant.members[Role.OWNER], token=token)
    assert error.value.code == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
