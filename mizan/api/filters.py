"""Ordering only by fields a view allows: an unknown field is a 400 (the caller asked for
something we will not do, so saying so beats silently returning another order).

`ordering_fields` is either a list of model field names or a dict {public name: model path}
(e.g. {"email": "user__email"}), so the API exposes stable names, not the model's joins.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter


def _ordering_map(view: Any) -> dict[str, str]:
    fields = getattr(view, "ordering_fields", None) or {}
    if isinstance(fields, dict):
        return {str(name): str(path) for name, path in fields.items()}
    return {str(name): str(name) for name in fields if name != "__all__"}


class AllowListOrderingFilter(OrderingFilter):
    """`?ordering=-created_at,email` over the allow-listed names; the primary key breaks ties."""

    def get_valid_fields(self, queryset: Any, view: Any, context: Any = None) -> list[tuple[str, str]]:
        return [(name, name) for name in _ordering_map(view)]

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> list[str] | None:
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        allowed = _ordering_map(view)
        requested = [term.strip() for term in params.split(",") if term.strip()]
        unknown = [term for term in requested if term.lstrip("-") not in allowed]
        if unknown or not requested:
            message = _("You cannot order by “{field}”. Choose from: {allowed}.").format(
                field=unknown[0] if unknown else params, allowed=", ".join(sorted(allowed))
            )
            raise ValidationError({self.ordering_param: [ErrorDetail(message, code="invalid_ordering")]})
        return [("-" if term.startswith("-") else "") + allowed[term.lstrip("-")] for term in requested]

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        if ordering:
            return queryset.order_by(*ordering, "pk")
        return queryset
