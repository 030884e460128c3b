"""Shared fixtures: two organizations, and a member of every role in the first one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from mizan.core.models import Membership, Organization, User
from mizan.core.roles import Role
from mizan.core.tests.factories import PASSWORD, add_member, make_organization, make_user


@dataclass
class Tenant:
    org: Organization
    owner: User
    members: dict[str, Membership]

    def user(self, role: str) -> User:
        return self.members[role].user


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings) -> None:
    """Argon2 costs ~0.25 s a hash: tests use MD5 unless marked `real_password_hashing`."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password() -> str:
    return PASSWORD


def _tenant(prefix: str, country: str) -> Tenant:
    owner = make_user(f"{prefix}-owner@example.com")
    org = make_organization(owner, country=country, name_en=f"{prefix.title()} Co", name_ar=f"شركة {prefix}")
    members = {Role.OWNER: Membership.objects.get(organization=org, user=owner)}
    for role in Role.values:
        if role != Role.OWNER:
            members[role] = add_member(org, role, make_user(f"{prefix}-{role}@example.com"))
    return Tenant(org=org, owner=owner, members=members)


@pytest.fixture
def tenant(db) -> Tenant:
    """Organization A (Saudi Arabia) with one member of every role."""
    return _tenant("alpha", "SA")


@pytest.fixture
def other_tenant(db) -> Tenant:
    """Organization B (Egypt): its records must stay unreachable from A."""
    return _tenant("beta", "EG")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(tenant: Tenant) -> Client:
    return client_for(tenant.owner)
