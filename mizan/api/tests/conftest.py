"""Fixtures for API tests: clients that authenticate with a personal token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mizan.core.models import Membership
from mizan.core.services.api_tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


def token_for(membership: Membership, name: str = "Test token") -> str:
    _token, raw = api_token_create(org=membership.organization, membership=membership, name=name)
    return raw


def token_client_for(membership: Membership) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(membership)}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def token_client() -> Callable[[Membership], APIClient]:
    return token_client_for
