"""Arabic-aware search over CRM records, on the indexed `search_name` column.

A record's `search_name` is `normalize_arabic` of its names, e-mail and phone digits, written by
the services. A query is normalized the same way and split into words; every word must occur
(`search_name__contains`), so "احمد" finds "أحمد", "مكه" finds "مكة" and "050 123 4567" finds
+966501234567, without a Python loop over rows. The global search box uses the same rule.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mizan.core.arabic import normalize_arabic
from mizan.core.roles import Capability
from mizan.core.search import SearchResult, clean_query, register_search_provider
from mizan.crm.phones import phone_search_digits

#: A query made only of these characters is a phone number: its digits are searched as one word.
_PHONE_QUERY = re.compile(r"^[\d\s+()\-./]{6,}$")


def build_search_name(*texts: str, phone: str = "", max_length: int = 400) -> str:
    """The stored search key: names first (they matter most when the key is cut), then the rest."""
    parts = [normalize_arabic(text) for text in texts if text]
    digits = phone_search_digits(phone) if phone else ""
    if digits:
        parts.append(digits)
    return " ".join(part for part in parts if part)[:max_length]


def search_words(query: str | None) -> list[str]:
    """The normalized words a query must all match (phone-looking queries become one digit run)."""
    key = normalize_arabic(clean_query(query))
    if not key:
        return []
    if _PHONE_QUERY.match(key):
        digits = "".join(ch for ch in key if ch.isdigit())
        return [digits.removeprefix("00")] if digits else []
    return key.split()


def apply_search(queryset: QuerySet[Any], query: str | None) -> QuerySet[Any]:
    """Records whose `search_name` contains every word of the query."""
    for word in search_words(query):
        queryset = queryset.filter(search_name__contains=word)
    return queryset


def _results(queryset: QuerySet[Any], query: str, limit: int, url_name: str, kind: str, subtitle: Any) -> list:
    words = search_words(query)
    if not words:
        return []
    rows = apply_search(queryset, query).order_by("search_name", "pk")[:limit]
    return [
        SearchResult(title=str(row), subtitle=subtitle(row), url=reverse(url_name, args=[row.pk]), kind=kind)
        for row in rows
    ]


def search_companies(org: Any, membership: Any, query: str, limit: int) -> list[SearchResult]:
    from mizan.crm.selectors.clients import company_list

    queryset = company_list(org=org, membership=membership, with_tags=False)
    return _results(queryset, query, limit, "crm:company_detail", "company", lambda row: row.city or row.email)


def search_contacts(org: Any, membership: Any, query: str, limit: int) -> list[SearchResult]:
    from mizan.crm.selectors.clients import contact_list

    queryset = contact_list(org=org, membership=membership, with_tags=False)
    return _results(
        queryset,
        query,
        limit,
        "crm:contact_detail",
        "contact",
        lambda row: " · ".join(str(part) for part in (row.company or "", row.email or row.phone) if part),
    )


def search_leads(org: Any, membership: Any, query: str, limit: int) -> list[SearchResult]:
    from mizan.crm.selectors.leads import lead_list

    queryset = lead_list(org=org, membership=membership)
    return _results(queryset, query, limit, "crm:lead_detail", "lead", lambda row: row.get_status_display())


def register_crm_search_providers() -> None:
    """Called from CrmConfig.ready(): companies, contacts and leads in the global search box."""
    register_search_provider("crm.companies", _("Companies"), search_companies, capability=Capability.CRM_VIEW)
    register_search_provider("crm.contacts", _("Contacts"), search_contacts, capability=Capability.CRM_VIEW)
    register_search_provider("crm.leads", _("Leads"), search_leads, capability=Capability.CRM_VIEW)
