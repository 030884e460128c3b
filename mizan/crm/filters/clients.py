"""CompanyFilterSet, ContactFilterSet, LeadFilterSet: one filter definition for each list page and
its API endpoint. Choice querysets come from `request.org`, so another organization's ids never
validate; `q` is the Arabic-aware search on the indexed `search_name` column."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.core.forms.base import StyledFormMixin
from mizan.core.models import User
from mizan.crm.models import Company, Contact, Lead, LeadSource, Tag
from mizan.crm.search import apply_search


def _org(request: Any) -> Any:
    return getattr(request, "org", None) if request is not None else None


def _owners(request: Any) -> QuerySet[User]:
    org = _org(request)
    if not org:
        return User.objects.none()
    return User.objects.filter(memberships__organization=org, memberships__is_active=True).order_by(
        "full_name", "email"
    )


def _tags(request: Any) -> QuerySet[Tag]:
    org = _org(request)
    return Tag.objects.filter(organization=org).order_by("name") if org else Tag.objects.none()


def _sources(request: Any) -> QuerySet[LeadSource]:
    org = _org(request)
    if not org:
        return LeadSource.objects.none()
    return LeadSource.objects.filter(organization=org).order_by("-is_active", "name_en", "name_ar", "pk")


class ClientFilterForm(StyledFormMixin, forms.Form):
    pass


class ActiveState:
    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"
    CHOICES = [(ACTIVE, _("Active")), (INACTIVE, _("Inactive")), (ALL, _("All"))]


class _ClientFilterSet(django_filters.FilterSet):
    """Search, owner, tag and active state, shared by companies and contacts."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))
    tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=_tags, label=_("Tag"))
    state = django_filters.ChoiceFilter(
        choices=ActiveState.CHOICES, method="filter_state", label=_("Active"), empty_label=None
    )

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return apply_search(queryset, value)

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == ActiveState.INACTIVE:
            return queryset.filter(is_active=False)
        if value == ActiveState.ALL:
            return queryset
        return queryset.filter(is_active=True)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Active records unless `state` asks otherwise."""
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(is_active=True)
        return super().filter_queryset(queryset)


class CompanyFilterSet(_ClientFilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("Country"), max_length=2)
    city = django_filters.CharFilter(lookup_expr="icontains", label=_("City"))
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("Industry"))

    class Meta:
        model = Company
        fields = ["q", "owner", "tag", "country", "city", "industry", "state"]
        form = ClientFilterForm

    def filter_country(self, queryset: QuerySet[Company], name: str, value: str) -> QuerySet[Company]:
        return queryset.filter(country=value.strip().upper())


class ContactFilterSet(_ClientFilterSet):
    company = django_filters.NumberFilter(field_name="company_id", label=_("Company"))

    class Meta:
        model = Contact
        fields = ["q", "company", "owner", "tag", "state"]
        form = ClientFilterForm


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Lead.Status.choices, label=_("Status"))
    source = django_filters.ModelChoiceFilter(queryset=_sources, label=_("Source"))
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))

    class Meta:
        model = Lead
        fields = ["q", "status", "source", "owner"]
        form = ClientFilterForm

    def filter_search(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return apply_search(queryset, value)
