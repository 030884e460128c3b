from __future__ import annotations

from rest_framework.filters import OrderingFilter


class AllowListOrderingFilter(OrderingFilter):
    """Ordering only by the fields a view lists in `ordering_fields` (never `__all__`)."""

    def get_valid_fields(self, queryset, view, context=None):  # type: ignore[override]
        fields = getattr(view, "ordering_fields", None) or []
        return [(name, name) for name in fields if name != "__all__"]
