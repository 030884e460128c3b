"""Likely duplicate companies and contacts, matched the way Arabic names are really typed.

Two records are a likely pair when they share a name key (normalize_arabic with "ال" stripped
and taa marbuta folded, punctuation and, for companies, legal-form words such as "شركة"/"Co."
dropped), a phone number (E.164), an e-mail address, or, for companies, a business domain (the
e-mail's or the website's; free providers such as gmail.com say nothing).

The name key cannot be computed by the database (no SQL function knows Arabic folding), and the
`search_name` column also holds e-mails and phones, so it cannot be grouped on. The selector
therefore streams the few key columns of the visible, active records in ONE query and groups them
in memory: linear in the number of records (50,000 contacts take well under a second), never a
query per row; a second query loads the records of the page's pairs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mizan.core.arabic import normalize_arabic
from mizan.core.models import Membership, Organization
from mizan.crm.email_domains import email_domain, is_free_email_domain
from mizan.crm.models import Company, Contact
from mizan.crm.selectors.visibility import crm_visible

COMPANIES = "companies"
CONTACTS = "contacts"
KINDS = (COMPANIES, CONTACTS)

REASON_LABELS = {
    "name": _("Same name"),
    "phone": _("Same phone number"),
    "email": _("Same e-mail"),
    "domain": _("Same business domain"),
}
#: A key shared by more records than this (a switchboard number) only pairs its first records.
GROUP_LIMIT = 20
#: Names shorter than this (after normalization) are too common to mean anything.
NAME_KEY_MIN_LENGTH = 3

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
#: Legal-form words, in normalized form (ة folded to ه, ؤ to و).
_COMPANY_WORDS = frozenset(
    {"شركه", "موسسه", "ذمم", "co", "company", "ltd", "limited", "llc", "inc", "est", "corp", "wll", "fze", "fzco"}
)


@dataclass
class DuplicatePair:
    first: Any
    second: Any
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]


def name_key(name: str, *, company: bool = False) -> str:
    """The matching key of one name ("" when too short to mean anything)."""
    key = _PUNCTUATION.sub(" ", normalize_arabic(name, strip_al_prefix=True))
    words = key.split()
    if company:
        meaningful = [word for word in words if word not in _COMPANY_WORDS]
        words = meaningful or words
    key = " ".join(words)
    return key if len(key.replace(" ", "")) >= NAME_KEY_MIN_LENGTH else ""


def website_domain(website: str) -> str:
    host = (urlsplit(website if "://" in website else f"https://{website}").hostname or "") if website else ""
    return host.removeprefix("www.").lower()


def business_domain(email: str) -> str:
    domain = email_domain(email)
    return "" if not domain or is_free_email_domain(domain) else domain


def _record_keys(kind: str, values: dict[str, Any]) -> set[tuple[str, str]]:
    company = kind == COMPANIES
    keys = {("name", name_key(values[name], company=company)) for name in ("name_ar", "name_latin")}
    phones = [values["phone"], values.get("mobile", "")]
    keys |= {("phone", phone) for phone in phones}
    keys.add(("email", (values["email"] or "").strip().lower()))
    if company:
        keys |= {("domain", business_domain(values["email"])), ("domain", website_domain(values["website"]))}
    return {(reason, value) for reason, value in keys if value}


def _key_columns(kind: str) -> list[str]:
    common = ["pk", "name_ar", "name_latin", "email", "phone"]
    return [*common, "website"] if kind == COMPANIES else [*common, "mobile"]


def duplicate_candidates(*, org: Organization, membership: Membership, kind: str) -> QuerySet[Any]:
    """The active records the member may see, of one kind."""
    model = Company if kind == COMPANIES else Contact
    return crm_visible(model.objects.all(), org=org, membership=membership).filter(is_active=True)


def duplicate_pair_ids(*, org: Organization, membership: Membership, kind: str) -> list[tuple[int, int, list[str]]]:
    """(lower id, higher id, reasons) of every likely pair, most reasons first (one query)."""
    if kind not in KINDS:
        raise ValueError(kind)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = duplicate_candidates(org=org, membership=membership, kind=kind).order_by("pk").values(*_key_columns(kind))
    for values in rows.iterator(chunk_size=5000):
        for key in _record_keys(kind, values):
            groups[key].append(values["pk"])
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (reason, _value), ids in groups.items():
        if len(ids) < 2:
            continue
        for pair in combinations(ids[:GROUP_LIMIT], 2):
            reasons[pair].add(reason)
    order = list(REASON_LABELS)
    pairs = [(first, second, sorted(found, key=order.index)) for (first, second), found in reasons.items()]
    pairs.sort(key=lambda pair: (-len(pair[2]), pair[0], pair[1]))
    return pairs


def duplicate_pairs(
    *, org: Organization, membership: Membership, kind: str, offset: int = 0, limit: int = 50
) -> tuple[list[DuplicatePair], int]:
    """One page of likely pairs with their records loaded, and the number of pairs in all."""
    pair_ids = duplicate_pair_ids(org=org, membership=membership, kind=kind)
    page = pair_ids[offset : offset + limit]
    wanted = {record_id for first, second, _reasons in page for record_id in (first, second)}
    queryset = duplicate_candidates(org=org, membership=membership, kind=kind)
    queryset = queryset.select_related("company") if kind == CONTACTS else queryset
    records = queryset.in_bulk(wanted) if wanted else {}
    pairs = [
        DuplicatePair(records[first], records[second], reasons)
        for first, second, reasons in page
        if first in records and second in records
    ]
    return pairs, len(pair_ids)
