"""Template helpers of the CRM tools area (exports)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def export_url(context: dict[str, Any], list_name: str, file_format: str) -> str:
    """The export address of a list with the page's current filters and ordering (not its page)."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = file_format
    return f"{reverse('crm:export_list', args=[list_name])}?{query.urlencode()}"


@register.filter
def bidi_isolate(value: Any) -> str:
    """The text between Unicode isolates (FSI…PDI), so a Latin file name inside an Arabic sentence
    keeps its neighbours (":", a count) on the right side."""
    return f"\u2068{value}\u2069" if value not in (None, "") else ""
