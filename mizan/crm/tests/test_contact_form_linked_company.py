"""Editing a contact keeps its company even when that company is inactive or belongs to another
member (the picker used to leave it out, so the form dropped it or refused to save)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact

pytestmark = pytest.mark.django_db


def _company(tenant, name, *, owner, is_active=True):
    return Company.objects.create(
        organization=tenant.org, name_latin=name, search_name=name.lower(), owner=owner, is_active=is_active
    )


def _edit(client, contact, company_id):
    return client.post(
        reverse("crm:contact_update", args=[contact.pk]),
        {"name_latin": "Sara Renamed", "company": company_id or ""},
    )


def test_edit_keeps_an_inactive_company(tenant, owner_client):
    old = _company(tenant, "Closed Branch", owner=tenant.owner, is_active=False)
    contact = Contact.objects.create(
        organization=tenant.org, name_latin="Sara", search_name="sara", company=old, owner=tenant.owner
    )
    html = owner_client.get(reverse("crm:contact_update", args=[contact.pk])).content.decode()
    assert f'<option value="{old.pk}" selected>Closed Branch</option>' in html
    assert _edit(owner_client, contact, old.pk).status_code == 302
    contact.refresh_from_db()
    assert contact.name_latin == "Sara Renamed" and contact.company_id == old.pk


def test_own_visibility_member_keeps_a_company_they_do_not_own(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    theirs = _company(tenant, "Owner Holdings", owner=tenant.owner)
    contact = Contact.objects.create(
        organization=tenant.org, name_latin="Sara", search_name="sara", company=theirs, owner=sales.user
    )
    client = client_for(sales.user)
    assert _edit(client, contact, theirs.pk).status_code == 302
    contact.refresh_from_db()
    assert contact.company_id == theirs.pk
    # The new-contact form never offers it, whatever the query string says.
    html = client.get(reverse("crm:contact_create"), {"company": theirs.pk}).content.decode()
    assert "Owner Holdings" not in html


def test_api_edit_may_resend_the_contacts_company_but_not_link_another_hidden_one(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    theirs = _company(tenant, "Owner Holdings", owner=tenant.owner)
    other = _company(tenant, "Other Hidden", owner=tenant.owner)
    contact = Contact.objects.create(
        organization=tenant.org, name_latin="Sara", search_name="sara", company=theirs, owner=sales.user
    )
    api = token_client_for(sales)
    url = f"/api/v1/crm/contacts/{contact.pk}/"
    response = api.patch(url, {"job_title": "CFO", "company_id": theirs.pk}, format="json")
    assert response.status_code == 200
    assert api.patch(url, {"company_id": other.pk}, format="json").status_code == 404
    contact.refresh_from_db()
    assert contact.job_title == "CFO" and contact.company_id == theirs.pk
