"""Leads: creation from every channel, editing, disqualifying, default sources, and conversion
(new records, existing matches, twice refused, nothing half-saved)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from mizan.core.errors import DomainError
from mizan.core.models import AuditEntry, Organization
from mizan.core.roles import Role
from mizan.core.tests.factories import make_organization
from mizan.crm.models import Activity, Company, Contact, Deal, Lead, LeadSource
from mizan.crm.services.leads import (
    lead_conversion_matches,
    lead_convert,
    lead_disqualify,
    lead_source_create,
    lead_source_deactivate,
    lead_update,
)
from mizan.crm.tests.clients_helpers import make_company, make_contact, make_lead

pytestmark = pytest.mark.django_db


def test_new_organizations_get_the_default_sources(tenant):
    sources = LeadSource.objects.filter(organization=tenant.org).order_by("pk")
    assert [(source.name_en, source.name_ar) for source in sources] == [
        ("Website", "الموقع الإلكتروني"),
        ("Referral", "توصية"),
        ("Exhibition", "معرض"),
        ("Social media", "وسائل التواصل الاجتماعي"),
        ("Cold call", "اتصال مباشر"),
        ("Import", "استيراد"),
    ]
    assert all(source.is_active for source in sources)
    other = make_organization(country="EG")
    assert LeadSource.objects.filter(organization=other).count() == 6


def test_lead_create_by_a_member(tenant):
    sales = tenant.members[Role.SALES]
    source = LeadSource.objects.filter(organization=tenant.org).first()
    lead = make_lead(
        sales,
        person_name="أحمد سالم",
        company_name="مؤسسة النور",
        email="Ahmed@Alnoor.sa",
        phone="0501234567",
        estimated_value="25000.50",
        source=source,
    )
    assert (lead.owner, lead.source, lead.status) == (sales.user, source, Lead.Status.NEW)
    assert (lead.email, lead.phone) == ("ahmed@alnoor.sa", "+966501234567")
    assert (lead.estimated_value, lead.currency) == (Decimal("25000.50"), "SAR")
    assert lead.search_name.startswith("احمد سالم موسسه النور")
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=str(lead.pk), action="create"
    ).exists()


def test_lead_create_without_an_actor_has_no_owner(tenant):
    lead = make_lead(None, org=tenant.org, email="web@example.com", person_name="")
    assert lead.owner is None and lead.organization == tenant.org


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"person_name": "", "email": "", "phone": "", "company_name": ""}, "lead_empty", "person_name"),
        ({"phone": "0000"}, "invalid_phone", "phone"),
        ({"email": "bad@"}, "invalid_email", "email"),
        ({"estimated_value": "-5"}, "invalid_amount", "estimated_value"),
        ({"estimated_value": "abc"}, "invalid_amount", "estimated_value"),
        ({"currency": "XYZ"}, "invalid_currency", "currency"),
        ({"status": "converted"}, "invalid_status", "status"),
    ],
)
def test_bad_lead_saves_nothing(tenant, data, code, field):
    with pytest.raises(DomainError) as error:
        make_lead(tenant.members[Role.SALES], **data)
    assert (error.value.code, error.value.field) == (code, field)
    assert not Lead.objects.exists()


def test_another_organizations_source_is_refused(tenant, other_tenant):
    foreign = LeadSource.objects.filter(organization=other_tenant.org).first()
    with pytest.raises(DomainError) as error:
        make_lead(tenant.members[Role.SALES], source=foreign)
    assert error.value.code == "not_found"
    assert not Lead.objects.exists()


def test_lead_update_and_disqualify(tenant):
    sales = tenant.members[Role.SALES]
    lead = make_lead(sales)
    lead = lead_update(
        org=tenant.org, actor_membership=sales, lead=lead, data={"status": "contacted", "phone": "0501234567"}
    )
    assert (lead.status, lead.phone) == ("contacted", "+966501234567")
    lead = lead_disqualify(org=tenant.org, actor_membership=sales, lead=lead, reason="No budget")
    assert lead.status == Lead.Status.DISQUALIFIED
    activity = Activity.objects.get(lead=lead)
    assert (activity.kind, activity.body) == (Activity.Kind.SYSTEM, "No budget")
    with pytest.raises(DomainError) as error:
        lead_convert(org=tenant.org, actor_membership=sales, lead=lead)
    assert error.value.code == "lead_disqualified"
    lead = lead_update(org=tenant.org, actor_membership=sales, lead=lead, data={"status": "new"})
    assert lead.status == Lead.Status.NEW


def test_lead_sources_admin_needs_crm_manage(tenant):
    with pytest.raises(DomainError) as error:
        lead_source_create(org=tenant.org, actor_membership=tenant.members[Role.SALES], data={"name_en": "Fair"})
    assert error.value.code == "permission_denied"
    admin = tenant.members[Role.ADMIN]
    with pytest.raises(DomainError) as error:
        lead_source_create(org=tenant.org, actor_membership=admin, data={"name_en": " ", "name_ar": ""})
    assert error.value.code == "name_required"
    source = lead_source_create(org=tenant.org, actor_membership=admin, data={"name_en": "Fair", "name_ar": "معرض"})
    source = lead_source_deactivate(org=tenant.org, actor_membership=admin, source=source)
    assert not source.is_active
    assert LeadSource.objects.filter(organization=tenant.org).count() == 7


# --- conversion ----------------------------------------------------------------------------------


def test_convert_creates_company_contact_and_deal(tenant):
    sales = tenant.members[Role.SALES]
    source = LeadSource.objects.filter(organization=tenant.org, name_en="Referral").get()
    lead = make_lead(
        sales,
        person_name="سارة محمد",
        company_name="Desert Tech",
        email="sara@deserttech.sa",
        phone="0501234567",
        job_title="CEO",
        estimated_value="12000",
        source=source,
    )
    company, contact, deal = lead_convert(org=tenant.org, actor_membership=sales, lead=lead)
    assert (company.name_latin, company.name_ar, company.owner) == ("Desert Tech", "", sales.user)
    assert (contact.name_ar, contact.company, contact.email, contact.phone, contact.job_title) == (
        "سارة محمد",
        company,
        "sara@deserttech.sa",
        "+966501234567",
        "CEO",
    )
    assert (deal.company, list(deal.contacts.all()), deal.value, deal.currency, deal.source) == (
        company,
        [contact],
        Decimal("12000"),
        "SAR",
        source,
    )
    assert deal.stage.kind == "open" and deal.pipeline.organization == tenant.org
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_at is not None
    assert (lead.converted_company, lead.converted_contact, lead.converted_deal) == (company, contact, deal)
    system = Activity.objects.get(lead=lead, kind=Activity.Kind.SYSTEM)
    assert (system.company, system.contact, system.deal) == (company, contact, deal)


@translation.override("en")  # the messages are compared in English, whatever ran before
def test_converting_twice_is_refused_and_creates_nothing(tenant):
    sales = tenant.members[Role.SALES]
    lead = make_lead(sales, company_name="Once Co")
    lead_convert(org=tenant.org, actor_membership=sales, lead=lead)
    counts = (Company.objects.count(), Contact.objects.count(), Deal.objects.count(), Activity.objects.count())
    stale = Lead.objects.get(pk=lead.pk)
    stale.status = Lead.Status.QUALIFIED  # a copy read before the first conversion
    stale.converted_at = None
    with pytest.raises(DomainError) as error:
        lead_convert(org=tenant.org, actor_membership=sales, lead=stale)
    assert error.value.code == "lead_already_converted"
    assert error.value.message == "This lead has already been converted."
    assert (Company.objects.count(), Contact.objects.count(), Deal.objects.count(), Activity.objects.count()) == counts
    with pytest.raises(DomainError):
        lead_update(org=tenant.org, actor_membership=sales, lead=lead, data={"title": "x"})


def test_convert_reuses_existing_records(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Existing Co")
    contact = make_contact(sales, name_latin="Existing Person")
    lead = make_lead(sales, person_name="Someone", company_name="Existing Co")
    got_company, got_contact, deal = lead_convert(
        org=tenant.org,
        actor_membership=sales,
        lead=lead,
        company=company,
        contact=contact,
        deal_data={"title": "Big deal", "value": Decimal("5"), "currency": "USD"},
    )
    assert (got_company, got_contact) == (company, contact)
    assert Company.objects.count() == 1 and Contact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.company == company  # a contact without a company joins the chosen one
    assert (deal.title, deal.value, deal.currency) == ("Big deal", Decimal("5"), "USD")


def test_a_failing_deal_rolls_everything_back(tenant):
    sales = tenant.members[Role.SALES]
    lead = make_lead(sales, company_name="Rollback Co")
    with pytest.raises(DomainError):
        lead_convert(org=tenant.org, actor_membership=sales, lead=lead, deal_data={"value": Decimal("-1")})
    assert not Company.objects.exists() and not Contact.objects.exists() and not Deal.objects.exists()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_convert_with_another_organizations_company_is_not_found(tenant, other_tenant):
    sales = tenant.members[Role.SALES]
    foreign = make_company(other_tenant.members[Role.SALES], name_latin="Foreign")
    lead = make_lead(sales)
    with pytest.raises(DomainError) as error:
        lead_convert(org=tenant.org, actor_membership=sales, lead=lead, company=foreign)
    assert error.value.code == "not_found"
    assert not Deal.objects.exists() and not Contact.objects.exists()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


@translation.override("en")
def test_conversion_matches(tenant):
    sales = tenant.members[Role.SALES]
    by_domain = make_company(sales, name_latin="Alnoor Group", website="https://www.alnoor.sa")
    by_name = make_company(sales, name_ar="مؤسسة النور", name_latin="")
    make_company(sales, name_latin="Unrelated", email="x@gmail.com")
    same_email = make_contact(sales, name_latin="A. Salem", email="ahmed@alnoor.sa")
    same_phone = make_contact(sales, name_latin="Phone twin", phone="0501234567")
    make_contact(sales, name_latin="Gmail person", email="someone@gmail.com")
    lead = make_lead(
        sales, person_name="Ahmed", company_name="مؤسسه النور", email="ahmed@alnoor.sa", phone="+966501234567"
    )
    matches = lead_conversion_matches(org=tenant.org, lead=lead)
    contacts = {match.record.pk: [str(reason) for reason in match.reasons] for match in matches.contacts}
    assert contacts == {same_email.pk: ["Same e-mail"], same_phone.pk: ["Same phone"]}
    companies = {match.record.pk: [str(reason) for reason in match.reasons] for match in matches.companies}
    assert companies == {by_domain.pk: ["Same e-mail domain"], by_name.pk: ["Similar name"]}


def test_free_mail_domains_are_not_matched(tenant):
    sales = tenant.members[Role.SALES]
    make_company(sales, name_latin="Gmail Co", email="boss@gmail.com")
    make_contact(sales, name_latin="Other gmail", email="other@gmail.com")
    lead = make_lead(sales, person_name="Zed", email="zed@gmail.com")
    matches = lead_conversion_matches(org=tenant.org, lead=lead)
    assert matches.companies == [] and matches.contacts == []


def test_matches_honour_visibility(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    make_contact(tenant.members[Role.ADMIN], name_latin="Hidden", email="same@corp.sa")
    lead = make_lead(tenant.members[Role.SALES], email="same@corp.sa")
    assert lead_conversion_matches(org=tenant.org, lead=lead, membership=tenant.members[Role.SALES]).contacts == []
    assert len(lead_conversion_matches(org=tenant.org, lead=lead).contacts) == 1
