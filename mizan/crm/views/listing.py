"""What the CRM list pages share: FilterSet binding, allow-listed ordering, 50-row pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

LIST_PAGE_SIZE = 50


@dataclass
class ListPage:
    filterset: Any
    page: Page
    ordering: str
    filter_query: str
    #: The filters without page and ordering, for the column links that change the order.
    base_query: str


def list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet[Any],
    filterset_class: type,
    ordering_map: dict[str, str],
    default_ordering: str,
) -> ListPage:
    """Filter (always bound, so defaults like "active only" apply), order by an allowed name, paginate."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    rows = filterset.qs
    ordering = request.GET.get("ordering", "") or default_ordering
    if ordering.lstrip("-") not in ordering_map:
        ordering = default_ordering
    path = ordering_map[ordering.lstrip("-")]
    rows = rows.order_by(("-" if ordering.startswith("-") else "") + path, "pk")
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filter_query = query.urlencode()
    query.pop("ordering", None)
    return ListPage(
        filterset=filterset, page=page, ordering=ordering, filter_query=filter_query, base_query=query.urlencode()
    )


def url_exists(name: str, *args: Any) -> bool:
    """Whether another area has published this page yet (links degrade to plain text until then)."""
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True
