"""Payment terms: create, edit, deactivate and choose the default one (the due date of new invoices).

At most one term is the default (a database constraint); the default is always active, so an
invoice created without a term always finds one. Changing a term never moves the due date of an
invoice already written: each invoice keeps its own due date.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mizan.billing.models import PaymentTerm
from mizan.core.access import require_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, model_update
from mizan.ledger.services.common import require_member_of, require_same_org

TERM_FIELDS = ["name_ar", "name_en", "days", "is_active"]
MAX_DAYS = 365


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: data[name] for name in TERM_FIELDS if name in data}
    for name in ("name_ar", "name_en"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    return cleaned


def _validate(term: PaymentTerm) -> None:
    if not (term.name_ar or term.name_en):
        raise DomainError("billing.name_required", _("Enter the name in Arabic or in English."), field="name_ar")
    days = term.days
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        formatter = active_formatter()
        raise DomainError(
            "billing.term_days_invalid",
            _("The days are a whole number from {low} to {high}.").format(
                low=formatter.number(0), high=formatter.number(MAX_DAYS)
            ),
            field="days",
        )


def _check(actor_membership: Any, org: Any) -> None:
    require_capability(actor_membership, Capability.BILLING_MANAGE_TAXES)
    require_member_of(actor_membership, org)


def _clear_default(*, org: Any, actor: Any, keep: PaymentTerm | None = None) -> None:
    """Unset the current default (audited) so another term can take it; caller holds the transaction."""
    current = PaymentTerm.objects.select_for_update().filter(organization=org, is_default=True)
    if keep is not None:
        current = current.exclude(pk=keep.pk)
    for term in current:
        model_update(org=org, actor=actor, instance=term, data={"is_default": False}, fields=["is_default"])


def payment_term_create(*, org: Any, actor_membership: Any, data: dict[str, Any]) -> PaymentTerm:
    """Add a term; with `is_default` it becomes the default (replacing the previous one)."""
    _check(actor_membership, org)
    is_default = bool(data.get("is_default"))
    term = PaymentTerm(organization=org, **{"days": 0, **_clean(data)})
    if is_default and not term.is_active:
        raise DomainError("billing.default_inactive", _("The default payment term must be active."), field="is_default")
    _validate(term)
    with transaction.atomic():
        if is_default:
            _clear_default(org=org, actor=actor_membership.user)
        term.is_default = is_default
        term.save()
        audit_created(org=org, actor=actor_membership.user, instance=term)
    return term


def payment_term_update(*, org: Any, actor_membership: Any, term: PaymentTerm, data: dict[str, Any]) -> PaymentTerm:
    """Change the names, days or active flag; `is_default` in `data` goes through payment_term_set_default."""
    _check(actor_membership, org)
    require_same_org(term, org)
    changes = _clean(data)
    with transaction.atomic():
        locked = PaymentTerm.objects.select_for_update().get(pk=term.pk)
        candidate = PaymentTerm(
            pk=locked.pk, organization=org, **{**{name: getattr(locked, name) for name in TERM_FIELDS}, **changes}
        )
        _validate(candidate)
        if locked.is_default and not candidate.is_active:
            raise DomainError(
                "billing.default_inactive",
                _("The default payment term cannot be deactivated: make another term the default first."),
                field="is_active",
            )
        model_update(org=org, actor=actor_membership.user, instance=locked, data=changes, fields=TERM_FIELDS)
        if data.get("is_default") and not locked.is_default:
            _make_default(org=org, actor=actor_membership.user, term=locked)
    return locked


def payment_term_set_active(*, org: Any, actor_membership: Any, term: PaymentTerm, is_active: bool) -> PaymentTerm:
    return payment_term_update(org=org, actor_membership=actor_membership, term=term, data={"is_active": is_active})


def _make_default(*, org: Any, actor: Any, term: PaymentTerm) -> None:
    if not term.is_active:
        raise DomainError("billing.default_inactive", _("The default payment term must be active."), field="is_default")
    _clear_default(org=org, actor=actor, keep=term)
    model_update(org=org, actor=actor, instance=term, data={"is_default": True}, fields=["is_default"])


def payment_term_set_default(*, org: Any, actor_membership: Any, term: PaymentTerm) -> PaymentTerm:
    """Make `term` the default of new invoices (the previous default stays, no longer default)."""
    _check(actor_membership, org)
    require_same_org(term, org)
    with transaction.atomic():
        locked = PaymentTerm.objects.select_for_update().get(pk=term.pk)
        if not locked.is_default:
            _make_default(org=org, actor=actor_membership.user, term=locked)
    return locked
