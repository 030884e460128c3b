"""Filters of the activities and follow-ups API lists (the timeline page filters by kind itself)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.crm.models import Activity, FollowUp


class ActivityFilterSet(django_filters.FilterSet):
    """Ids are plain numbers: a foreign or hidden record's id simply matches nothing."""

    company = django_filters.NumberFilter(
        method="filter_company", label=_("company"), help_text="Activities of the company, its contacts and deals."
    )
    contact = django_filters.NumberFilter(field_name="contact_id", label=_("contact"))
    deal = django_filters.NumberFilter(field_name="deal_id", label=_("deal"))
    lead = django_filters.NumberFilter(field_name="lead_id", label=_("lead"))
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("kind"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ["company", "contact", "deal", "lead", "kind"]

    def filter_company(self, queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Activity]:
        return queryset.filter(Q(company_id=value) | Q(contact__company_id=value) | Q(deal__company_id=value))


class FollowUpFilterSet(django_filters.FilterSet):
    STATUS_CHOICES = [("open", _("Open")), ("done", _("Done"))]

    assignee = django_filters.CharFilter(method="filter_assignee", label=_("assignee"), help_text="`me`, or a user id.")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("company"))
    contact = django_filters.NumberFilter(field_name="contact_id", label=_("contact"))
    deal = django_filters.NumberFilter(field_name="deal_id", label=_("deal"))
    lead = django_filters.NumberFilter(field_name="lead_id", label=_("lead"))
    due_after = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = FollowUp
        fields = ["assignee", "status", "company", "contact", "deal", "lead"]

    def filter_assignee(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee_id=getattr(user, "pk", None))
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    def filter_status(self, queryset: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return queryset.filter(completed_at__isnull=(value == "open"))
