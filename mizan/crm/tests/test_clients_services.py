"""Company and contact services: validation, search key, tags, owner, audit, visibility."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Organization
from mizan.core.roles import Role
from mizan.crm.models import Company, Contact, Tag
from mizan.crm.services.clients import company_deactivate, company_update, contact_create, contact_update
from mizan.crm.tests.clients_helpers import make_company, make_contact

pytestmark = pytest.mark.django_db


def _audit(instance):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    ).order_by("id")


def test_company_create_normalizes_and_audits(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(
        sales,
        name_ar="  شركة مكة للتجارة ",
        name_latin="Makkah Trading",
        email=" Info@Makkah.SA ",
        phone="٠١٢٥٥٥١٢٣٤",
        website="makkah.sa",
        country="sa",
        tags="Retail, VIP, retail",
    )
    company.refresh_from_db()
    assert company.organization == tenant.org
    assert (company.name_ar, company.email, company.phone) == ("شركة مكة للتجارة", "info@makkah.sa", "+966125551234")
    assert (company.website, company.country, company.owner) == ("https://makkah.sa", "SA", sales.user)
    assert company.search_name.startswith("شركه مكه للتجاره makkah trading info@makkah.sa")
    assert "0125551234" in company.search_name
    assert sorted(company.tags.values_list("name", flat=True)) == ["Retail", "VIP"]
    assert [entry.action for entry in _audit(company)] == ["create"]


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"name_ar": "", "name_latin": "  "}, "name_required", "name_ar"),
        ({"phone": "12345"}, "invalid_phone", "phone"),
        ({"email": "not-an-email"}, "invalid_email", "email"),
        ({"website": "http://"}, "invalid_website", "website"),
        ({"country": "XX"}, "invalid_country", "country"),
        ({"tags": ["x" * 61]}, "tag_too_long", "tags"),
    ],
)
def test_company_bad_input_saves_nothing(tenant, data, code, field):
    data = {"name_latin": "Acme", **data}
    with pytest.raises(DomainError) as error:
        make_company(tenant.members[Role.SALES], **data)
    assert (error.value.code, error.value.field) == (code, field)
    assert error.value.message
    assert not Company.objects.exists()
    assert not Tag.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="company").exists()


def test_company_phone_uses_the_company_country_then_the_organization(tenant):
    sales = tenant.members[Role.SALES]
    assert make_company(sales, phone="01001234567", country="EG").phone == "+201001234567"
    assert make_company(sales, phone="0501234567").phone == "+966501234567"  # the organization is Saudi


def test_owner_must_be_a_member(tenant, other_tenant):
    with pytest.raises(DomainError) as error:
        make_company(tenant.members[Role.SALES], owner=other_tenant.owner)
    assert (error.value.code, error.value.field) == ("invalid_owner", "owner")
    assert not Company.objects.exists()
    company = make_company(tenant.members[Role.SALES], owner=tenant.user(Role.ADMIN))
    assert company.owner == tenant.user(Role.ADMIN)


def test_company_update_audits_changes_and_tags(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Acme", tags=["A"])
    updated = company_update(
        org=tenant.org,
        actor_membership=sales,
        company=company,
        data={"name_ar": "أكمي", "phone": "0501234567", "tags": ["B"]},
    )
    assert (updated.name_ar, updated.phone) == ("أكمي", "+966501234567")
    assert updated.search_name.startswith("اكمي acme")
    entry = _audit(company).last()
    assert entry.action == "update"
    assert entry.changes["name_ar"] == ["", "أكمي"]
    assert entry.changes["tags"] == ["A", "B"]
    assert "search_name" not in entry.changes


def test_update_with_bad_phone_changes_nothing(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Acme", phone="0501234567")
    with pytest.raises(DomainError):
        company_update(
            org=tenant.org, actor_membership=sales, company=company, data={"name_latin": "New", "phone": "1"}
        )
    company.refresh_from_db()
    assert (company.name_latin, company.phone) == ("Acme", "+966501234567")
    assert _audit(company).count() == 1


def test_removing_both_names_is_refused(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Acme")
    with pytest.raises(DomainError) as error:
        company_update(org=tenant.org, actor_membership=sales, company=company, data={"name_latin": ""})
    assert error.value.code == "name_required"
    company.refresh_from_db()
    assert company.name_latin == "Acme"


def test_members_without_crm_edit_cannot_write(tenant):
    for role in (Role.EMPLOYEE, Role.ACCOUNTANT, Role.PROJECT_MANAGER):
        with pytest.raises(PermissionDeniedError):
            make_company(tenant.members[role])
    assert not Company.objects.exists()


def test_sales_member_with_own_visibility_cannot_touch_a_colleagues_company(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    company = make_company(tenant.members[Role.ADMIN], name_latin="Admin's")
    with pytest.raises(DomainError) as error:
        company_deactivate(org=tenant.org, actor_membership=tenant.members[Role.SALES], company=company)
    assert error.value.code == "not_found"
    company.refresh_from_db()
    assert company.is_active


def test_another_organizations_company_cannot_be_used(tenant, other_tenant):
    foreign = make_company(other_tenant.members[Role.SALES], name_latin="Foreign")
    with pytest.raises(DomainError) as error:
        company_update(org=tenant.org, actor_membership=tenant.members[Role.ADMIN], company=foreign, data={})
    assert error.value.code == "not_found"
    with pytest.raises(DomainError):
        make_contact(tenant.members[Role.ADMIN], company=foreign)
    assert not Contact.objects.exists()


def test_contact_create_and_update(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales, name_latin="Nile Co", country="EG")
    contact = make_contact(
        sales,
        name_ar="أحمد علي",
        name_latin="",
        company=company,
        phone="01001234567",
        mobile="+971501234567",
        email="A@Nile.eg",
    )
    assert (contact.phone, contact.mobile, contact.email) == ("+201001234567", "+971501234567", "a@nile.eg")
    assert contact.search_name.startswith("احمد علي a@nile.eg 201001234567 01001234567")
    assert "971501234567" in contact.search_name
    updated = contact_update(org=tenant.org, actor_membership=sales, contact=contact, data={"company": None})
    assert updated.company is None


def test_contact_bad_mobile_is_a_field_error(tenant):
    with pytest.raises(DomainError) as error:
        contact_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.SALES],
            data={"name_latin": "X", "mobile": "999"},
        )
    assert (error.value.code, error.value.field) == ("invalid_phone", "mobile")
    assert not Contact.objects.exists()


def test_deactivate_is_audited_once(tenant):
    sales = tenant.members[Role.SALES]
    company = make_company(sales)
    company_deactivate(org=tenant.org, actor_membership=sales, company=company)
    company_deactivate(org=tenant.org, actor_membership=sales, company=company)
    company.refresh_from_db()
    assert not company.is_active
    assert [entry.action for entry in _audit(company)] == ["create", "update"]
