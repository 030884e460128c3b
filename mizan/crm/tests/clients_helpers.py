"""Builders for the clients & leads tests (deterministic, through the services)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from mizan.api.tests.conftest import token_for
from mizan.core.models import Membership
from mizan.crm.models import Company, Contact, Lead
from mizan.crm.services.clients import company_create, contact_create
from mizan.crm.services.leads import lead_create


def make_company(membership: Membership, **data: Any) -> Company:
    data.setdefault("name_latin", "Acme Trading")
    return company_create(org=membership.organization, actor_membership=membership, data=data)


def make_contact(membership: Membership, **data: Any) -> Contact:
    data.setdefault("name_latin", "Sara Ali")
    return contact_create(org=membership.organization, actor_membership=membership, data=data)


def make_lead(membership: Membership | None, org: Any = None, **data: Any) -> Lead:
    org = org or membership.organization
    data.setdefault("person_name", "Omar Hassan")
    source = data.pop("source", None)
    return lead_create(org=org, actor_membership=membership, data=data, source=source)


def api_client_for(membership: Membership) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(membership)}", HTTP_ACCEPT_LANGUAGE="en")
    return client
