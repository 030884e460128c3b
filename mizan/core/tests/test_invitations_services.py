"""Rules of invitation_create, invitation_revoke and invitation_accept."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Invitation, Membership, Notification, User
from mizan.core.roles import Role
from mizan.core.services.invitations import (
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_create,
    invitation_revoke,
)
from mizan.core.tests.factories import make_user


def entries_of(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    )


def invite(tenant, email="new.person@example.com", role=Role.SALES, actor_role=Role.ADMIN):
    return invitation_create(org=tenant.org, actor_membership=tenant.members[actor_role], email=email, role=role)


def test_invitation_create_stores_a_hash_and_expiry(tenant, settings):
    settings.INVITATION_DAYS = 3
    invitation, raw = invite(tenant, email="  New.Person@Example.com ")
    assert invitation.email == "new.person@example.com"
    assert invitation.role == Role.SALES
    assert invitation.invited_by == tenant.user(Role.ADMIN)
    assert len(raw) >= 40
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in invitation.token_hash
    assert timedelta(days=3) - timedelta(minutes=1) < invitation.expires_at - timezone.now() <= timedelta(days=3)
    entry = entries_of(invitation).get(action="create")
    assert "token_hash" not in entry.changes
    assert entry.changes["email"] == [None, "new.person@example.com"]
    assert entry.changes["role"] == [None, "sales"]


def test_invitation_email_goes_out_on_commit_in_the_organizations_language(
    tenant, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://mizan.example"
    tenant.org.language = "en"
    tenant.org.save()
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, raw = invite(tenant)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.com"]
    assert "Alpha Co" in message.subject
    link = f"https://mizan.example/invitations/accept/{raw}/"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert "as Sales" in message.body


def test_invitation_email_in_arabic(tenant, mailoutbox, django_capture_on_commit_callbacks):
    assert tenant.org.language == "ar"
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, raw = invite(tenant)
    assert "شركة alpha" in mailoutbox[0].subject
    assert raw in mailoutbox[0].body


def test_nothing_is_sent_when_the_invitation_is_refused(tenant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        invite(tenant, email=tenant.user(Role.SALES).email)
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Role.SALES, Role.ACCOUNTANT, Role.EMPLOYEE, Role.PROJECT_MANAGER])
def test_invitation_create_needs_members_manage(tenant, role):
    with pytest.raises(PermissionDeniedError):
        invite(tenant, actor_role=role)
    assert Invitation.objects.count() == 0


def test_only_owners_invite_owners(tenant):
    with pytest.raises(DomainError) as error:
        invite(tenant, role=Role.OWNER, actor_role=Role.ADMIN)
    assert (error.value.code, error.value.field) == ("owner_only", "role")
    assert Invitation.objects.count() == 0
    invitation, _raw = invite(tenant, role=Role.OWNER, actor_role=Role.OWNER)
    assert invitation.role == Role.OWNER


def test_refuses_an_active_member(tenant):
    with pytest.raises(DomainError) as error:
        invite(tenant, email=tenant.user(Role.SALES).email.upper())
    assert (error.value.code, error.value.field) == ("already_member", "email")
    assert Invitation.objects.count() == 0


def test_refuses_a_second_pending_invitation_but_allows_after_expiry(tenant):
    first, _raw = invite(tenant)
    with pytest.raises(DomainError) as error:
        invite(tenant, email="NEW.person@example.com")
    assert (error.value.code, error.value.field) == ("already_invited", "email")
    assert Invitation.objects.count() == 1
    first.expires_at = timezone.now() - timedelta(seconds=1)
    first.save()
    invite(tenant)
    assert Invitation.objects.count() == 2


def test_a_former_member_can_be_invited(tenant):
    sales = tenant.members[Role.SALES]
    sales.is_active = False
    sales.save()
    invitation, _raw = invite(tenant, email=sales.user.email, role=Role.EMPLOYEE)
    assert invitation.pk


def test_refuses_invalid_email_and_role(tenant):
    with pytest.raises(DomainError) as error:
        invite(tenant, email="not an address")
    assert error.value.field == "email"
    with pytest.raises(DomainError) as error:
        invite(tenant, role="king")
    assert error.value.field == "role"
    assert Invitation.objects.count() == 0


def test_refuses_actor_from_another_organization(tenant, other_tenant):
    with pytest.raises(DomainError):
        invitation_create(
            org=tenant.org, actor_membership=other_tenant.members[Role.OWNER], email="x@example.com", role="sales"
        )
    assert Invitation.objects.count() == 0


# --- accept -------------------------------------------------------------------------------------------


def test_accept_creates_membership_and_notifies_inviter_in_their_language(tenant):
    inviter = tenant.user(Role.ADMIN)
    inviter.language = "ar"
    inviter.save()
    invitation, raw = invite(tenant)
    user = make_user("new.person@example.com", full_name="New Person")
    membership = invitation_accept(raw_token=raw, user=user)
    assert (membership.organization, membership.user, membership.role, membership.is_active) == (
        tenant.org,
        user,
        Role.SALES,
        True,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    user.refresh_from_db()
    assert user.last_organization == tenant.org
    notification = Notification.objects.get(user=inviter)
    assert notification.organization == tenant.org
    assert "New Person" in notification.message
    assert "شركة alpha" in notification.message
    assert notification.url == f"/members/{membership.pk}/"
    actions = set(AuditEntry.objects.filter(organization=tenant.org, actor=user).values_list("action", flat=True))
    assert actions == {"create", "update"}


def test_accept_is_case_insensitive_on_email(tenant):
    _invitation, raw = invite(tenant, email="mixed@example.com")
    user = make_user("MIXED@example.com")
    assert invitation_accept(raw_token=raw, user=user).role == Role.SALES


def test_accept_reactivates_a_former_member_with_the_invited_role(tenant):
    sales = tenant.members[Role.SALES]
    sales.is_active = False
    sales.save()
    _invitation, raw = invite(tenant, email=sales.user.email, role=Role.ACCOUNTANT)
    membership = invitation_accept(raw_token=raw, user=sales.user)
    assert membership.pk == sales.pk
    sales.refresh_from_db()
    assert (sales.is_active, sales.role) == (True, Role.ACCOUNTANT)
    entry = entries_of(sales).filter(action="update").latest("id")
    assert entry.changes == {"is_active": ["False", "True"], "role": ["sales", "accountant"]}


def test_accept_refuses_another_email_and_changes_nothing(tenant):
    invitation, raw = invite(tenant)
    intruder = make_user("intruder@example.com")
    with pytest.raises(DomainError) as error:
        invitation_accept(raw_token=raw, user=intruder)
    assert error.value.code == "invitation_wrong_email"
    assert "new.person@example.com" in error.value.message
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=intruder).exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "invitation_expired"),
        ({"accepted_at": timezone.now()}, "invitation_used"),
        ({"revoked_at": timezone.now()}, "invitation_revoked"),
    ],
)
def test_unusable_invitations_create_nothing(tenant, change, code):
    invitation, raw = invite(tenant)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    user = make_user("new.person@example.com")
    memberships = Membership.objects.count()
    with pytest.raises(DomainError) as error:
        invitation_accept(raw_token=raw, user=user)
    assert error.value.code == code
    assert Membership.objects.count() == memberships
    assert Notification.objects.count() == 0


def test_invalid_token(tenant):
    with pytest.raises(DomainError) as error:
        invitation_accept(raw_token="nonsense", user=make_user("x@example.com"))
    assert error.value.code == "invitation_invalid"


def test_accept_twice_is_refused(tenant):
    _invitation, raw = invite(tenant)
    user = make_user("new.person@example.com")
    invitation_accept(raw_token=raw, user=user)
    with pytest.raises(DomainError) as error:
        invitation_accept(raw_token=raw, user=user)
    assert error.value.code == "invitation_used"
    assert Membership.objects.filter(user=user).count() == 1


def test_accept_with_new_account_creates_user_and_membership(tenant):
    _invitation, raw = invite(tenant)
    membership = invitation_accept_with_new_account(
        raw_token=raw, full_name="Nour Hassan", password="a-long-enough-passphrase", language="en"
    )
    user = membership.user
    assert (user.email, user.full_name, user.language) == ("new.person@example.com", "Nour Hassan", "en")
    assert user.check_password("a-long-enough-passphrase")
    assert membership.organization == tenant.org


def test_accept_with_new_account_rolls_back_on_weak_password_or_bad_token(tenant):
    _invitation, raw = invite(tenant)
    with pytest.raises(DomainError) as error:
        invitation_accept_with_new_account(raw_token=raw, full_name="Nour", password="123")
    assert error.value.field == "password"
    assert not User.objects.filter(email="new.person@example.com").exists()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(DomainError) as error:
        invitation_accept_with_new_account(raw_token=raw, full_name="Nour", password="a-long-enough-passphrase")
    assert error.value.code == "invitation_expired"
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_accept_with_new_account_refuses_existing_account(tenant):
    _invitation, raw = invite(tenant)
    make_user("new.person@example.com")
    with pytest.raises(DomainError) as error:
        invitation_accept_with_new_account(raw_token=raw, full_name="Nour", password="a-long-enough-passphrase")
    assert error.value.code == "account_exists"


# --- revoke -------------------------------------------------------------------------------------------


def test_revoke_stops_the_link(tenant):
    invitation, raw = invite(tenant)
    invitation_revoke(org=tenant.org, actor_membership=tenant.members[Role.OWNER], invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    entry = entries_of(invitation).filter(action="update").get()
    assert list(entry.changes) == ["revoked_at"]
    with pytest.raises(DomainError) as error:
        invitation_accept(raw_token=raw, user=make_user("new.person@example.com"))
    assert error.value.code == "invitation_revoked"
    with pytest.raises(DomainError) as error:
        invitation_revoke(org=tenant.org, actor_membership=tenant.members[Role.OWNER], invitation=invitation)
    assert error.value.code == "invitation_not_pending"


def test_revoke_rules(tenant, other_tenant):
    invitation, _raw = invite(tenant, role=Role.OWNER, actor_role=Role.OWNER)
    with pytest.raises(PermissionDeniedError):
        invitation_revoke(org=tenant.org, actor_membership=tenant.members[Role.SALES], invitation=invitation)
    with pytest.raises(DomainError) as error:
        invitation_revoke(org=tenant.org, actor_membership=tenant.members[Role.ADMIN], invitation=invitation)
    assert error.value.code == "owner_only"
    with pytest.raises(DomainError) as error:
        invitation_revoke(
            org=other_tenant.org, actor_membership=other_tenant.members[Role.OWNER], invitation=invitation
        )
    assert error.value.code == "not_found"
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_raw_token_is_url_safe(tenant):
    _invitation, raw = invite(tenant)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", raw)
