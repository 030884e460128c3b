import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from mizan.core.models import Invitation
from mizan.core.roles import Role
from mizan.core.search import (
    SearchResult,
    register_search_provider,
    search_everything,
    unregister_search_provider,
)
from mizan.core.tests.factories import add_member, make_user


@pytest.fixture
def named_members(tenant, other_tenant):
    people = {
        "ahmad": add_member(tenant.org, Role.SALES, make_user("ahmad@example.com", full_name="أحمد المصري")),
        "makkah": add_member(tenant.org, Role.EMPLOYEE, make_user("office@example.com", full_name="فرع مكة")),
        "ali": add_member(tenant.org, Role.EMPLOYEE, make_user("ali@example.com", full_name="علي حسن")),
        "john": add_member(tenant.org, Role.ADMIN, make_user("john.smith@example.com", full_name="John Smith")),
        # Same name in the other organization: must never show up.
        "stranger": add_member(
            other_tenant.org, Role.SALES, make_user("stranger@example.com", full_name="أحمد الغريب")
        ),
    }
    return people


def _titles(groups) -> list[str]:
    return [result.title for group in groups for result in group.results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("احمد", ["أحمد المصري"]),
        ("مكه", ["فرع مكة"]),
        ("عَلِي", ["علي حسن"]),
        ("JOHN smith", ["John Smith"]),
        ("ALI@EXAMPLE", ["علي حسن"]),
    ],
)
def test_member_search_is_arabic_aware(tenant, named_members, query, expected):
    groups = search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query=query)
    assert _titles(groups) == expected


def test_member_search_never_shows_another_organization(tenant, other_tenant, named_members):
    groups = search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query="الغريب")
    assert groups == []
    groups = search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query="stranger")
    assert groups == []
    other = search_everything(org=other_tenant.org, membership=other_tenant.members[Role.OWNER], query="احمد")
    assert _titles(other) == ["أحمد الغريب"]


def test_blank_query_returns_nothing(tenant, named_members):
    assert search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query="   ") == []
    assert search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query="ـــ") == []


def test_invitations_only_for_members_managers(tenant):
    Invitation.objects.create(
        organization=tenant.org,
        email="newcomer@example.com",
        role=Role.SALES,
        token_hash="x" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    Invitation.objects.create(
        organization=tenant.org,
        email="newcomer-expired@example.com",
        role=Role.SALES,
        token_hash="y" * 64,
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    admin = search_everything(org=tenant.org, membership=tenant.members[Role.ADMIN], query="newcomer")
    assert [(group.provider.key, [r.title for r in group.results]) for group in admin] == [
        ("core.invitations", ["newcomer@example.com"])
    ]
    sales = search_everything(org=tenant.org, membership=tenant.members[Role.SALES], query="newcomer")
    assert sales == []


def test_registered_provider_is_used_and_can_require_a_capability(tenant):
    def fake(org, membership, query, limit):
        return [SearchResult(title=f"{org.pk}:{query}", subtitle="", url="/x/", kind="fake")]

    register_search_provider("test.fake", "Fake", fake, capability="ledger.view")
    try:
        owner = search_everything(org=tenant.org, membership=tenant.members[Role.OWNER], query="abc")
        assert f"{tenant.org.pk}:abc" in _titles(owner)
        sales = search_everything(org=tenant.org, membership=tenant.members[Role.SALES], query="abc")
        assert f"{tenant.org.pk}:abc" not in _titles(sales)
    finally:
        unregister_search_provider("test.fake")


def test_search_page_and_live_fragment(tenant, named_members):
    client = client_for(tenant.owner)
    page = client.get(reverse("core:search"), {"q": "احمد"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and "أحمد المصري" in html
    assert f'href="{reverse("core:member_detail", args=[named_members["ahmad"].pk])}"' in html
    assert "أحمد الغريب" not in html

    fragment = client.get(reverse("core:search"), {"q": "احمد"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in body and "أحمد المصري" in body
    assert "See all results" in body

    empty = client.get(reverse("core:search"), {"q": "zzz"}, headers={"HX-Request": "true"})
    assert "Nothing found for" in empty.content.decode()


def test_search_requires_sign_in(db):
    from django.test import Client

    response = Client().get(reverse("core:search"), {"q": "x"})
    assert response.status_code == 302
