"""DealFilterSet: one filter definition for the deal list page, saved views and /api/v1/crm/deals/.

Choice querysets come from `request.org`, so another organization's ids never validate.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.core.arabic import normalize_arabic
from mizan.core.forms.base import CappedChoicesFilterMixin, StyledFormMixin
from mizan.core.models import User
from mizan.crm.models import Company, Deal, LeadSource, Pipeline, Stage
from mizan.crm.selectors.visibility import crm_visible

#: Public ordering name -> model path, shared by the list page and the API (an allow-list).
DEAL_ORDERING: dict[str, str] = {
    "title": "title",
    "value": "value",
    "expected_close_date": "expected_close_date",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "stage": "stage__position",
    "stage_entered_at": "stage_entered_at",
}
DEAL_DEFAULT_ORDERING = ["-created_at"]


def _org(request: Any) -> Any:
    return getattr(request, "org", None) if request is not None else None


def _pipelines(request: Any) -> QuerySet[Pipeline]:
    org = _org(request)
    return Pipeline.objects.filter(organization=org).order_by("position", "id") if org else Pipeline.objects.none()


def _stages(request: Any) -> QuerySet[Stage]:
    org = _org(request)
    if not org:
        return Stage.objects.none()
    return Stage.objects.filter(organization=org).select_related("pipeline").order_by("pipeline", "position", "id")


def _companies(request: Any) -> QuerySet[Company]:
    """Only companies the member may see: a hidden company's id must not validate (an existence oracle)."""
    org = _org(request)
    membership = getattr(request, "membership", None) if request is not None else None
    if not org or membership is None:
        return Company.objects.none()
    return crm_visible(Company.objects.all(), org=org, membership=membership).order_by("name_latin", "name_ar", "pk")


def _sources(request: Any) -> QuerySet[LeadSource]:
    org = _org(request)
    return LeadSource.objects.filter(organization=org) if org else LeadSource.objects.none()


def _owners(request: Any) -> QuerySet[User]:
    org = _org(request)
    if not org:
        return User.objects.none()
    return User.objects.filter(memberships__organization=org).distinct().order_by("full_name", "email")


class StageChoiceFilter(django_filters.ModelChoiceFilter):
    """Stages labelled with their pipeline, so two pipelines' "New" stay apart."""

    @property
    def field(self) -> Any:
        field = super().field
        field.label_from_instance = lambda stage: f"{stage.pipeline} › {stage}"
        return field


class DealFilterForm(StyledFormMixin, forms.Form):
    pass


class DealFilterSet(CappedChoicesFilterMixin, django_filters.FilterSet):
    capped_filters = ("company",)

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    pipeline = django_filters.ModelChoiceFilter(queryset=_pipelines, label=_("Pipeline"))
    stage = StageChoiceFilter(queryset=_stages, label=_("Stage"))
    status = django_filters.ChoiceFilter(choices=Deal.Status.choices, label=_("Status"))
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))
    company = django_filters.ModelChoiceFilter(queryset=_companies, label=_("Company"))
    source = django_filters.ModelChoiceFilter(queryset=_sources, label=_("Source"))
    expected_close_from = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="gte",
        label=_("Expected close from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    expected_close_to = django_filters.DateFilter(
        field_name="expected_close_date",
        lookup_expr="lte",
        label=_("Expected close to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    value_min = django_filters.NumberFilter(field_name="value", lookup_expr="gte", label=_("Value from"), min_value=0)
    value_max = django_filters.NumberFilter(field_name="value", lookup_expr="lte", label=_("Value to"), min_value=0)

    class Meta:
        model = Deal
        fields: list[str] = []
        form = DealFilterForm

    def filter_search(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        """Title, or the company's names (Arabic spelling variants folded by normalize_arabic)."""
        value = (value or "").strip()
        if not value:
            return queryset
        normalized = normalize_arabic(value)
        condition = Q(title__icontains=value) | Q(company__name_latin__icontains=value)
        if normalized:
            condition |= Q(company__search_name__contains=normalized)
        return queryset.filter(condition)


#: The query-string keys a saved deal view may keep.
DEAL_VIEW_KEYS = [*DealFilterSet.base_filters, "ordering"]
