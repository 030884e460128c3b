"""The global search box: a registry of providers, each searching one kind of record.

A module registers its provider once (at import, or in its AppConfig.ready):

    register_search_provider("crm.companies", _("Companies"), search_companies, capability=Capability.CRM_VIEW)

A provider is `function(org, membership, query, limit) -> list[SearchResult]`; it must only return
records of `org` that `membership` may see. Matching is Arabic-aware: compare
`normalize_arabic(query)` with a normalized form of the record (modules with many rows store
that form in an indexed column; core's members are few enough to normalize in Python).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mizan.core.access import has_capability
from mizan.core.arabic import normalize_arabic
from mizan.core.models import Invitation, Membership
from mizan.core.roles import Capability

#: Members of one organization scanned per query; beyond this an organization needs an indexed column.
MEMBER_SCAN_LIMIT = 500
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True)
class SearchResult:
    title: str
    subtitle: str
    url: str
    kind: str


SearchFunction = Callable[[Any, Any, str, int], list[SearchResult]]


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: Any  # a lazy translated string
    function: SearchFunction
    capability: str | None = None


@dataclass
class SearchGroup:
    provider: SearchProvider
    results: list[SearchResult] = field(default_factory=list)


_providers: dict[str, SearchProvider] = {}


def register_search_provider(key: str, label: Any, function: SearchFunction, *, capability: str | None = None) -> None:
    """Add (or replace, by key) a provider; `capability` hides it from members without it."""
    _providers[key] = SearchProvider(key=key, label=label, function=function, capability=capability)


def unregister_search_provider(key: str) -> None:
    _providers.pop(key, None)


def search_providers() -> list[SearchProvider]:
    return list(_providers.values())


def clean_query(query: str | None) -> str:
    return " ".join((query or "").split())[:QUERY_MAX_LENGTH]


def search_everything(*, org: Any, membership: Any, query: str, limit: int = 10) -> list[SearchGroup]:
    """Results of every provider the member may use, grouped, empty groups left out."""
    query = clean_query(query)
    if not normalize_arabic(query):
        return []
    groups = []
    for provider in _providers.values():
        if provider.capability and not has_capability(membership, provider.capability):
            continue
        results = provider.function(org, membership, query, limit)[:limit]
        if results:
            groups.append(SearchGroup(provider=provider, results=results))
    return groups


def text_matches(query_key: str, *texts: str) -> bool:
    """Whether every word of the normalized query occurs in one of the texts, normalized."""
    haystack = " ".join(normalize_arabic(text, strip_al_prefix=False) for text in texts if text)
    return all(word in haystack for word in query_key.split())


def search_members(org: Any, membership: Any, query: str, limit: int) -> list[SearchResult]:
    """Members of the organization by name or e-mail (the first MEMBER_SCAN_LIMIT members)."""
    key = normalize_arabic(query)
    candidates = (
        Membership.objects.filter(organization=org, is_active=True)
        .select_related("user")
        .only("id", "role", "user__full_name", "user__email")
        .order_by("id")[:MEMBER_SCAN_LIMIT]
    )
    results = []
    for candidate in candidates:
        if text_matches(key, candidate.user.full_name, candidate.user.email):
            results.append(
                SearchResult(
                    title=candidate.user.full_name or candidate.user.email,
                    subtitle=(
                        f"{candidate.user.email} · {candidate.get_role_display()}"
                        if candidate.user.full_name
                        else str(candidate.get_role_display())
                    ),
                    url=reverse("core:member_detail", args=[candidate.pk]),
                    kind="member",
                )
            )
            if len(results) >= limit:
                break
    return results


def search_invitations(org: Any, membership: Any, query: str, limit: int) -> list[SearchResult]:
    """Pending invitations of the organization by e-mail (members managers only)."""
    key = normalize_arabic(query)
    pending = Invitation.objects.filter(
        organization=org, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("email")[:MEMBER_SCAN_LIMIT]
    list_url = reverse("core:member_list")
    return [
        SearchResult(title=invitation.email, subtitle=str(_("Invitation pending")), url=list_url, kind="invitation")
        for invitation in pending
        if text_matches(key, invitation.email)
    ][:limit]


register_search_provider("core.members", _("Members"), search_members, capability=Capability.MEMBERS_VIEW)
register_search_provider("core.invitations", _("Invitations"), search_invitations, capability=Capability.MEMBERS_MANAGE)
