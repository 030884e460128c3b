"""Reads of the CRM tools: lead imports, web forms and scoring rules."""

from __future__ import annotations

from django.db.models import QuerySet

from mizan.core.countries import COUNTRY_CHOICES
from mizan.core.models import Membership, Organization
from mizan.crm.models import ImportJob, LeadScoringRule, LeadSource, WebForm
from mizan.crm.selectors.visibility import sees_all_crm_records
from mizan.crm.services.scoring import SCORABLE_FIELDS


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


def scoring_rules_with_argument_labels(*, org: Organization) -> list[LeadScoringRule]:
    """The rules, each with `argument_label`: what its stored argument means to a person (the field's
    label, the source's name, the country's name) rather than "phone" or a source id."""
    rules = list(scoring_rule_list(org=org))
    Condition = LeadScoringRule.Condition
    source_ids = [
        int(rule.argument) for rule in rules if rule.condition == Condition.SOURCE_IS and rule.argument.isdigit()
    ]
    sources = {str(source.pk): str(source) for source in LeadSource.objects.filter(organization=org, pk__in=source_ids)}
    countries = {code: str(name) for code, name in COUNTRY_CHOICES}
    for rule in rules:
        if rule.condition == Condition.FIELD_PRESENT:
            rule.argument_label = str(SCORABLE_FIELDS.get(rule.argument, rule.argument))
        elif rule.condition == Condition.SOURCE_IS:
            rule.argument_label = sources.get(rule.argument, rule.argument)
        elif rule.condition == Condition.COUNTRY_IS:
            rule.argument_label = countries.get(rule.argument, rule.argument)
        else:
            rule.argument_label = rule.argument
    return rules
