"""`{% crm_timeline_panel target as panel %}`: lets record pages include the timeline panel with
only `target` in hand (`{% include "crm/timeline/_panel.html" with target=deal %}`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def crm_timeline_panel(context: template.Context, target: Any, prepared: Any = None) -> Any:
    """The panel's context for `target` (or `prepared` when a view already built it)."""
    if prepared:
        return prepared
    from mizan.crm.views.timeline import timeline_panel_context

    request = context["request"]
    return timeline_panel_context(org=request.org, membership=request.membership, user=request.user, target=target)


@register.filter
def crm_outcome_label(value: str, labels: dict[str, Any]) -> Any:
    """The translated label of an activity outcome ("answered" -> "Answered")."""
    return labels.get(value, value) if value else ""
