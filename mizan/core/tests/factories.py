"""Deterministic builders for tests (no random data)."""

from __future__ import annotations

import itertools
from typing import Any

from mizan.core.models import Membership, Organization, User
from mizan.core.roles import Role
from mizan.core.services.organizations import organization_create

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_user(email: str | None = None, *, language: str = "en", **extra: Any) -> User:
    email = email or f"user{next(_counter)}@example.com"
    return User.objects.create_user(email=email, password=PASSWORD, language=language, **extra)


def make_organization(owner: User | None = None, *, country: str = "SA", **extra: Any) -> Organization:
    owner = owner or make_user()
    n = next(_counter)
    extra.setdefault("name_en", f"Org {n}")
    extra.setdefault("name_ar", f"منظمة {n}")
    return organization_create(owner=owner, country=country, **extra)


def add_member(org: Organization, role: str = Role.EMPLOYEE, user: User | None = None) -> Membership:
    user = user or make_user()
    return Membership.objects.create(organization=org, user=user, role=role)
