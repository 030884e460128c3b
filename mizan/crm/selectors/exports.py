"""The rows of a CRM list as exported: the list's own queryset, FilterSet and ordering.

An export goes through exactly what its list page uses (the visibility rule in the list's
selector, the same FilterSet, the same ordering allow-list), so a file never holds a row the
member could not see on the page with the same filters. Rows come from one `values_list` query
streamed with `.iterator()`: no model instances, no query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, Trim
from django.http import QueryDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.core.exports import Amount, Column
from mizan.core.models import Membership, Organization
from mizan.crm.filters.clients import CompanyFilterSet, ContactFilterSet, LeadFilterSet
from mizan.crm.filters.deals import DEAL_DEFAULT_ORDERING, DEAL_ORDERING, DealFilterSet
from mizan.crm.models import Deal, Lead
from mizan.crm.selectors.clients import COMPANY_ORDERING, CONTACT_ORDERING, company_list, contact_list
from mizan.crm.selectors.deals import deal_queryset
from mizan.crm.selectors.leads import LEAD_ORDERING, lead_list


@dataclass(frozen=True)
class ExportColumn:
    key: str  # a values() path or an annotation added by the list's `annotate`
    label: Any
    choices: list[tuple[str, Any]] | None = None
    amount: Amount | None = None  # a money column: rounded to its currency's minor unit


@dataclass(frozen=True)
class ExportList:
    name: str
    filename: str
    title: Any  # the sheet's name in the workbook
    queryset: Callable[[Organization, Membership], QuerySet[Any]]
    filterset_class: type
    columns: list[ExportColumn]
    ordering_map: dict[str, str]
    default_ordering: list[str]
    annotate: Callable[[], dict[str, Any]] = field(default=lambda: {})


def _preferred(arabic: str, other: str) -> Any:
    """The name in the current language, else the other one (as the pages show it)."""
    first, second = (arabic, other) if (get_language() or "ar").startswith("ar") else (other, arabic)
    return Coalesce(NullIf(F(first), Value("")), F(second))


def _owner_name() -> Any:
    """The owner as people know them: the full name, else the e-mail."""
    return Coalesce(NullIf(Trim(F("owner__full_name")), Value("")), F("owner__email"), output_field=CharField())


#: The amount is in the row's own currency (the "currency" column).
_OWN_CURRENCY = Amount(currency_key="currency")
_CREATED = ExportColumn("created_at", gettext_lazy("Created"))
_OWNER = ExportColumn("owner_name", gettext_lazy("Owner"))

EXPORT_LISTS: dict[str, ExportList] = {
    "companies": ExportList(
        name="companies",
        filename="companies",
        title=gettext_lazy("Companies"),
        queryset=lambda org, membership: company_list(org=org, membership=membership, with_tags=False),
        filterset_class=CompanyFilterSet,
        columns=[
            ExportColumn("name_ar", gettext_lazy("Name in Arabic")),
            ExportColumn("name_latin", gettext_lazy("Name in Latin script")),
            ExportColumn("email", gettext_lazy("E-mail")),
            ExportColumn("phone", gettext_lazy("Phone")),
            ExportColumn("website", gettext_lazy("Website")),
            ExportColumn("vat_number", gettext_lazy("VAT number")),
            ExportColumn("commercial_registration", gettext_lazy("Commercial registration")),
            ExportColumn("country", gettext_lazy("Country")),
            ExportColumn("city", gettext_lazy("City")),
            ExportColumn("industry", gettext_lazy("Industry")),
            _OWNER,
            ExportColumn("is_active", gettext_lazy("Active")),
            _CREATED,
        ],
        ordering_map=COMPANY_ORDERING,
        default_ordering=["search_name"],
        annotate=lambda: {"owner_name": _owner_name()},
    ),
    "contacts": ExportList(
        name="contacts",
        filename="contacts",
        title=gettext_lazy("Contacts"),
        queryset=lambda org, membership: contact_list(org=org, membership=membership, with_tags=False),
        filterset_class=ContactFilterSet,
        columns=[
            ExportColumn("name_ar", gettext_lazy("Name in Arabic")),
            ExportColumn("name_latin", gettext_lazy("Name in Latin script")),
            ExportColumn("company_name", gettext_lazy("Company")),
            ExportColumn("job_title", gettext_lazy("Job title")),
            ExportColumn("email", gettext_lazy("E-mail")),
            ExportColumn("phone", gettext_lazy("Phone")),
            ExportColumn("mobile", gettext_lazy("Mobile")),
            _OWNER,
            ExportColumn("is_active", gettext_lazy("Active")),
            _CREATED,
        ],
        ordering_map=CONTACT_ORDERING,
        default_ordering=["search_name"],
        annotate=lambda: {
            "company_name": _preferred("company__name_ar", "company__name_latin"),
            "owner_name": _owner_name(),
        },
    ),
    "leads": ExportList(
        name="leads",
        filename="leads",
        title=gettext_lazy("Leads"),
        queryset=lambda org, membership: lead_list(org=org, membership=membership),
        filterset_class=LeadFilterSet,
        columns=[
            ExportColumn("title", gettext_lazy("Title")),
            ExportColumn("person_name", gettext_lazy("Person's name")),
            ExportColumn("company_name", gettext_lazy("Company name")),
            ExportColumn("email", gettext_lazy("E-mail")),
            ExportColumn("phone", gettext_lazy("Phone")),
            ExportColumn("job_title", gettext_lazy("Job title")),
            ExportColumn("country", gettext_lazy("Country")),
            ExportColumn("source_name", gettext_lazy("Source")),
            ExportColumn("status", gettext_lazy("Status"), choices=Lead.Status.choices),
            ExportColumn("score", gettext_lazy("Score")),
            ExportColumn("estimated_value", gettext_lazy("Estimated value"), amount=_OWN_CURRENCY),
            ExportColumn("currency", gettext_lazy("Currency")),
            _OWNER,
            _CREATED,
        ],
        ordering_map=LEAD_ORDERING,
        default_ordering=["-created_at"],
        annotate=lambda: {
            "source_name": _preferred("source__name_ar", "source__name_en"),
            "owner_name": _owner_name(),
        },
    ),
    "deals": ExportList(
        name="deals",
        filename="deals",
        title=gettext_lazy("Deals"),
        queryset=lambda org, membership: deal_queryset(org=org, membership=membership),
        filterset_class=DealFilterSet,
        columns=[
            ExportColumn("title", gettext_lazy("Title")),
            ExportColumn("company_name", gettext_lazy("Company")),
            ExportColumn("pipeline_name", gettext_lazy("Pipeline")),
            ExportColumn("stage_name", gettext_lazy("Stage")),
            ExportColumn("status", gettext_lazy("Status"), choices=Deal.Status.choices),
            ExportColumn("value", gettext_lazy("Value"), amount=_OWN_CURRENCY),
            ExportColumn("currency", gettext_lazy("Currency")),
            ExportColumn("expected_close_date", gettext_lazy("Expected close date")),
            _OWNER,
            ExportColumn("source_name", gettext_lazy("Source")),
            _CREATED,
            ExportColumn("closed_at", gettext_lazy("Closed at")),
        ],
        ordering_map=DEAL_ORDERING,
        default_ordering=DEAL_DEFAULT_ORDERING,
        annotate=lambda: {
            "company_name": _preferred("company__name_ar", "company__name_latin"),
            "pipeline_name": _preferred("pipeline__name_ar", "pipeline__name_en"),
            "stage_name": _preferred("stage__name_ar", "stage__name_en"),
            "source_name": _preferred("source__name_ar", "source__name_en"),
            "owner_name": _owner_name(),
        },
    ),
}


def filtered_rows(
    queryset: QuerySet[Any],
    *,
    filterset_class: type,
    columns: list[ExportColumn],
    data: QueryDict,
    request: Any,
    ordering: list[str],
    annotations: dict[str, Any] | None = None,
) -> Iterator[list[Any]]:
    """The filtered rows as lists in column order. Raises DomainError for invalid filters.

    Labels of choice columns are resolved now, in the request's language (the rows are read
    later, while the response streams).
    """
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise DomainError("invalid_filters", _("The filters are not valid; correct them on the list and try again."))
    rows = filterset.qs.prefetch_related(None)
    if annotations:
        rows = rows.annotate(**annotations)
    rows = rows.order_by(*ordering, "pk").values_list(*[column.key for column in columns])
    labels = [{key: str(label) for key, label in column.choices} if column.choices else None for column in columns]

    def generate() -> Iterator[list[Any]]:
        for values in rows.iterator(chunk_size=2000):
            yield [label.get(value, value) if label else value for value, label in zip(values, labels, strict=True)]

    return generate()


def export_ordering(spec: ExportList, key: str) -> list[str]:
    """The list's allow-listed ordering for `key` (the page's `ordering` parameter), else its default."""
    name = (key or "").lstrip("-")
    if name not in spec.ordering_map:
        return list(spec.default_ordering)
    return [("-" if key.startswith("-") else "") + spec.ordering_map[name]]


def export_columns(spec: ExportList, org: Organization) -> list[Column]:
    """The list's columns for `export_response`; an amount without a currency of its own (a lead
    with no currency) is rounded as the organization's base currency."""
    columns: list[Column] = []
    for column in spec.columns:
        if column.amount is None:
            columns.append((column.key, column.label))
        else:
            amount = Amount(
                currency=column.amount.currency or org.base_currency, currency_key=column.amount.currency_key
            )
            columns.append((column.key, column.label, amount))
    return columns


def export_list_rows(
    *, org: Organization, membership: Membership, list_name: str, data: QueryDict, request: Any
) -> tuple[ExportList, Iterator[list[Any]]]:
    """(the list's definition, its filtered rows) for the member; KeyError for an unknown list."""
    spec = EXPORT_LISTS[list_name]
    rows = filtered_rows(
        spec.queryset(org, membership),
        filterset_class=spec.filterset_class,
        columns=spec.columns,
        data=data,
        request=request,
        ordering=export_ordering(spec, data.get("ordering", "")),
        annotations=spec.annotate(),
    )
    return spec, rows
