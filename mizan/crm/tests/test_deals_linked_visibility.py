"""A sales member who sees only their own records cannot pick, link or probe another member's
company or contact through a deal: not in the form's choices, not through the API, not as a filter."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.api.tests.conftest import token_client_for
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact, Deal
from mizan.crm.tests.deal_helpers import default_pipeline, make_deal

pytestmark = pytest.mark.django_db

BASE = "/api/v1/crm"


@pytest.fixture
def own_visibility(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    records = {
        "my_company": Company.objects.create(
            organization=tenant.org, name_latin="Mine Trading", search_name="mine trading", owner=sales.user
        ),
        "hidden_company": Company.objects.create(
            organization=tenant.org, name_latin="Secret Holdings", search_name="secret holdings", owner=tenant.owner
        ),
        "my_contact": Contact.objects.create(
            organization=tenant.org, name_latin="Mona Mine", search_name="mona mine", owner=sales.user
        ),
        "hidden_contact": Contact.objects.create(
            organization=tenant.org, name_latin="Hidden Hana", search_name="hidden hana", owner=tenant.owner
        ),
    }
    return sales, records


def test_deal_form_offers_only_visible_companies_and_contacts(tenant, own_visibility):
    sales, _records = own_visibility
    browser = client_for(sales.user)
    html = browser.get(reverse("crm:deal_create")).content.decode()
    assert "Secret Holdings" not in html and "Hidden Hana" not in html
    # The pickers list no record in the page; they search the API, with the same rule.
    for name, visible in (("company", "Mine Trading"), ("contacts", "Mona Mine")):
        select = re.search(rf'<select name="{name}"[^>]*>', html).group(0)
        source = unescape(re.search(r'data-picker-source="([^"]+)"', select).group(1))
        found = browser.get(source, {"q": ""}).json()["results"]
        assert [row["display_name"] for row in found] == [visible]


def test_deal_form_refuses_a_hidden_company_and_creates_nothing(tenant, own_visibility):
    sales, records = own_visibility
    response = client_for(sales.user).post(
        reverse("crm:deal_create"),
        {
            "title": "Probe",
            "pipeline": default_pipeline(tenant.org).pk,
            "company": records["hidden_company"].pk,
            "contacts": [records["hidden_contact"].pk],
            "value": "10",
            "currency": "SAR",
            "owner": sales.user_id,
        },
    )
    assert response.status_code == 400
    assert "Secret Holdings" not in response.content.decode()
    assert not Deal.objects.filter(title="Probe").exists()


def test_deal_edit_keeps_a_company_the_deal_already_links(tenant, own_visibility):
    sales, records = own_visibility
    deal = make_deal(tenant, title="Shared", company=records["hidden_company"], owner=sales.user)
    response = client_for(sales.user).post(
        reverse("crm:deal_edit", args=[deal.pk]),
        {
            "title": "Shared, renamed",
            "company": records["hidden_company"].pk,
            "value": "10",
            "currency": "SAR",
            "owner": sales.user_id,
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.title == "Shared, renamed" and deal.company_id == records["hidden_company"].pk


def test_api_linking_a_hidden_company_or_contact_is_404_and_changes_nothing(tenant, own_visibility):
    sales, records = own_visibility
    api = token_client_for(sales)
    response = api.post(f"{BASE}/deals/", {"title": "Probe", "company": records["hidden_company"].pk}, format="json")
    assert response.status_code == 404
    assert "Secret Holdings" not in response.content.decode()
    assert not Deal.objects.filter(title="Probe").exists()
    mine = make_deal(tenant, membership=sales, title="Mine", contacts=[records["my_contact"]])
    response = api.patch(
        f"{BASE}/deals/{mine.pk}/",
        {"company": records["hidden_company"].pk, "contacts": [records["hidden_contact"].pk]},
        format="json",
    )
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.company_id is None
    assert list(mine.contacts.values_list("pk", flat=True)) == [records["my_contact"].pk]
    response = api.patch(
        f"{BASE}/deals/{mine.pk}/",
        {"company": records["my_company"].pk, "value": "25"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["company_name"] == "Mine Trading"
    assert Deal.objects.get(pk=mine.pk).value == Decimal("25")


def test_api_resending_an_already_linked_hidden_company_is_accepted(tenant, own_visibility):
    sales, records = own_visibility
    deal = make_deal(tenant, title="Shared", company=records["hidden_company"], owner=sales.user)
    response = token_client_for(sales).patch(
        f"{BASE}/deals/{deal.pk}/", {"title": "Renamed", "company": records["hidden_company"].pk}, format="json"
    )
    assert response.status_code == 200
    assert Deal.objects.get(pk=deal.pk).title == "Renamed"


def test_deal_company_filter_does_not_confirm_a_hidden_company(tenant, own_visibility):
    sales, records = own_visibility
    api = token_client_for(sales)
    hidden = api.get(f"{BASE}/deals/", {"company": records["hidden_company"].pk})
    missing = api.get(f"{BASE}/deals/", {"company": 999999})
    assert hidden.status_code == missing.status_code == 400
    assert api.get(f"{BASE}/deals/", {"company": records["my_company"].pk}).status_code == 200
