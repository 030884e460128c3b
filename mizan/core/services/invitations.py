"""Invitations: an owner or admin invites someone by e-mail; the link lets them join.

The raw token only ever exists in the e-mail; the database keeps its SHA-256 hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.models import Invitation, Membership, Notification, Organization, User
from mizan.core.roles import Capability, Role
from mizan.core.selectors.organizations import invitation_pending_list
from mizan.core.services.audit import audit_changes, audit_created, audit_record, audit_values
from mizan.core.services.email import email_send

#: Never copy the token hash into the audit trail.
_AUDIT_EXCLUDE = ("created_at", "updated_at", "token_hash")


def invitation_token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def invitation_accept_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("core:invitation_accept", kwargs={"token": raw_token})


def invitation_create(
    *, org: Organization, actor_membership: Membership, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` with `role`; returns the invitation and the raw token (shown nowhere else)."""
    require_capability(actor_membership, Capability.MEMBERS_MANAGE)
    if actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("invalid_email", _("Enter a valid e-mail address."), field="email") from None
    if role not in Role.values:
        raise DomainError("invalid_role", _("Choose a valid role."), field="role")
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise DomainError("owner_only", _("Only an owner can invite another owner."), field="role")
    with transaction.atomic():
        # One invitation at a time per organization: two concurrent invites to the same
        # address would otherwise both pass the "already invited" check.
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        if Membership.objects.filter(organization=org, user__email__iexact=email, is_active=True).exists():
            raise DomainError(
                "already_member", _("This person is already a member of the organization."), field="email"
            )
        if invitation_pending_list(org=org).filter(email__iexact=email).exists():
            raise DomainError(
                "already_invited", _("This e-mail address already has a pending invitation."), field="email"
            )
        raw_token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            token_hash=invitation_token_hash(raw_token),
            invited_by=actor_membership.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=invitation,
            action="create",
            changes=audit_changes({}, audit_values(invitation, exclude=_AUDIT_EXCLUDE)),
        )
        _send_invitation_email(invitation, raw_token)
    return invitation, raw_token


def _send_invitation_email(invitation: Invitation, raw_token: str) -> None:
    org = invitation.organization
    language = org.language
    inviter = invitation.invited_by
    email_send(
        to=[invitation.email],
        template="invitation",
        context={
            "organization_name": org.display_name(language),
            "inviter_name": str(inviter) if inviter else "",
            "role_label": Role(invitation.role).label,
            "accept_url": invitation_accept_url(raw_token),
            "expires_at": timezone.localtime(invitation.expires_at, org.tz()),
        },
        language=language,
        key=f"invitation:{invitation.pk}:sent",
        organization=org,
    )


def invitation_revoke(*, org: Organization, actor_membership: Membership, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation so its link stops working."""
    require_capability(actor_membership, Capability.MEMBERS_MANAGE)
    if invitation.organization_id != org.pk or actor_membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.role == Role.OWNER and actor_membership.role != Role.OWNER:
            raise DomainError("owner_only", _("Only an owner can withdraw an invitation to become an owner."))
        if not locked.is_pending():
            raise DomainError("invitation_not_pending", _("This invitation is no longer pending."))
        before = audit_values(locked, exclude=_AUDIT_EXCLUDE)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            org=org,
            actor=actor_membership.user,
            instance=locked,
            action="update",
            changes=audit_changes(before, audit_values(locked, exclude=_AUDIT_EXCLUDE)),
        )
    return locked


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if it can still be accepted, else the reason it cannot, as a DomainError."""
    if invitation is None:
        raise DomainError("invitation_invalid", _("This invitation link is not valid. Check that you copied it whole."))
    if invitation.accepted_at is not None:
        raise DomainError("invitation_used", _("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise DomainError("invitation_revoked", _("This invitation was withdrawn by the organization."))
    if invitation.expires_at <= timezone.now():
        raise DomainError(
            "invitation_expired", _("This invitation has expired. Ask the organization to send you a new one.")
        )
    return invitation


def invitation_accept(*, raw_token: str, user: User) -> Membership:
    """Join the organization with the invited role; the signed-in e-mail must be the invited one."""
    with transaction.atomic():
        invitation = invitation_check(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(token_hash=invitation_token_hash(raw_token or ""))
            .first()
        )
        if user.email.strip().lower() != invitation.email.strip().lower():
            raise DomainError(
                "invitation_wrong_email",
                _("This invitation was sent to {email}. Sign in with that e-mail address to accept it.").format(
                    email=invitation.email
                ),
            )
        org = invitation.organization
        membership = _join(org=org, user=user, role=invitation.role)
        before = audit_values(invitation, exclude=_AUDIT_EXCLUDE)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            org=org,
            actor=user,
            instance=invitation,
            action="update",
            changes=audit_changes(before, audit_values(invitation, exclude=_AUDIT_EXCLUDE)),
        )
        user.last_organization = org
        user.save(update_fields=["last_organization"])
        _notify_inviter(invitation, membership)
    return membership


def _join(*, org: Organization, user: User, role: str) -> Membership:
    """A new membership, or the old inactive one brought back with the invited role."""
    existing = Membership.objects.select_for_update().filter(organization=org, user=user).first()
    if existing is None:
        membership = Membership.objects.create(organization=org, user=user, role=role)
        audit_created(org=org, actor=user, instance=membership)
        return membership
    if existing.is_active:
        raise DomainError("already_member", _("You are already a member of this organization."))
    before = audit_values(existing)
    existing.is_active = True
    existing.role = role
    existing.save(update_fields=["is_active", "role"])
    audit_record(
        org=org, actor=user, instance=existing, action="update", changes=audit_changes(before, audit_values(existing))
    )
    return existing


def _notify_inviter(invitation: Invitation, membership: Membership) -> None:
    """Tell the inviter, in their own language, that their invitation was accepted."""
    inviter = invitation.invited_by
    if inviter is None:
        return
    org = invitation.organization
    if not Membership.objects.filter(organization=org, user=inviter, is_active=True).exists():
        return
    with translation.override(inviter.language):
        message = _("{name} accepted your invitation and joined {organization}.").format(
            name=str(membership.user), organization=org.display_name(inviter.language)
        )
    Notification.objects.create(
        organization=org,
        user=inviter,
        message=message[:300],
        url=reverse("core:member_detail", kwargs={"pk": membership.pk}),
    )


def invitation_accept_with_new_account(
    *, raw_token: str, full_name: str, password: str, language: str = "ar"
) -> Membership:
    """Create the invited person's account and join, in one transaction (nothing on failure)."""
    with transaction.atomic():
        invitation = invitation_check(
            Invitation.objects.filter(token_hash=invitation_token_hash(raw_token or "")).first()
        )
        email = invitation.email.strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise DomainError(
                "account_exists", _("An account with this e-mail address already exists. Sign in to accept.")
            )
        full_name = (full_name or "").strip()
        if not full_name:
            raise DomainError("name_required", _("Enter your full name."), field="full_name")
        candidate = User(email=email, full_name=full_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise DomainError("weak_password", " ".join(error.messages), field="password") from None
        if language not in {code for code, _label in settings.LANGUAGES}:
            language = settings.LANGUAGE_CODE
        user = User.objects.create_user(email=email, password=password, full_name=full_name, language=language)
        return invitation_accept(raw_token=raw_token, user=user)
