"""List endpoints run a fixed number of queries however many rows they return."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.api.tests.conftest import token_for
from mizan.core.roles import Role
from mizan.core.services.invitations import invitation_create
from mizan.core.tests.factories import add_member, make_organization

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


def _add_rows(tenant, n: int, start: int) -> None:
    owner = tenant.members[Role.OWNER]
    for i in range(start, start + n):
        member = add_member(tenant.org, Role.EMPLOYEE)
        token_for(member, name=f"token {i}")
        token_for(owner, name=f"owner token {i}")
        invitation_create(org=tenant.org, actor_membership=owner, email=f"guest{i}@example.com", role=Role.SALES)
        make_organization(owner.user, name_en=f"Other {i}")


@pytest.mark.parametrize(
    "url",
    ["/api/v1/members/", "/api/v1/invitations/", "/api/v1/tokens/", "/api/v1/me/organizations/"],
)
def test_list_query_count_does_not_grow_with_rows(tenant, token_client, url):
    client = token_client(tenant.members[Role.OWNER])
    _add_rows(tenant, 1, 0)
    client.get(url)  # let last_used_at settle so both measured requests skip that write
    few = _count(client, url)
    _add_rows(tenant, 5, 1)
    many = _count(client, url)
    assert many == few
    # token + membership (authentication), count + page (the list itself)
    assert few == 4
