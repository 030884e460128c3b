"""Reads of the CRM tools: lead imports, web forms and scoring rules."""

from __future__ import annotations

from django.db.models import QuerySet

from mizan.core.models import Membership, Organization
from mizan.crm.models import ImportJob, LeadScoringRule, WebForm
from mizan.crm.selectors.visibility import sees_all_crm_records


def import_job_list(*, org: Organization, membership: Membership) -> QuerySet[ImportJob]:
    """Newest first; a member limited to their own records sees only the imports they started."""
    queryset = ImportJob.objects.filter(organization=org).select_related("created_by", "default_source")
    if not sees_all_crm_records(org=org, membership=membership):
        queryset = queryset.filter(created_by=membership.user_id)
    return queryset.order_by("-created_at", "-pk")


def web_form_list(*, org: Organization) -> QuerySet[WebForm]:
    return WebForm.objects.filter(organization=org).select_related("source", "owner").order_by("name", "pk")


def web_form_public(*, key: str) -> WebForm | None:
    """The active form with this public key (and its organization), or None."""
    return WebForm.objects.select_related("organization", "source").filter(key=key, is_active=True).first()


def scoring_rule_list(*, org: Organization) -> QuerySet[LeadScoringRule]:
    return LeadScoringRule.objects.filter(organization=org).order_by("-is_active", "id")
