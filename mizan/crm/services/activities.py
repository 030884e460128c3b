"""Recording activities on the timeline; every CRM area logs through `activity_log`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.core.models import Organization
from mizan.crm.models import Activity, Company, Contact, Deal, Lead


def activity_log(
    *,
    org: Organization,
    actor: Any,
    kind: str,
    subject: str = "",
    body: str = "",
    occurred_at: datetime | None = None,
    company: Company | None = None,
    contact: Contact | None = None,
    deal: Deal | None = None,
    lead: Lead | None = None,
    duration_minutes: int | None = None,
    outcome: str = "",
    email_to: str = "",
) -> Activity:
    """Write one activity and keep the deal's `last_activity_at` (which drives "going cold")."""
    if kind not in Activity.Kind.values:
        raise DomainError("invalid_kind", _("Choose a valid activity type."), field="kind")
    targets = [target for target in (company, contact, deal, lead) if target is not None]
    if not targets:
        raise DomainError("no_target", _("An activity must belong to a company, contact, deal or lead."))
    if any(target.organization_id != org.pk for target in targets):
        raise DomainError("not_found", _("Not found."))
    if deal is not None and company is None:
        company = deal.company
    if contact is not None and company is None:
        company = contact.company
    when = occurred_at or timezone.now()
    with transaction.atomic():
        activity = Activity.objects.create(
            organization=org,
            kind=kind,
            subject=subject,
            body=body,
            occurred_at=when,
            duration_minutes=duration_minutes,
            outcome=outcome,
            email_to=email_to,
            company=company,
            contact=contact,
            deal=deal,
            lead=lead,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if deal is not None:
            Deal.objects.filter(pk=deal.pk).filter(
                Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=when)
            ).update(last_activity_at=when)
    return activity
