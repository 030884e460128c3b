"""InvoiceFilterSet: one filter definition for the invoice list page, its export and its API endpoint.

Choice querysets come from `request.org`, so another organization's ids never validate. "Overdue" is
an open invoice (posted or partially paid) whose due date is before the organization's today. `q`
finds a document by its number ("INV-2026-00042", "42") or its client's name (Arabic-aware, on the
client's indexed `search_name`).
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.billing.models import Invoice
from mizan.core.countries import CURRENCY_CHOICES
from mizan.core.forms.base import CappedChoicesFilterMixin, StyledFormMixin
from mizan.crm.models import Company
from mizan.crm.search import search_words

OVERDUE = "overdue"
STATUS_CHOICES = [*Invoice.Status.choices, (OVERDUE, _("Overdue"))]
_FULL_NUMBER = re.compile(r"^\s*([A-Za-z]{1,10})-(\d{4})-0*(\d+)\s*$")
_NUMBER = re.compile(r"^\s*0*(\d{1,9})\s*$")


def _org(request: Any) -> Any:
    return getattr(request, "org", None) if request is not None else None


def _clients(request: Any) -> QuerySet[Company]:
    org = _org(request)
    if org is None:
        return Company.objects.none()
    return Company.objects.filter(organization=org).order_by("name_latin", "name_ar", "pk")


class InvoiceFilterForm(StyledFormMixin, forms.Form):
    pass


class InvoiceFilterSet(CappedChoicesFilterMixin, django_filters.FilterSet):
    capped_filters = ("client",)

    q = django_filters.CharFilter(method="filter_search", label=_("Number or client"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("Status"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(choices=Invoice.Kind.choices, label=_("Kind"), empty_label=_("All"))
    client = django_filters.ModelChoiceFilter(
        field_name="company", queryset=_clients, label=_("Client"), empty_label=_("All")
    )
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES, label=_("Currency"), empty_label=_("All"))
    date_from = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="gte",
        label=_("Date from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="lte",
        label=_("Date to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Invoice
        fields = ["q", "status", "kind", "client", "currency", "date_from", "date_to"]
        form = InvoiceFilterForm

    def filter_status(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        if value == OVERDUE:
            org = _org(self.request)
            if org is None:
                return queryset.none()
            return queryset.filter(
                kind=Invoice.Kind.INVOICE, status__in=Invoice.OPEN_STATUSES, amount_due__gt=0, due_date__lt=org.today()
            )
        return queryset.filter(status=value)

    def filter_search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        full = _FULL_NUMBER.match(value)
        if full:
            condition |= Q(series__iexact=full[1], issue_date__year=int(full[2]), number=int(full[3]))
        number = _NUMBER.match(value)
        if number:
            condition |= Q(number=int(number[1]))
        words = search_words(value)
        if words:
            by_name = Q()
            for word in words:
                by_name &= Q(company__search_name__contains=word)
            condition |= by_name
        condition |= Q(company__name_ar__icontains=value) | Q(company__name_latin__icontains=value)
        condition |= Q(reference__iexact=value)
        return queryset.filter(condition)
