"""Type-ahead pickers (`crm_picker`): a form's select of clients lists only the chosen one, any
client of the organization still validates, and the picker's source is the visible CRM list."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from mizan.billing.forms.invoices import InvoiceForm
from mizan.billing.tests.factories import make_client
from mizan.crm.search import build_search_name

pytestmark = pytest.mark.django_db


def _options(form, name: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', str(form[name]))


def test_a_client_select_lists_only_the_chosen_client_and_validates_any(tenant, other_tenant):
    clients = [make_client(tenant.org, name_ar=f"عميل {n}", name_latin=f"Client {n}") for n in range(30)]
    chosen = clients[17]
    assert _options(InvoiceForm(org=tenant.org), "company") == [""]
    assert _options(InvoiceForm(org=tenant.org, initial={"company": chosen.pk}), "company") == ["", str(chosen.pk)]
    bound = InvoiceForm({"company": clients[29].pk}, org=tenant.org)
    bound.is_valid()
    assert "company" not in bound.errors and bound.cleaned_data["company"] == clients[29]
    assert _options(bound, "company") == ["", str(clients[29].pk)]
    foreign = make_client(other_tenant.org, name_ar="أجنبي", name_latin="Foreign")
    refused = InvoiceForm({"company": foreign.pk}, org=tenant.org)
    assert not refused.is_valid() and "company" in refused.errors


def test_the_picker_source_is_the_visible_active_client_list_of_the_api(tenant, owner_client):
    made = {}
    for name_ar, name_latin, is_active in (
        ("مؤسسة أحمد", "Ahmad Est", True),
        ("أحمد القديمة", "Old Ahmad", False),
        ("شركة النور", "Alnoor", True),
    ):
        search_name = build_search_name(name_ar, name_latin)
        made[name_latin] = make_client(
            tenant.org, name_ar=name_ar, name_latin=name_latin, is_active=is_active, search_name=search_name
        )
    html = owner_client.get(reverse("billing:invoice_create")).content.decode()
    select = re.search(r'<select name="company"[^>]*>', html).group(0)
    source = unescape(re.search(r'data-picker-source="([^"]+)"', select).group(1))
    assert "data-picker-depends" not in select
    found = owner_client.get(source, {"q": "احمد"}).json()["results"]
    assert [row["id"] for row in found] == [made["Ahmad Est"].pk]  # not the inactive one
    contact = re.search(r'<select name="contact"[^>]*>', html).group(0)
    assert 'data-picker-depends="company"' in contact


def test_a_credit_notes_disabled_client_stays_chosen_when_the_form_comes_back_with_an_error(tenant):
    """A disabled select is not submitted: the picker shows the field's initial client then."""
    from mizan.billing.services.invoices import credit_note_create
    from mizan.billing.tests.factories import billing_member, posted_invoice

    invoice = posted_invoice(tenant)
    credit_note = credit_note_create(
        org=tenant.org, actor_membership=billing_member(tenant), invoice=invoice, reason="x"
    )
    form = InvoiceForm({"issue_date": "not a date"}, org=tenant.org, instance=credit_note)
    assert not form.is_valid() and form.fields["company"].disabled
    assert _options(form, "company") == ["", str(invoice.company_id)]
    assert f'<option value="{invoice.company_id}" selected>' in str(form["company"])
