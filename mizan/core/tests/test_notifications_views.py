import pytest
from django.urls import reverse

from conftest import client_for
from mizan.core.errors import DomainError
from mizan.core.models import Notification
from mizan.core.roles import Role
from mizan.core.selectors.notifications import notification_list, notification_unread_count
from mizan.core.services.notifications import (
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
)
from mizan.core.tests.factories import make_user


def test_notification_create_and_selectors(tenant, other_tenant):
    sales = tenant.user(Role.SALES)
    first = notification_create(org=tenant.org, user=sales, message="  Deal moved  ", url="/members/")
    second = notification_create(org=tenant.org, user=sales, message="Second")
    notification_create(org=tenant.org, user=tenant.owner, message="For the owner")
    assert first.message == "Deal moved"
    assert list(notification_list(org=tenant.org, user=sales)) == [second, first]
    assert notification_unread_count(org=tenant.org, user=sales) == 2
    assert notification_unread_count(org=other_tenant.org, user=sales) == 0


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"message": "  "}, "message_required"),
        ({"message": "Hi", "url": "https://evil.example/"}, "invalid_url"),
        ({"message": "Hi", "url": "//evil.example/"}, "invalid_url"),
    ],
)
def test_notification_create_rejects_bad_input(tenant, kwargs, code):
    with pytest.raises(DomainError) as error:
        notification_create(org=tenant.org, user=tenant.owner, **kwargs)
    assert error.value.code == code
    assert Notification.objects.count() == 0


def test_notification_create_only_for_members(tenant, other_tenant):
    with pytest.raises(DomainError) as error:
        notification_create(org=tenant.org, user=other_tenant.owner, message="Hi")
    assert error.value.code == "not_a_member"
    assert Notification.objects.count() == 0


def test_mark_read_and_mark_all_read(tenant):
    owner = tenant.owner
    one = notification_create(org=tenant.org, user=owner, message="One")
    notification_create(org=tenant.org, user=owner, message="Two")
    other_user = notification_create(org=tenant.org, user=tenant.user(Role.ADMIN), message="Admin's")
    notification_mark_read(org=tenant.org, user=owner, notification=one)
    assert one.read_at is not None
    first_read_at = one.read_at
    notification_mark_read(org=tenant.org, user=owner, notification=one)  # idempotent
    one.refresh_from_db()
    assert one.read_at == first_read_at
    with pytest.raises(DomainError):
        notification_mark_read(org=tenant.org, user=owner, notification=other_user)
    assert notification_mark_all_read(org=tenant.org, user=owner) == 1
    assert notification_unread_count(org=tenant.org, user=owner) == 0
    other_user.refresh_from_db()
    assert other_user.read_at is None


def test_notification_list_page(tenant, other_tenant):
    owner = tenant.owner
    notification_create(org=tenant.org, user=owner, message="Visible to owner", url="/members/")
    notification_create(org=tenant.org, user=tenant.user(Role.ADMIN), message="Admin only")
    notification_create(org=other_tenant.org, user=other_tenant.owner, message="Other organization")
    page = client_for(owner).get(reverse("core:notification_list")).content.decode()
    assert "Visible to owner" in page
    assert "Admin only" not in page and "Other organization" not in page


def test_mark_read_view_and_open(tenant):
    owner = tenant.owner
    client = client_for(owner)
    notification = notification_create(org=tenant.org, user=owner, message="Open me", url="/members/")
    response = client.post(reverse("core:notification_mark_read", args=[notification.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/members/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_view(tenant):
    owner = tenant.owner
    for index in range(3):
        notification_create(org=tenant.org, user=owner, message=f"N{index}")
    response = client_for(owner).post(reverse("core:notification_mark_all_read"))
    assert response.status_code == 302
    assert notification_unread_count(org=tenant.org, user=owner) == 0


def test_another_users_notification_is_404_and_unchanged(tenant):
    mine = notification_create(org=tenant.org, user=tenant.user(Role.ADMIN), message="Admin's")
    response = client_for(tenant.owner).post(reverse("core:notification_mark_read", args=[mine.pk]))
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_another_organizations_notification_is_404_and_unchanged(tenant, other_tenant):
    # The same person in both organizations: a notification of B is not reachable while in A.
    user = make_user("both@example.com")
    from mizan.core.tests.factories import add_member

    add_member(tenant.org, Role.SALES, user)
    add_member(other_tenant.org, Role.SALES, user)
    user.last_organization = tenant.org
    user.save()
    theirs = notification_create(org=other_tenant.org, user=user, message="In B")
    foreign = notification_create(org=other_tenant.org, user=other_tenant.owner, message="B owner")
    client = client_for(user)
    for notification in (theirs, foreign):
        response = client.post(reverse("core:notification_mark_read", args=[notification.pk]))
        assert response.status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None
    assert "In B" not in client.get(reverse("core:notification_list")).content.decode()


def test_mark_read_is_post_only(tenant):
    notification = notification_create(org=tenant.org, user=tenant.owner, message="Hi")
    response = client_for(tenant.owner).get(reverse("core:notification_mark_read", args=[notification.pk]))
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_list_query_count_is_constant(tenant, django_assert_num_queries):
    for index in range(30):
        notification_create(org=tenant.org, user=tenant.owner, message=f"N{index}")
    client = client_for(tenant.owner)
    # session, user, membership, page count, switcher, unread count, page rows
    with django_assert_num_queries(7):
        response = client.get(reverse("core:notification_list"))
    assert response.content.decode().count(">Mark as read</button>") == 25
