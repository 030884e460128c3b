"""Duplicates: Arabic-aware matching, the page, and merges that move everything with an audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from conftest import client_for
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.models import AuditEntry, Organization
from mizan.core.roles import Role
from mizan.crm.models import Activity, Company, Contact, Deal, FollowUp, Lead
from mizan.crm.selectors.duplicates import duplicate_pair_ids, duplicate_pairs, name_key
from mizan.crm.services.activities import activity_log
from mizan.crm.services.duplicates import company_merge, contact_merge
from mizan.crm.tests.clients_helpers import api_client_for, make_company, make_contact, make_lead
from mizan.crm.tests.deal_helpers import audit_of, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever the Arabic catalog says."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("شركة الأفق للتجارة", "افق للتجاره"),
        ("مؤسسة إبراهيم", "ابراهيم"),
        ("عَلِيّ الـمـصـري", "علي مصري"),
        ("مستشفى الهدى", "مستشفي هدي"),
        ("Al-Ufuq Trading Co.", "al ufuq trading"),
    ],
)
def test_company_name_keys_fold_arabic_spellings(first, second):
    assert name_key(first, company=True) == name_key(second, company=True) != ""


def test_pairs_by_name_phone_email_and_business_domain(tenant):
    owner = tenant.members[Role.OWNER]
    ufuq = make_company(owner, name_ar="شركة الأفق", website="https://www.ufuq.sa")
    ufuq2 = make_company(owner, name_ar="افق", name_latin="Ufuq Holding")
    domain = make_company(owner, name_latin="Different name", email="info@ufuq.sa")
    gmail_a = make_company(owner, name_latin="Gmail One", email="a@gmail.com")
    gmail_b = make_company(owner, name_latin="Gmail Two", email="b@gmail.com")
    phone_a = make_company(owner, name_latin="Phone A", phone="+966501234567")
    phone_b = make_company(owner, name_latin="Phone B", phone="0501234567")
    pairs = duplicate_pair_ids(org=tenant.org, membership=owner, kind="companies")
    assert sorted(pairs) == sorted(
        [
            (ufuq.pk, ufuq2.pk, ["name"]),
            (ufuq.pk, domain.pk, ["domain"]),
            (phone_a.pk, phone_b.pk, ["phone"]),
        ]
    )
    assert not any({gmail_a.pk, gmail_b.pk} == {a, b} for a, b, _r in pairs)


def test_contact_pairs_and_sorting_by_number_of_reasons(tenant):
    owner = tenant.members[Role.OWNER]
    ahmad = make_contact(owner, name_ar="أحمد السيد", email="ahmad@acme.sa", phone="0501111111")
    ahmad2 = make_contact(owner, name_ar="احمد سيد", email="Ahmad@acme.sa", mobile="+966501111111")
    other = make_contact(owner, name_latin="Mona", email="mona@acme.sa")  # same domain: not a duplicate person
    mona = make_contact(owner, name_latin="mona")
    pairs = duplicate_pair_ids(org=tenant.org, membership=owner, kind="contacts")
    assert pairs == [(ahmad.pk, ahmad2.pk, ["name", "phone", "email"]), (other.pk, mona.pk, ["name"])]


def test_duplicates_respect_visibility_and_skip_inactive(tenant):
    tenant.org.sales_visibility = Organization.SalesVisibility.OWN
    tenant.org.save()
    sales = tenant.members[Role.SALES]
    mine = make_contact(sales, name_latin="Khaled Omar")
    make_contact(tenant.members[Role.OWNER], name_latin="Khaled Omar")
    assert duplicate_pair_ids(org=tenant.org, membership=sales, kind="contacts") == []
    mine2 = make_contact(sales, name_latin="khaled  omar")
    assert duplicate_pair_ids(org=tenant.org, membership=sales, kind="contacts") == [(mine.pk, mine2.pk, ["name"])]
    Contact.objects.filter(pk=mine2.pk).update(is_active=False)
    assert duplicate_pair_ids(org=tenant.org, membership=sales, kind="contacts") == []


def test_pair_page_runs_two_queries(tenant, django_assert_num_queries):
    owner = tenant.members[Role.OWNER]
    for n in range(10):
        make_company(owner, name_latin=f"Twin {n}")
        make_company(owner, name_latin=f"twin {n}")
    with django_assert_num_queries(2):
        pairs, total = duplicate_pairs(org=tenant.org, membership=owner, kind="companies", limit=5)
        assert [pair.first.name_latin for pair in pairs] == [f"Twin {n}" for n in range(5)]
    assert total == 10


def _linked_company(tenant, **data):
    owner = tenant.members[Role.OWNER]
    company = make_company(owner, **data)
    contact = make_contact(owner, name_latin=f"Person of {company.pk}", company=company)
    deal = make_deal(tenant, title=f"Deal of {company.pk}", company=company, contacts=[contact])
    activity = activity_log(
        org=tenant.org, actor=tenant.owner, kind=Activity.Kind.CALL, subject="Call", company=company
    )
    follow_up = FollowUp.objects.create(
        organization=tenant.org,
        title="Call back",
        due_at=timezone.now() + timedelta(days=1),
        assignee=tenant.owner,
        company=company,
    )
    lead = make_lead(owner, person_name="Converted")
    Lead.objects.filter(pk=lead.pk).update(converted_company=company, status=Lead.Status.CONVERTED)
    return company, contact, deal, activity, follow_up, lead


def test_company_merge_moves_everything_fills_fields_and_audits_both(tenant):
    keep, contact_k, deal_k, _activity_k, _fu_k, _lead_k = _linked_company(tenant, name_ar="الأفق", name_latin="")
    merge, contact_m, deal_m, activity_m, follow_up_m, lead_m = _linked_company(
        tenant, name_ar="افق", name_latin="Ufuq", email="info@ufuq.sa", city="Riyadh"
    )
    kept = company_merge(org=tenant.org, actor_membership=tenant.members[Role.SALES], keep=keep, merge=merge)
    assert kept.pk == keep.pk
    keep.refresh_from_db()
    merge.refresh_from_db()
    assert (keep.name_ar, keep.name_latin, keep.email, keep.city) == ("الأفق", "Ufuq", "info@ufuq.sa", "Riyadh")
    assert "ufuq" in keep.search_name
    assert merge.is_active is False
    assert set(Contact.objects.filter(company=keep).values_list("pk", flat=True)) == {contact_k.pk, contact_m.pk}
    assert set(Deal.objects.filter(company=keep).values_list("pk", flat=True)) == {deal_k.pk, deal_m.pk}
    assert Activity.objects.get(pk=activity_m.pk).company_id == keep.pk
    assert FollowUp.objects.get(pk=follow_up_m.pk).company_id == keep.pk
    assert Lead.objects.get(pk=lead_m.pk).converted_company_id == keep.pk
    for model in (Contact, Deal, Activity, FollowUp):
        assert not model.objects.filter(company=merge).exists()
    kept_audit = audit_of(keep).filter(action=AuditEntry.Action.UPDATE).latest("pk")
    assert kept_audit.changes["merged_from"] == [None, f"#{merge.pk} افق / Ufuq"]
    assert kept_audit.changes["email"] == ["", "info@ufuq.sa"]
    merged_audit = audit_of(merge).latest("pk")
    assert merged_audit.changes == {"is_active": ["True", "False"], "merged_into": [None, f"#{keep.pk} الأفق / Ufuq"]}
    event = Activity.objects.filter(company=keep, kind=Activity.Kind.SYSTEM).latest("pk")
    assert event.subject == "“Ufuq” was merged into this record"
    assert "deals: 1" in event.body


def test_contact_merge_moves_deal_links_without_doubling_them(tenant):
    owner = tenant.members[Role.OWNER]
    keep = make_contact(owner, name_latin="Sara Ali")
    merge = make_contact(owner, name_latin="sara ali", email="sara@acme.sa", job_title="CFO")
    both = make_deal(tenant, title="Both", contacts=[keep, merge])
    only_merged = make_deal(tenant, title="Only merged", contacts=[merge])
    call = activity_log(org=tenant.org, actor=tenant.owner, kind=Activity.Kind.CALL, subject="Call", contact=merge)
    contact_merge(org=tenant.org, actor_membership=owner, keep=keep, merge=merge)
    assert list(both.contacts.values_list("pk", flat=True)) == [keep.pk]
    assert list(only_merged.contacts.values_list("pk", flat=True)) == [keep.pk]
    assert Activity.objects.get(pk=call.pk).contact_id == keep.pk
    keep.refresh_from_db()
    assert (keep.email, keep.job_title) == ("sara@acme.sa", "CFO")
    assert Contact.objects.get(pk=merge.pk).is_active is False
    assert Activity.objects.filter(contact=keep, kind=Activity.Kind.SYSTEM).count() == 1


def test_merge_with_itself_or_across_organizations_changes_nothing(tenant, other_tenant):
    owner = tenant.members[Role.OWNER]
    company = make_company(owner, name_latin="Acme")
    foreign = make_company(other_tenant.members[Role.OWNER], name_latin="Acme")
    audit_count = AuditEntry.objects.count()
    with pytest.raises(DomainError) as error:
        company_merge(org=tenant.org, actor_membership=owner, keep=company, merge=company)
    assert error.value.code == "merge_self"
    with pytest.raises(DomainError) as error:
        company_merge(org=tenant.org, actor_membership=owner, keep=company, merge=foreign)
    assert error.value.code == "not_found"
    with pytest.raises(PermissionDeniedError):
        company_merge(org=tenant.org, actor_membership=tenant.members[Role.ACCOUNTANT], keep=company, merge=company)
    assert AuditEntry.objects.count() == audit_count
    assert Company.objects.filter(pk__in=[company.pk, foreign.pk], is_active=True).count() == 2


def test_duplicates_page_and_merge_view(tenant):
    owner = tenant.members[Role.OWNER]
    first = make_company(owner, name_ar="مكة للتجارة")
    second = make_company(owner, name_ar="مكه للتجاره", phone="0501234567")
    client = client_for(tenant.user(Role.SALES))
    page = client.get("/crm/duplicates/?kind=companies")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Same name" in html and f"first={first.pk}&amp;second={second.pk}" in html
    compare = client.get(f"/crm/duplicates/merge/?kind=companies&first={first.pk}&second={second.pk}")
    assert compare.status_code == 200
    response = client.post(
        "/crm/duplicates/merge/", {"kind": "companies", "first": first.pk, "second": second.pk, "keep": second.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/crm/companies/{second.pk}/"
    assert Company.objects.get(pk=first.pk).is_active is False
    assert client.get("/crm/duplicates/?kind=companies").content.decode().count("Compare and merge") == 0


def test_merge_page_writes_phones_and_emails_left_to_right(tenant):
    """Regression: on the Arabic page "+966…" showed as "966…+" (no dir="ltr" on the compared values)."""
    owner = tenant.members[Role.OWNER]
    first = make_company(owner, name_ar="مكة للتجارة", phone="0501234567")
    second = make_company(owner, name_ar="مكه للتجاره", phone="0501234567", email="info@makkah.example")
    client = client_for(tenant.user(Role.SALES))
    html = client.get(f"/crm/duplicates/merge/?kind=companies&first={first.pk}&second={second.pk}").content.decode()
    assert html.count('<td dir="ltr" class="text-start">+966501234567</td>') == 2
    assert '<td dir="ltr" class="text-start">info@makkah.example</td>' in html
    assert '<td dir="ltr" class="text-start">مكة للتجارة</td>' not in html  # names follow the page direction


def test_merge_view_refuses_other_organizations_records(tenant, other_tenant):
    mine = make_company(tenant.members[Role.OWNER], name_latin="Acme")
    foreign = make_company(other_tenant.members[Role.OWNER], name_latin="Acme")
    client = client_for(tenant.owner)
    assert client.get(f"/crm/duplicates/merge/?kind=companies&first={mine.pk}&second={foreign.pk}").status_code == 404
    response = client.post(
        "/crm/duplicates/merge/", {"kind": "companies", "first": mine.pk, "second": foreign.pk, "keep": mine.pk}
    )
    assert response.status_code == 404
    assert Company.objects.filter(pk__in=[mine.pk, foreign.pk], is_active=True).count() == 2
    assert client.get("/crm/duplicates/?kind=bogus").status_code == 404
    assert client_for(tenant.user(Role.ACCOUNTANT)).get("/crm/duplicates/").status_code == 403


def test_api_lists_pairs_and_merges(tenant, other_tenant):
    owner = tenant.members[Role.OWNER]
    keep = make_contact(owner, name_ar="محمد")
    merge = make_contact(owner, name_ar="مُحَمَّد")
    api = api_client_for(tenant.members[Role.SALES])
    listed = api.get("/api/v1/crm/duplicates/?kind=contacts").json()
    assert listed["count"] == 1
    assert listed["results"][0]["reasons"] == ["name"]
    assert {listed["results"][0]["first"]["id"], listed["results"][0]["second"]["id"]} == {keep.pk, merge.pk}
    foreign = make_contact(other_tenant.members[Role.OWNER], name_ar="محمد")
    refused = api.post(
        "/api/v1/crm/duplicates/merge/", {"kind": "contacts", "keep_id": keep.pk, "merge_id": foreign.pk}, format="json"
    )
    assert refused.status_code == 404
    assert Contact.objects.get(pk=foreign.pk).is_active is True
    same = api.post(
        "/api/v1/crm/duplicates/merge/", {"kind": "contacts", "keep_id": keep.pk, "merge_id": keep.pk}, format="json"
    )
    assert same.status_code == 400
    assert same.json()["code"] == "merge_self"
    merged = api.post(
        "/api/v1/crm/duplicates/merge/", {"kind": "contacts", "keep_id": keep.pk, "merge_id": merge.pk}, format="json"
    )
    assert merged.status_code == 200
    assert merged.json()["kept"]["id"] == keep.pk
    assert Contact.objects.get(pk=merge.pk).is_active is False
