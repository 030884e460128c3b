"""Lead scoring: admins' rules give points; a lead's score carries the reasons it was given.

`lead_score` computes, `lead_score_refresh` stores one lead's score (the lead services call it
after a create or update), and `lead_scores_recompute` re-scores an organization's leads when its
rules change (in the background, since an organization may have tens of thousands of leads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import phonenumbers
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mizan.core.access import require_capability
from mizan.core.background import enqueue_run_on_commit, mizan_task
from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import Membership, Organization
from mizan.core.roles import Capability
from mizan.core.services.audit import audit_created, audit_deleted, model_update
from mizan.crm.email_domains import email_domain, is_free_email_domain
from mizan.crm.models import Activity, Lead, LeadScoringRule, LeadSource

Condition = LeadScoringRule.Condition

#: Lead fields a "field is filled in" rule may name, with their labels.
SCORABLE_FIELDS: dict[str, Any] = {
    "person_name": gettext_lazy("Person's name"),
    "company_name": gettext_lazy("Company name"),
    "title": gettext_lazy("Title"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "website": gettext_lazy("Website"),
    "job_title": gettext_lazy("Job title"),
    "country": gettext_lazy("Country"),
    "estimated_value": gettext_lazy("Estimated value"),
    "message": gettext_lazy("Message"),
}
POINTS_LIMIT = 1000
ACTIVITY_COUNT_LIMIT = 1000
RULE_FIELDS = ["label", "condition", "argument", "points", "is_active"]
RECOMPUTE_BATCH = 500


# --- computing ------------------------------------------------------------------------------


def scoring_rules_active(*, org: Organization) -> list[LeadScoringRule]:
    return list(LeadScoringRule.objects.filter(organization=org, is_active=True).order_by("id"))


def _needs_activity_count(rules: Iterable[LeadScoringRule]) -> bool:
    return any(rule.condition == Condition.ACTIVITY_COUNT_AT_LEAST for rule in rules)


def _rule_holds(rule: LeadScoringRule, lead: Lead, activity_count: int) -> bool:
    argument = rule.argument
    if rule.condition == Condition.FIELD_PRESENT:
        value = getattr(lead, argument, None) if argument in SCORABLE_FIELDS else None
        return value not in (None, "")
    if rule.condition == Condition.SOURCE_IS:
        return lead.source_id is not None and str(lead.source_id) == argument
    if rule.condition == Condition.ACTIVITY_COUNT_AT_LEAST:
        return argument.isdigit() and activity_count >= int(argument)
    if rule.condition == Condition.EMAIL_DOMAIN_BUSINESS:
        return bool(email_domain(lead.email)) and not is_free_email_domain(lead.email)
    if rule.condition == Condition.EMAIL_DOMAIN_FREE:
        return bool(email_domain(lead.email)) and is_free_email_domain(lead.email)
    if rule.condition == Condition.COUNTRY_IS:
        return bool(lead.country) and lead.country.upper() == argument.upper()
    return False


def _score(rules: list[LeadScoringRule], lead: Lead, activity_count: int) -> tuple[int, list[dict[str, Any]]]:
    reasons = [
        {"rule": rule.pk, "label": rule.label, "points": rule.points}
        for rule in rules
        if _rule_holds(rule, lead, activity_count)
    ]
    return sum(reason["points"] for reason in reasons), reasons


def lead_score(*, org: Organization, lead: Lead) -> tuple[int, list[dict[str, Any]]]:
    """(score, reasons): the sum of the points of every active rule the lead meets, and those rules."""
    if lead.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    rules = scoring_rules_active(org=org)
    activity_count = 0
    if _needs_activity_count(rules):
        activity_count = Activity.objects.filter(organization=org, lead=lead).count()
    return _score(rules, lead, activity_count)


def lead_score_refresh(*, org: Organization, lead: Lead) -> Lead:
    """Compute and store the lead's score and reasons (a derived value: not audited)."""
    score, reasons = lead_score(org=org, lead=lead)
    return _store_score(lead, score, reasons)


def lead_score_apply(*, lead: Lead, rules: list[LeadScoringRule], activity_count: int) -> Lead:
    """Store the score from rules the caller already loaded (bulk paths: import, web form)."""
    score, reasons = _score(rules, lead, activity_count)
    return _store_score(lead, score, reasons)


def _store_score(lead: Lead, score: int, reasons: list[dict[str, Any]]) -> Lead:
    if (lead.score, lead.score_reasons) != (score, reasons):
        Lead.objects.filter(pk=lead.pk).update(score=score, score_reasons=reasons)
        lead.score, lead.score_reasons = score, reasons
    return lead


def lead_scores_recompute(*, org: Organization) -> int:
    """Re-score every lead of the organization in a few queries; returns how many changed."""
    rules = scoring_rules_active(org=org)
    leads = Lead.objects.filter(organization=org).order_by("pk")
    if _needs_activity_count(rules):
        leads = leads.annotate(activity_total=Count("activities"))
    changed: list[Lead] = []
    count = 0
    for lead in leads.iterator(chunk_size=2000):
        score, reasons = _score(rules, lead, getattr(lead, "activity_total", 0))
        if (lead.score, lead.score_reasons) != (score, reasons):
            lead.score, lead.score_reasons = score, reasons
            changed.append(lead)
        if len(changed) >= RECOMPUTE_BATCH:
            count += _save_scores(changed)
            changed = []
    return count + _save_scores(changed)


def _save_scores(leads: list[Lead]) -> int:
    if leads:
        Lead.objects.bulk_update(leads, ["score", "score_reasons"])
    return len(leads)


@mizan_task
def lead_scores_recompute_task(organization_id: int) -> int:
    """Background re-scoring after a rule change (idempotent: it just recomputes)."""
    org = Organization.objects.filter(pk=organization_id).first()
    return lead_scores_recompute(org=org) if org is not None else 0


def _recompute_later(org: Organization) -> None:
    enqueue_run_on_commit(lead_scores_recompute_task, args=[org.pk], key=f"crm.lead_scores:{org.pk}", organization=org)


# --- rules ------------------------------------------------------------------------------------


def _clean_rule(*, org: Organization, data: dict[str, Any], current: LeadScoringRule | None) -> dict[str, Any]:
    """Validate a rule's input; the argument's meaning depends on the condition."""
    values = {name: data.get(name, getattr(current, name, None)) for name in RULE_FIELDS}
    label = (values["label"] or "").strip()
    if not label:
        raise DomainError("label_required", _("Give the rule a label."), field="label")
    condition = values["condition"]
    if condition not in Condition.values:
        raise DomainError("invalid_condition", _("Choose a valid condition."), field="condition")
    try:
        points = int(values["points"])
    except (TypeError, ValueError):
        raise DomainError("invalid_points", _("Enter the points as a whole number."), field="points") from None
    if abs(points) > POINTS_LIMIT:
        raise DomainError(
            "invalid_points",
            _("Points must be between -{limit} and {limit}.").format(limit=active_formatter().number(POINTS_LIMIT)),
            field="points",
        )
    return {
        "label": label[:150],
        "condition": condition,
        "argument": _clean_argument(org=org, condition=condition, argument=str(values["argument"] or "").strip()),
        "points": points,
        "is_active": True if values["is_active"] is None else bool(values["is_active"]),
    }


def _clean_argument(*, org: Organization, condition: str, argument: str) -> str:
    if condition == Condition.FIELD_PRESENT:
        if argument not in SCORABLE_FIELDS:
            raise DomainError("invalid_argument", _("Choose which field must be filled in."), field="argument")
        return argument
    if condition == Condition.SOURCE_IS:
        if not argument.isdigit() or not LeadSource.objects.filter(organization=org, pk=int(argument)).exists():
            raise DomainError("invalid_argument", _("Choose one of your lead sources."), field="argument")
        return argument
    if condition == Condition.ACTIVITY_COUNT_AT_LEAST:
        if not argument.isdigit() or not 1 <= int(argument) <= ACTIVITY_COUNT_LIMIT:
            raise DomainError(
                "invalid_argument",
                _("Enter the number of activities, from 1 to {limit}.").format(
                    limit=active_formatter().number(ACTIVITY_COUNT_LIMIT)
                ),
                field="argument",
            )
        return str(int(argument))
    if condition == Condition.COUNTRY_IS:
        code = argument.upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise DomainError("invalid_argument", _("Enter a two-letter country code, e.g. SA."), field="argument")
        return code
    return ""  # the e-mail domain conditions take no argument


def scoring_rule_create(*, org: Organization, actor_membership: Membership, data: dict[str, Any]) -> LeadScoringRule:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    values = _clean_rule(org=org, data=data, current=None)
    with transaction.atomic():
        rule = LeadScoringRule.objects.create(organization=org, **values)
        audit_created(org=org, actor=actor_membership.user, instance=rule)
        _recompute_later(org)
    return rule


def scoring_rule_update(
    *, org: Organization, actor_membership: Membership, rule: LeadScoringRule, data: dict[str, Any]
) -> LeadScoringRule:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    if rule.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    values = _clean_rule(org=org, data=data, current=rule)
    with transaction.atomic():
        rule, changed = model_update(
            org=org, actor=actor_membership.user, instance=rule, data=values, fields=list(values)
        )
        if changed:
            _recompute_later(org)
    return rule


def scoring_rule_delete(*, org: Organization, actor_membership: Membership, rule: LeadScoringRule) -> None:
    require_capability(actor_membership, Capability.CRM_MANAGE)
    if rule.organization_id != org.pk:
        raise DomainError("not_found", _("Not found."))
    with transaction.atomic():
        audit_deleted(org=org, actor=actor_membership.user, instance=rule)
        rule.delete()
        _recompute_later(org)


# --- defaults for new organizations -------------------------------------------------------------


def _default_rules(org: Organization) -> list[tuple[Any, str, str, int]]:
    return [
        (gettext_lazy("E-mail on a business domain"), Condition.EMAIL_DOMAIN_BUSINESS, "", 20),
        (gettext_lazy("E-mail on a free provider"), Condition.EMAIL_DOMAIN_FREE, "", 5),
        (gettext_lazy("Phone number given"), Condition.FIELD_PRESENT, "phone", 10),
        (gettext_lazy("Company name given"), Condition.FIELD_PRESENT, "company_name", 10),
        (gettext_lazy("Job title given"), Condition.FIELD_PRESENT, "job_title", 5),
        (gettext_lazy("Website given"), Condition.FIELD_PRESENT, "website", 5),
        (gettext_lazy("At least 3 activities"), Condition.ACTIVITY_COUNT_AT_LEAST, "3", 15),
        *(
            [(gettext_lazy("In our country"), Condition.COUNTRY_IS, org.country, 10)]
            if org.country in phonenumbers.SUPPORTED_REGIONS
            else []
        ),
    ]


def scoring_rules_install_defaults(org: Organization, *args: Any, **kwargs: Any) -> list[LeadScoringRule]:
    """Starter rules for a new organization, labelled in its language (an organization initializer).

    Accepts `(org, owner_membership)` and `(org=..., owner=...)`: it needs only the organization.
    Does nothing when the organization already has rules.
    """
    if LeadScoringRule.objects.filter(organization=org).exists():
        return []
    with translation.override(org.language):
        rules = [
            LeadScoringRule(organization=org, label=str(label), condition=condition, argument=argument, points=points)
            for label, condition, argument, points in _default_rules(org)
        ]
    return LeadScoringRule.objects.bulk_create(rules)
