"""Company and contact pages: lists (search, filters, ordering, query counts), record pages,
forms with bad input, visibility and other organizations' ids (404, nothing changed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact
from mizan.crm.tests.clients_helpers import make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client(tenant):
    return client_for(tenant.user(Role.SALES))


def _own_visibility(org):
    org.sales_visibility = Organization.SalesVisibility.OWN
    org.save()


def test_company_list_search_is_arabic_aware(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    make_company(sales, name_ar="مؤسسة أحمد", name_latin="")
    make_company(sales, name_ar="شركة مكة", name_latin="")
    make_company(sales, name_latin="Gulf Tech", phone="0501234567", email="hello@gulf.tech")
    url = reverse("crm:company_list")

    def names(query):
        response = sales_client.get(url, {"q": query})
        assert response.status_code == 200
        return sorted(str(company) for company in response.context["companies"])

    assert names("احمد") == ["مؤسسة أحمد"]
    assert names("مكه") == ["شركة مكة"]
    assert names("GULF") == ["Gulf Tech"]
    assert names("050 123 4567") == ["Gulf Tech"]
    assert names("+966501234567") == ["Gulf Tech"]
    assert names("gulf.tech") == ["Gulf Tech"]
    assert names("nothing") == []
    assert len(names("")) == 3


def test_contact_search_finds_hamza_variants_and_is_scoped(tenant, other_tenant, sales_client):
    make_contact(tenant.members[Role.SALES], name_ar="أحمد", name_latin="")
    make_contact(other_tenant.members[Role.SALES], name_ar="أحمد", name_latin="Other org")
    response = sales_client.get(reverse("crm:contact_list"), {"q": "احمد"})
    assert [contact.name_latin for contact in response.context["contacts"]] == [""]
    assert "أحمد" in response.content.decode()


def test_company_filters_and_ordering(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    make_company(sales, name_latin="B Riyadh", city="Riyadh", industry="Retail", tags="vip")
    make_company(sales, name_latin="A Jeddah", city="Jeddah", industry="Retail", country="SA")
    make_company(sales, name_latin="C Cairo", city="Cairo", country="EG", owner=tenant.user(Role.ADMIN))
    inactive = make_company(sales, name_latin="D Gone")
    Company.objects.filter(pk=inactive.pk).update(is_active=False)
    url = reverse("crm:company_list")

    def names(**params):
        response = sales_client.get(url, params)
        assert response.status_code == 200
        return [company.name_latin for company in response.context["companies"]]

    assert names() == ["A Jeddah", "B Riyadh", "C Cairo"]
    assert names(ordering="-name") == ["C Cairo", "B Riyadh", "A Jeddah"]
    assert names(ordering="city") == ["C Cairo", "A Jeddah", "B Riyadh"]
    assert names(ordering="password") == ["A Jeddah", "B Riyadh", "C Cairo"]  # not allowed: default order
    assert names(industry="retail") == ["A Jeddah", "B Riyadh"]
    assert names(country="eg") == ["C Cairo"]
    assert names(owner=tenant.user(Role.ADMIN).pk) == ["C Cairo"]
    assert names(tag=_tag_id(tenant, "vip")) == ["B Riyadh"]
    assert names(state="inactive") == ["D Gone"]
    assert len(names(state="all")) == 4


def _tag_id(tenant, name):
    from mizan.crm.models import Tag

    return Tag.objects.get(organization=tenant.org, name=name).pk


def test_contact_list_filters_by_company(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    company = make_company(sales)
    make_contact(sales, name_latin="In company", company=company)
    make_contact(sales, name_latin="Alone")
    response = sales_client.get(reverse("crm:contact_list"), {"company": company.pk})
    assert [contact.name_latin for contact in response.context["contacts"]] == ["In company"]


def _list_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url_name", ["crm:company_list", "crm:contact_list"])
def test_list_query_count_does_not_grow_with_rows(tenant, sales_client, url_name):
    sales = tenant.members[Role.SALES]
    url = reverse(url_name)

    def add(n, start):
        for i in range(start, start + n):
            company = make_company(sales, name_latin=f"Company {i:03}", tags=[f"tag {i % 3}", "all"])
            make_contact(sales, name_latin=f"Contact {i:03}", company=company, tags=["x"])

    add(5, 0)
    sales_client.get(url)
    few = _list_queries(sales_client, url)
    add(35, 5)
    many = _list_queries(sales_client, url)
    assert many == few
    searched = _list_queries(sales_client, url + "?q=0&ordering=-name")
    assert searched == few


def test_company_detail_shows_contacts_deals_and_history(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_ar="شركة النيل", name_latin="Nile Co", phone="0501234567", tags="vip")
    make_contact(sales, name_latin="Mona Adel", company=company)
    response = sales_client.get(reverse("crm:company_detail", args=[company.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mona Adel" in html and "+966501234567" in html and "vip" in html
    assert response.context["audit_entries"][0].action == "create"
    assert 'style="' not in html and "<script>" not in html


def test_contact_detail(tenant, sales_client):
    contact = make_contact(tenant.members[Role.SALES], name_latin="Mona Adel", email="mona@example.com")
    response = sales_client.get(reverse("crm:contact_detail", args=[contact.pk]))
    assert response.status_code == 200
    assert "mona@example.com" in response.content.decode()


def test_create_company_through_the_form(tenant, sales_client):
    response = sales_client.post(
        reverse("crm:company_create"),
        {"name_ar": "شركة الخليج", "phone": "0501234567", "email": "a@gulf.sa", "tags": "one, two", "owner": ""},
    )
    company = Company.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:company_detail", args=[company.pk])
    assert (company.phone, company.owner) == ("+966501234567", tenant.user(Role.SALES))


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name_latin": "X", "phone": "123"}, "phone"), ({"name_latin": "X", "email": "nope"}, "email"), ({}, "name_ar")],
)
def test_company_form_bad_input_shows_a_field_error_and_saves_nothing(tenant, sales_client, data, field):
    response = sales_client.post(reverse("crm:company_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Company.objects.exists()


def test_edit_contact_through_the_form(tenant, sales_client):
    contact = make_contact(tenant.members[Role.SALES], name_latin="Old")
    url = reverse("crm:contact_update", args=[contact.pk])
    assert sales_client.get(url).status_code == 200
    response = sales_client.post(url, {"name_latin": "New", "mobile": "0501234567"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name_latin, contact.mobile) == ("New", "+966501234567")
    bad = sales_client.post(url, {"name_latin": "Newer", "mobile": "1"})
    assert bad.status_code == 400 and bad.context["form"].errors["mobile"]
    contact.refresh_from_db()
    assert contact.name_latin == "New"


def test_deactivate_and_reactivate(tenant, sales_client):
    company = make_company(tenant.members[Role.SALES])
    sales_client.post(reverse("crm:company_deactivate", args=[company.pk]))
    company.refresh_from_db()
    assert not company.is_active
    sales_client.post(reverse("crm:company_reactivate", args=[company.pk]))
    company.refresh_from_db()
    assert company.is_active


def test_own_visibility_hides_a_colleagues_records(tenant, sales_client):
    _own_visibility(tenant.org)
    admin = tenant.members[Role.ADMIN]
    theirs = make_company(admin, name_latin="Theirs")
    their_contact = make_contact(admin, name_latin="Their contact")
    mine = make_company(tenant.members[Role.SALES], name_latin="Mine")
    response = sales_client.get(reverse("crm:company_list"))
    assert [company.pk for company in response.context["companies"]] == [mine.pk]
    for name, pk in [
        ("crm:company_detail", theirs.pk),
        ("crm:company_update", theirs.pk),
        ("crm:contact_detail", their_contact.pk),
    ]:
        assert sales_client.get(reverse(name, args=[pk])).status_code == 404
    assert sales_client.post(reverse("crm:company_deactivate", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    # The admin sees everything; with "all" visibility so does the sales member.
    assert client_for(admin.user).get(reverse("crm:company_detail", args=[mine.pk])).status_code == 200
    tenant.org.sales_visibility = Organization.SalesVisibility.ALL
    tenant.org.save()
    assert sales_client.get(reverse("crm:company_detail", args=[theirs.pk])).status_code == 200


def test_another_organizations_ids_are_404_and_unchanged(tenant, other_tenant, owner_client):
    company = make_company(other_tenant.members[Role.SALES], name_latin="Foreign")
    contact = make_contact(other_tenant.members[Role.SALES], name_latin="Foreign contact")
    for name, pk in [
        ("crm:company_detail", company.pk),
        ("crm:company_update", company.pk),
        ("crm:contact_detail", contact.pk),
        ("crm:contact_update", contact.pk),
    ]:
        assert owner_client.get(reverse(name, args=[pk])).status_code == 404
    for name, pk in [
        ("crm:company_update", company.pk),
        ("crm:company_deactivate", company.pk),
        ("crm:contact_update", contact.pk),
        ("crm:contact_deactivate", contact.pk),
    ]:
        assert owner_client.post(reverse(name, args=[pk]), {"name_latin": "Hacked"}).status_code == 404
    company.refresh_from_db()
    contact.refresh_from_db()
    assert (company.name_latin, company.is_active) == ("Foreign", True)
    assert (contact.name_latin, contact.is_active) == ("Foreign contact", True)
    response = owner_client.post(reverse("crm:contact_create"), {"name_latin": "Sneaky", "company": company.pk})
    assert response.status_code == 400
    assert not Contact.objects.filter(organization=tenant.org).exists()


def test_members_without_crm_access_are_refused(tenant):
    client = client_for(tenant.user(Role.EMPLOYEE))
    assert client.get(reverse("crm:company_list")).status_code == 403
    accountant = client_for(tenant.user(Role.ACCOUNTANT))
    assert accountant.get(reverse("crm:company_list")).status_code == 200
    assert accountant.post(reverse("crm:company_create"), {"name_latin": "X"}).status_code == 403
    assert not Company.objects.exists()


def test_sidebar_has_the_crm_section(tenant, sales_client):
    html = sales_client.get(reverse("crm:company_list")).content.decode()
    for name in ("crm:company_list", "crm:contact_list", "crm:lead_list"):
        assert f'href="{reverse(name)}"' in html
    assert reverse("crm:lead_source_list") not in html
    assert reverse("crm:lead_source_list") in client_for(tenant.owner).get(reverse("crm:company_list")).content.decode()


def test_list_pages_render_in_arabic(tenant):
    client = client_for(tenant.user(Role.SALES))
    make_company(tenant.members[Role.SALES], name_ar="شركة الخليج", name_latin="")
    response = client.get(reverse("crm:company_list"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
