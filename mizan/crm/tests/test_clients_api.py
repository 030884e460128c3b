"""/api/v1/crm/ companies, contacts, leads and lead sources: create/list/filter/update/convert,
bad input, visibility, other organizations' ids (404, nothing changed), flat query counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact, Deal, Lead, LeadSource
from mizan.crm.tests.clients_helpers import api_client_for, make_company, make_contact, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sales_api(tenant):
    return api_client_for(tenant.members[Role.SALES])


def test_create_and_list_companies(tenant, sales_api):
    response = sales_api.post(
        "/api/v1/crm/companies/",
        {"name_ar": "شركة مكة", "phone": "0501234567", "tags": ["vip", "retail"], "city": "Makkah"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phone"], body["owner_id"], sorted(body["tags"])) == (
        "+966501234567",
        tenant.user(Role.SALES).pk,
        ["retail", "vip"],
    )
    make_company(tenant.members[Role.SALES], name_latin="Other", city="Riyadh")
    listed = sales_api.get("/api/v1/crm/companies/", {"q": "مكه"}).json()
    assert [row["name_ar"] for row in listed["results"]] == ["شركة مكة"]
    by_city = sales_api.get("/api/v1/crm/companies/", {"city": "riyadh"}).json()
    assert [row["name_latin"] for row in by_city["results"]] == ["Other"]
    ordered = sales_api.get("/api/v1/crm/companies/", {"ordering": "-name"}).json()
    assert [row["name_latin"] for row in ordered["results"]] == ["", "Other"]


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"name_latin": "X", "phone": "123"}, "invalid_phone", "phone"),
        ({"name_latin": "X", "email": "x@"}, "invalid_email", "email"),
        ({"name_latin": ""}, "name_required", "name_ar"),
        ({"name_latin": "X", "owner_id": 999999}, "invalid_owner", "owner"),
        ({"name_latin": "X", "tags": "not a list"}, "not_a_list", "tags"),
    ],
)
def test_bad_company_creates_nothing(tenant, sales_api, payload, code, field):
    response = sales_api.post("/api/v1/crm/companies/", payload, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["message"]
    assert not Company.objects.exists()


def test_unknown_ordering_is_a_400(sales_api):
    response = sales_api.get("/api/v1/crm/contacts/", {"ordering": "notes"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ordering"


def test_update_and_deactivate_a_contact(tenant, sales_api):
    company = make_company(tenant.members[Role.SALES])
    contact = make_contact(tenant.members[Role.SALES], name_latin="Old")
    response = sales_api.patch(
        f"/api/v1/crm/contacts/{contact.pk}/", {"name_latin": "New", "company_id": company.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name_latin"], response.json()["company_id"]) == ("New", company.pk)
    assert sales_api.post(f"/api/v1/crm/contacts/{contact.pk}/deactivate/").json()["is_active"] is False
    listed = sales_api.get("/api/v1/crm/contacts/").json()
    assert listed["count"] == 0
    assert sales_api.get("/api/v1/crm/contacts/", {"state": "all"}).json()["count"] == 1


def test_another_organizations_ids_are_404_and_unchanged(tenant, other_tenant, token_client_owner):
    api = token_client_owner
    company = make_company(other_tenant.members[Role.SALES], name_latin="Foreign")
    contact = make_contact(other_tenant.members[Role.SALES], name_latin="Foreign contact")
    lead = make_lead(other_tenant.members[Role.SALES])
    source = LeadSource.objects.filter(organization=other_tenant.org).first()
    for url in [
        f"/api/v1/crm/companies/{company.pk}/",
        f"/api/v1/crm/contacts/{contact.pk}/",
        f"/api/v1/crm/leads/{lead.pk}/",
        f"/api/v1/crm/lead-sources/{source.pk}/",
    ]:
        assert api.get(url).status_code == 404
        assert api.patch(url, {"name_latin": "Hacked", "name_en": "Hacked"}, format="json").status_code == 404
    assert api.post(f"/api/v1/crm/companies/{company.pk}/deactivate/").status_code == 404
    assert api.post(f"/api/v1/crm/leads/{lead.pk}/convert/", {}, format="json").status_code == 404
    own_lead = make_lead(tenant.members[Role.OWNER])
    response = api.post(f"/api/v1/crm/leads/{own_lead.pk}/convert/", {"company_id": company.pk}, format="json")
    assert response.status_code == 404
    response = api.post("/api/v1/crm/contacts/", {"name_latin": "X", "company_id": company.pk}, format="json")
    assert response.status_code == 404
    response = api.post("/api/v1/crm/leads/", {"person_name": "X", "source_id": source.pk}, format="json")
    assert response.status_code == 404
    company.refresh_from_db()
    source.refresh_from_db()
    assert (company.name_latin, company.is_active, source.name_en) == ("Foreign", True, "Website")
    assert not Deal.objects.exists()
    assert not Contact.objects.filter(organization=tenant.org).exists()
    assert Lead.objects.filter(organization=tenant.org).count() == 1


@pytest.fixture
def token_client_owner(tenant):
    return api_client_for(tenant.members[Role.OWNER])


def test_own_visibility_in_the_api(tenant, sales_api):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    theirs = make_company(tenant.members[Role.ADMIN], name_latin="Theirs")
    mine = make_company(tenant.members[Role.SALES], name_latin="Mine")
    assert [row["id"] for row in sales_api.get("/api/v1/crm/companies/").json()["results"]] == [mine.pk]
    assert sales_api.get(f"/api/v1/crm/companies/{theirs.pk}/").status_code == 404
    assert sales_api.patch(f"/api/v1/crm/companies/{theirs.pk}/", {"city": "X"}, format="json").status_code == 404
    response = sales_api.post("/api/v1/crm/contacts/", {"name_latin": "C", "company_id": theirs.pk}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.city == ""


def test_lead_create_filter_and_convert(tenant, sales_api):
    source = LeadSource.objects.get(organization=tenant.org, name_en="Exhibition")
    response = sales_api.post(
        "/api/v1/crm/leads/",
        {
            "person_name": "Khalid",
            "company_name": "Falcon Co",
            "email": "khalid@falcon.ae",
            "phone": "+971501234567",
            "source_id": source.pk,
            "estimated_value": "1500.000",
            "currency": "AED",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    lead_id = response.json()["id"]
    assert response.json()["source_id"] == source.pk and response.json()["status"] == "new"
    assert [row["id"] for row in sales_api.get("/api/v1/crm/leads/", {"source": source.pk}).json()["results"]] == [
        lead_id
    ]
    assert sales_api.get("/api/v1/crm/leads/", {"status": "converted"}).json()["count"] == 0
    existing = make_company(tenant.members[Role.SALES], name_latin="Falcon Company", email="info@falcon.ae")
    response = sales_api.post(
        f"/api/v1/crm/leads/{lead_id}/convert/",
        {"company_id": existing.pk, "deal": {"title": "Falcon deal", "expected_close_date": "2030-01-31"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    deal = Deal.objects.get(pk=body["deal_id"])
    assert (body["company_id"], body["lead"]["status"], body["lead"]["converted_deal_id"]) == (
        existing.pk,
        "converted",
        deal.pk,
    )
    assert (deal.title, str(deal.value), deal.currency, deal.source) == ("Falcon deal", "1500.000", "AED", source)
    again = sales_api.post(f"/api/v1/crm/leads/{lead_id}/convert/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "lead_already_converted"
    assert Deal.objects.count() == 1 and Company.objects.count() == 1


def test_bad_lead_creates_nothing(sales_api):
    response = sales_api.post("/api/v1/crm/leads/", {"email": "bad"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_email", "email")
    response = sales_api.post("/api/v1/crm/leads/", {}, format="json")
    assert response.json()["code"] == "lead_empty"
    assert not Lead.objects.exists()


def test_lead_sources_api(tenant, sales_api, token_client_owner):
    assert sales_api.get("/api/v1/crm/lead-sources/").json()["count"] == 6
    assert sales_api.post("/api/v1/crm/lead-sources/", {"name_en": "X"}, format="json").status_code == 403
    response = token_client_owner.post("/api/v1/crm/lead-sources/", {"name_en": "Partner"}, format="json")
    assert response.status_code == 201
    source_id = response.json()["id"]
    assert token_client_owner.post(f"/api/v1/crm/lead-sources/{source_id}/deactivate/").json()["is_active"] is False


def test_members_without_crm_view_get_403(tenant):
    api = api_client_for(tenant.members[Role.EMPLOYEE])
    assert api.get("/api/v1/crm/companies/").status_code == 403
    assert api.post("/api/v1/crm/leads/", {"person_name": "X"}, format="json").status_code == 403
    assert not Lead.objects.exists()


@pytest.mark.parametrize("url", ["/api/v1/crm/companies/", "/api/v1/crm/contacts/", "/api/v1/crm/leads/"])
def test_api_list_query_count_does_not_grow(tenant, sales_api, url):
    sales = tenant.members[Role.SALES]

    def add(start, n):
        for i in range(start, start + n):
            company = make_company(sales, name_latin=f"Co {i}", tags=["a", f"t{i}"])
            make_contact(sales, name_latin=f"P {i}", company=company, tags=["b"])
            make_lead(sales, person_name=f"L {i}")

    add(0, 3)
    sales_api.get(url)
    with CaptureQueriesContext(connection) as few:
        assert sales_api.get(url).status_code == 200
    add(3, 20)
    with CaptureQueriesContext(connection) as many:
        assert sales_api.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
