"""Lead pages, the convert page (existing matches first, 404 for another organization's record),
lead sources admin, visibility and other organizations' ids."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.core.models import Organization
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact, Deal, Lead, LeadSource
from mizan.crm.tests.clients_helpers import make_company, make_contact, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client(tenant):
    return client_for(tenant.user(Role.SALES))


def test_lead_list_filters_and_search(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    website = LeadSource.objects.get(organization=tenant.org, name_en="Website")
    make_lead(sales, person_name="أحمد", source=website)
    make_lead(sales, person_name="Mona", status="contacted")
    url = reverse("crm:lead_list")

    def names(**params):
        response = sales_client.get(url, params)
        assert response.status_code == 200
        return sorted(lead.person_name for lead in response.context["leads"])

    assert names() == ["Mona", "أحمد"]
    assert names(q="احمد") == ["أحمد"]
    assert names(status="contacted") == ["Mona"]
    assert names(source=website.pk) == ["أحمد"]
    assert names(owner=tenant.user(Role.ADMIN).pk) == []


def test_lead_list_query_count_is_flat(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    source = LeadSource.objects.filter(organization=tenant.org).first()
    url = reverse("crm:lead_list")
    for i in range(5):
        make_lead(sales, person_name=f"Lead {i}", source=source)
    sales_client.get(url)
    with CaptureQueriesContext(connection) as few:
        sales_client.get(url)
    for i in range(5, 40):
        make_lead(sales, person_name=f"Lead {i}", source=source)
    with CaptureQueriesContext(connection) as many:
        sales_client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_lead_detail_shows_score_reasons(tenant, sales_client):
    lead = make_lead(tenant.members[Role.SALES], person_name="Scored")
    Lead.objects.filter(pk=lead.pk).update(
        score=25,
        score_reasons=[
            {"rule": 1, "label": "Business e-mail", "points": 15},
            {"rule": 2, "label": "Referral", "points": 10},
        ],
    )
    response = sales_client.get(reverse("crm:lead_detail", args=[lead.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Business e-mail" in html and "+15" in html and "Referral" in html
    assert reverse("crm:lead_convert", args=[lead.pk]) in html


def test_create_lead_through_the_form(tenant, sales_client):
    source = LeadSource.objects.filter(organization=tenant.org).first()
    response = sales_client.post(
        reverse("crm:lead_create"),
        {"person_name": "Nadia", "phone": "0501234567", "status": "new", "source": source.pk, "currency": ""},
    )
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert (lead.phone, lead.source, lead.owner) == ("+966501234567", source, tenant.user(Role.SALES))
    bad = sales_client.post(reverse("crm:lead_create"), {"person_name": "X", "email": "nope", "status": "new"})
    assert bad.status_code == 400 and bad.context["form"].errors["email"]
    assert Lead.objects.count() == 1


def test_disqualify_through_the_page(tenant, sales_client):
    lead = make_lead(tenant.members[Role.SALES])
    response = sales_client.post(reverse("crm:lead_disqualify", args=[lead.pk]), {"reason": "Too small"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED


def test_convert_page_offers_matches_first_and_converts(tenant, sales_client):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Nile Co", email="info@nile.eg")
    lead = make_lead(sales, person_name="Hany", company_name="Nile Company", email="hany@nile.eg")
    url = reverse("crm:lead_convert", args=[lead.pk])
    response = sales_client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields["company_choice"].choices[0][0] == str(company.pk)
    assert form.fields["company_choice"].initial == str(company.pk)
    assert "Same e-mail domain" in response.content.decode()
    response = sales_client.post(
        url,
        {
            "company_choice": str(company.pk),
            "contact_choice": "new",
            "deal_title": "Nile website",
            "deal_value": "9000",
            "deal_currency": "EGP",
        },
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.title, deal.company, deal.currency) == ("Nile website", company, "EGP")
    assert Company.objects.count() == 1 and Contact.objects.get().company == company
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    again = sales_client.post(url, {"company_choice": "new", "contact_choice": "new", "deal_currency": "SAR"})
    assert again.status_code == 302
    assert Deal.objects.count() == 1 and Company.objects.count() == 1


def test_records_without_an_owner_render_a_dash_not_a_500(tenant, owner_client):
    """Regression: a web-form lead with "Nobody" as owner made the lead list 500
    (`|default:lead.owner.email` raises when owner is None); companies and contacts had the same template line."""
    lead = make_lead(None, org=tenant.org, person_name="Web visitor")
    assert lead.owner_id is None
    owner = tenant.members[Role.OWNER]
    company = make_company(owner, name_latin="Ownerless Co")
    contact = make_contact(owner, name_latin="Ownerless Person")
    Company.objects.filter(pk=company.pk).update(owner=None)
    Contact.objects.filter(pk=contact.pk).update(owner=None)
    for url in (
        reverse("crm:lead_list"),
        reverse("crm:lead_detail", args=[lead.pk]),
        reverse("crm:company_list"),
        reverse("crm:company_detail", args=[company.pk]),
        reverse("crm:contact_list"),
        reverse("crm:contact_detail", args=[contact.pk]),
    ):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert "—" in response.content.decode()


def test_convert_page_shows_real_radio_buttons(tenant, sales_client):
    """Regression: the company/contact choices rendered as empty text boxes (class form-control)."""
    sales = tenant.members[Role.SALES]
    make_company(sales, name_latin="Nile Co", email="info@nile.eg")
    lead = make_lead(sales, person_name="Hany", company_name="Nile Company", email="hany@nile.eg")
    html = sales_client.get(reverse("crm:lead_convert", args=[lead.pk])).content.decode()
    radios = [tag for tag in html.split("<input") if 'type="radio"' in tag]
    assert len(radios) >= 3
    assert all('class="form-check-input"' in tag for tag in radios)


def test_convert_with_another_organizations_company_is_404(tenant, other_tenant, sales_client):
    foreign = make_company(other_tenant.members[Role.SALES], name_latin="Foreign")
    lead = make_lead(tenant.members[Role.SALES], company_name="Mine")
    response = sales_client.post(
        reverse("crm:lead_convert", args=[lead.pk]),
        {"company_choice": str(foreign.pk), "contact_choice": "new", "deal_currency": "SAR"},
    )
    assert response.status_code == 404
    assert not Deal.objects.exists() and not Contact.objects.exists()
    assert Company.objects.filter(organization=tenant.org).count() == 0
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_own_visibility_hides_a_colleagues_lead(tenant, sales_client):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    theirs = make_lead(tenant.members[Role.ADMIN], person_name="Theirs")
    mine = make_lead(tenant.members[Role.SALES], person_name="Mine")
    response = sales_client.get(reverse("crm:lead_list"))
    assert [lead.pk for lead in response.context["leads"]] == [mine.pk]
    for name in ("crm:lead_detail", "crm:lead_update", "crm:lead_convert"):
        assert sales_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert sales_client.post(reverse("crm:lead_disqualify", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Lead.Status.NEW


def test_another_organizations_lead_and_source_are_404_and_unchanged(tenant, other_tenant, owner_client):
    lead = make_lead(other_tenant.members[Role.SALES], person_name="Foreign")
    source = LeadSource.objects.filter(organization=other_tenant.org).first()
    for name in ("crm:lead_detail", "crm:lead_update", "crm:lead_convert"):
        assert owner_client.get(reverse(name, args=[lead.pk])).status_code == 404
    assert owner_client.post(reverse("crm:lead_disqualify", args=[lead.pk])).status_code == 404
    assert owner_client.post(reverse("crm:lead_convert", args=[lead.pk]), {}).status_code == 404
    assert (
        owner_client.post(reverse("crm:lead_source_update", args=[source.pk]), {"name_en": "Hacked"}).status_code == 404
    )
    assert owner_client.post(reverse("crm:lead_source_deactivate", args=[source.pk])).status_code == 404
    lead.refresh_from_db()
    source.refresh_from_db()
    assert lead.status == Lead.Status.NEW and not Deal.objects.exists()
    assert (source.name_en, source.is_active) == ("Website", True)


def test_lead_sources_admin(tenant, owner_client, sales_client):
    url = reverse("crm:lead_source_list")
    assert sales_client.get(url).status_code == 403
    response = owner_client.get(url)
    assert response.status_code == 200 and "Exhibition" in response.content.decode()
    assert owner_client.post(reverse("crm:lead_source_create"), {"name_en": "", "name_ar": ""}).status_code == 400
    assert (
        owner_client.post(reverse("crm:lead_source_create"), {"name_en": "Fair", "name_ar": "معرض"}).status_code == 302
    )
    source = LeadSource.objects.get(organization=tenant.org, name_en="Fair")
    owner_client.post(reverse("crm:lead_source_update", args=[source.pk]), {"name_en": "Trade fair", "name_ar": "معرض"})
    owner_client.post(reverse("crm:lead_source_deactivate", args=[source.pk]))
    source.refresh_from_db()
    assert (source.name_en, source.is_active) == ("Trade fair", False)
    owner_client.post(reverse("crm:lead_source_deactivate", args=[source.pk]), {"active": "1"})
    source.refresh_from_db()
    assert source.is_active


def test_global_search_finds_crm_records_it_may_show(tenant, other_tenant, sales_client):
    sales = tenant.members[Role.SALES]
    make_company(sales, name_ar="شركة مكة", name_latin="")
    make_contact(sales, name_ar="أحمد مكي", name_latin="")
    make_lead(sales, person_name="مكة ليد")
    make_company(other_tenant.members[Role.SALES], name_ar="مكة الأخرى", name_latin="")
    response = sales_client.get(reverse("core:search"), {"q": "مكه"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "شركة مكة" in html and "مكة ليد" in html and "مكة الأخرى" not in html
    employee = client_for(tenant.user(Role.EMPLOYEE)).get(reverse("core:search"), {"q": "مكه"})
    assert "شركة مكة" not in employee.content.decode()
