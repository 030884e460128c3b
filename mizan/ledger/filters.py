"""One filter definition for the journal-entry list page and its API endpoint."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.core.forms.base import CappedChoicesFilterMixin
from mizan.crm.search import search_words
from mizan.ledger.models import Account, Journal, JournalEntry, JournalLine


def _org_queryset(model: Any) -> Any:
    def queryset(request: Any) -> QuerySet[Any]:
        org = getattr(request, "org", None)
        if org is None:
            return model.objects.none()
        return model.objects.filter(organization=org)

    return queryset


def _companies(request: Any) -> QuerySet[Any]:
    from mizan.crm.models import Company

    return _org_queryset(Company)(request).order_by("name_latin", "name_ar", "pk")


class JournalEntryFilter(CappedChoicesFilterMixin, django_filters.FilterSet):
    capped_filters = ("partner",)

    journal = django_filters.ModelChoiceFilter(queryset=_org_queryset(Journal), label=_("Journal"))
    state = django_filters.ChoiceFilter(choices=JournalEntry.State.choices, label=_("State"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    account = django_filters.ModelChoiceFilter(
        queryset=_org_queryset(Account), method="filter_account", label=_("Account")
    )
    partner = django_filters.ModelChoiceFilter(queryset=_companies, method="filter_partner", label=_("Partner"))
    q = django_filters.CharFilter(method="filter_text", label=_("Reference, memo or partner"))

    class Meta:
        model = JournalEntry
        fields = ["journal", "state", "date_from", "date_to", "account", "partner", "q"]

    def filter_account(self, queryset: QuerySet[JournalEntry], name: str, value: Any) -> QuerySet[JournalEntry]:
        return queryset.filter(Exists(JournalLine.objects.filter(entry=OuterRef("pk"), account=value)))

    def filter_partner(self, queryset: QuerySet[JournalEntry], name: str, value: Any) -> QuerySet[JournalEntry]:
        return queryset.filter(Exists(JournalLine.objects.filter(entry=OuterRef("pk"), partner=value)))

    def filter_text(self, queryset: QuerySet[JournalEntry], name: str, value: str) -> QuerySet[JournalEntry]:
        value = value.strip()
        if not value:
            return queryset
        # A partner's name too: the partner select lists only the first companies (FILTER_CHOICES_CAP).
        condition = Q(reference__icontains=value) | Q(memo__icontains=value)
        words = search_words(value)
        if words:
            partner = JournalLine.objects.filter(entry=OuterRef("pk"))
            for word in words:
                partner = partner.filter(partner__search_name__contains=word)
            condition |= Exists(partner)
        return queryset.filter(condition)
