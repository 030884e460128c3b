"""Lead scoring rules (CRM managers)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.views.base import apply_domain_error, org_view
from mizan.crm.forms.tools import ScoringRuleForm
from mizan.crm.models import LeadScoringRule
from mizan.crm.selectors.tools import scoring_rules_with_argument_labels
from mizan.crm.services.scoring import scoring_rule_create, scoring_rule_delete, scoring_rule_update


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def scoring_rule_list_view(request: HttpRequest) -> HttpResponse:
    """The rules, and a form to add one."""
    form = ScoringRuleForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_rule_create(org=request.org, actor_membership=request.membership, data=form.service_data())
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The rule was added. Lead scores are being recalculated."))
            return redirect("crm:scoring_rule_list")
    context = {"rules": scoring_rules_with_argument_labels(org=request.org), "form": form}
    return render(request, "crm/tools/scoring_rule_list.html", context)


def _rule(request: HttpRequest, pk: int) -> LeadScoringRule:
    return access_or_404(LeadScoringRule, org=request.org, pk=pk)


@org_view(capability=Capability.CRM_MANAGE)
@require_http_methods(["GET", "POST"])
def scoring_rule_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    form = ScoringRuleForm(request.POST or None, org=request.org, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_rule_update(
                org=request.org, actor_membership=request.membership, rule=rule, data=form.service_data()
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The rule was saved. Lead scores are being recalculated."))
            return redirect("crm:scoring_rule_list")
    return render(request, "crm/tools/scoring_rule_edit.html", {"rule": rule, "form": form})


@org_view(capability=Capability.CRM_MANAGE)
@require_POST
def scoring_rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    scoring_rule_delete(org=request.org, actor_membership=request.membership, rule=rule)
    messages.success(request, _("The rule was deleted. Lead scores are being recalculated."))
    return redirect("crm:scoring_rule_list")
