"""Personal API tokens: created for one organization, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.access import has_capability, require_capability
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.formatting import active_formatter
from mizan.core.models import ApiToken, AuditEntry, Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_changes, audit_record, audit_values

TOKEN_PREFIX = "mzn_"
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100
# The hash never goes into the audit trail; the prefix is enough to recognise a token.
_AUDIT_EXCLUDE = ("created_at", "last_used_at", "token_hash")


def api_token_hash(raw_token: str) -> str:
    """SHA-256 hex of the whole raw token: a 256-bit random secret needs no slow hash."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def _new_raw_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(*, org: Organization, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Create a token for the member in `org`; the raw token is returned once and never stored."""
    require_capability(membership, Capability.API_TOKENS_USE)
    if membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", _("Give the token a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            "name_too_long",
            _("The name can have at most {count} characters.").format(count=active_formatter().number(NAME_MAX_LENGTH)),
            field="name",
        )
    prefix, raw_token = _new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=org,
            user=membership.user,
            name=name,
            prefix=prefix,
            token_hash=api_token_hash(raw_token),
        )
        audit_record(
            org=org,
            actor=membership.user,
            instance=token,
            action=AuditEntry.Action.CREATE,
            changes=audit_changes({}, audit_values(token, exclude=_AUDIT_EXCLUDE)),
        )
    return token, raw_token


def api_token_can_manage(*, membership: Membership, token: ApiToken) -> bool:
    """Members manage their own tokens; those who manage members may revoke anyone's."""
    if token.organization_id != membership.organization_id:
        return False
    return token.user_id == membership.user_id or has_capability(membership, Capability.MEMBERS_MANAGE)


def api_token_revoke(*, org: Organization, membership: Membership, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking an already revoked token changes nothing."""
    require_capability(membership, Capability.API_TOKENS_USE)
    if token.organization_id != org.pk or membership.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    if not api_token_can_manage(membership=membership, token=token):
        raise PermissionDeniedError(_("You can only revoke your own tokens."), capability=Capability.MEMBERS_MANAGE)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            org=org,
            actor=membership.user,
            instance=locked,
            action=AuditEntry.Action.UPDATE,
            changes={"revoked_at": [None, str(locked.revoked_at)]},
        )
    return locked
