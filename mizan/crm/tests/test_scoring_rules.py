"""Lead scoring: exact points and reasons, recomputation, defaults, the editor and the API."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from conftest import client_for
from mizan.core.errors import DomainError, PermissionDeniedError
from mizan.core.roles import Role
from mizan.core.tests.factories import make_organization, make_user
from mizan.crm.models import Activity, Lead, LeadScoringRule, LeadSource
from mizan.crm.services.activities import activity_log
from mizan.crm.services.scoring import (
    lead_score,
    lead_score_refresh,
    lead_scores_recompute,
    scoring_rule_create,
    scoring_rule_delete,
    scoring_rule_update,
    scoring_rules_install_defaults,
)
from mizan.crm.tests.clients_helpers import api_client_for, make_lead

pytestmark = pytest.mark.django_db

C = LeadScoringRule.Condition


def _only_rules(org, *rules):
    LeadScoringRule.objects.filter(organization=org).delete()
    return [
        LeadScoringRule.objects.create(
            organization=org, label=label, condition=condition, argument=argument, points=points
        )
        for label, condition, argument, points in rules
    ]


def test_new_organization_gets_default_rules_in_its_language(db):
    org = make_organization(make_user(), country="EG")
    rules = LeadScoringRule.objects.filter(organization=org)
    assert rules.count() == 8
    business = rules.get(condition=C.EMAIL_DOMAIN_BUSINESS)
    assert (business.points, business.argument) == (20, "")
    with translation.override("ar"):  # an Egyptian organization works in Arabic
        assert business.label == gettext("E-mail on a business domain")
    assert rules.get(condition=C.COUNTRY_IS).argument == "EG"
    assert scoring_rules_install_defaults(org) == []  # once only
    assert rules.count() == 8


def test_score_sums_matching_rules_with_reasons(tenant):
    org = tenant.org
    source = LeadSource.objects.filter(organization=org).first()
    rules = _only_rules(
        org,
        ("Has phone", C.FIELD_PRESENT, "phone", 10),
        ("Business e-mail", C.EMAIL_DOMAIN_BUSINESS, "", 20),
        ("Free e-mail", C.EMAIL_DOMAIN_FREE, "", -5),
        ("From source", C.SOURCE_IS, str(source.pk), 7),
        ("Saudi", C.COUNTRY_IS, "SA", 3),
        ("Engaged", C.ACTIVITY_COUNT_AT_LEAST, "2", 15),
        ("Has website", C.FIELD_PRESENT, "website", 100),
    )
    lead = make_lead(tenant.members[Role.SALES], email="omar@acme.sa", phone="0501234567", country="SA", source=source)
    score, reasons = lead_score(org=org, lead=lead)
    assert score == 10 + 20 + 7 + 3
    assert reasons == [
        {"rule": rules[0].pk, "label": "Has phone", "points": 10},
        {"rule": rules[1].pk, "label": "Business e-mail", "points": 20},
        {"rule": rules[3].pk, "label": "From source", "points": 7},
        {"rule": rules[4].pk, "label": "Saudi", "points": 3},
    ]
    for subject in ("Call", "Meeting"):
        activity_log(org=org, actor=tenant.owner, kind=Activity.Kind.CALL, subject=subject, lead=lead)
    lead_score_refresh(org=org, lead=lead)
    stored = Lead.objects.get(pk=lead.pk)
    assert stored.score == 55
    assert [reason["label"] for reason in stored.score_reasons][-1] == "Engaged"


def test_free_email_and_inactive_rules(tenant):
    rules = _only_rules(
        tenant.org, ("Free e-mail", C.EMAIL_DOMAIN_FREE, "", -5), ("Business", C.EMAIL_DOMAIN_BUSINESS, "", 20)
    )
    lead = make_lead(tenant.members[Role.SALES], email="omar@gmail.com")
    assert lead_score(org=tenant.org, lead=lead) == (-5, [{"rule": rules[0].pk, "label": "Free e-mail", "points": -5}])
    LeadScoringRule.objects.filter(pk=rules[0].pk).update(is_active=False)
    assert lead_score(org=tenant.org, lead=lead) == (0, [])


def test_lead_of_another_organization_is_refused(tenant, other_tenant):
    lead = make_lead(other_tenant.members[Role.SALES], person_name="Other")
    with pytest.raises(DomainError):
        lead_score(org=tenant.org, lead=lead)


def test_recompute_rescores_every_lead_in_few_queries(tenant, django_assert_max_num_queries):
    sales = tenant.members[Role.SALES]
    leads = [make_lead(sales, person_name=f"Lead {n}", phone=f"05012345{n:02d}") for n in range(5)]
    make_lead(sales, person_name="No phone")
    _only_rules(tenant.org, ("Has phone", C.FIELD_PRESENT, "phone", 10), ("Engaged", C.ACTIVITY_COUNT_AT_LEAST, "1", 5))
    activity_log(org=tenant.org, actor=tenant.owner, kind=Activity.Kind.NOTE, subject="Note", lead=leads[0])
    with django_assert_max_num_queries(6):
        changed = lead_scores_recompute(org=tenant.org)
    assert changed == 5  # "No phone" still scores 0 with no reasons
    scores = dict(Lead.objects.filter(organization=tenant.org).values_list("person_name", "score"))
    assert scores == {**{f"Lead {n}": 10 for n in range(1, 5)}, "Lead 0": 15, "No phone": 0}
    assert lead_scores_recompute(org=tenant.org) == 0


def test_rule_changes_recompute_scores_on_commit(tenant, django_capture_on_commit_callbacks):
    admin = tenant.members[Role.ADMIN]
    lead = make_lead(tenant.members[Role.SALES], person_name="Omar", job_title="CEO")
    LeadScoringRule.objects.filter(organization=tenant.org).delete()
    with django_capture_on_commit_callbacks(execute=True):
        rule = scoring_rule_create(
            org=tenant.org,
            actor_membership=admin,
            data={"label": "Has job title", "condition": C.FIELD_PRESENT, "argument": "job_title", "points": 12},
        )
    assert Lead.objects.get(pk=lead.pk).score == 12
    with django_capture_on_commit_callbacks(execute=True):
        scoring_rule_update(org=tenant.org, actor_membership=admin, rule=rule, data={"points": 4})
    assert Lead.objects.get(pk=lead.pk).score == 4
    with django_capture_on_commit_callbacks(execute=True):
        scoring_rule_delete(org=tenant.org, actor_membership=admin, rule=rule)
    assert (Lead.objects.get(pk=lead.pk).score, Lead.objects.get(pk=lead.pk).score_reasons) == (0, [])


@pytest.mark.parametrize(
    ("condition", "argument", "field"),
    [
        (C.FIELD_PRESENT, "password", "argument"),
        (C.SOURCE_IS, "999999", "argument"),
        (C.ACTIVITY_COUNT_AT_LEAST, "0", "argument"),
        (C.COUNTRY_IS, "XX", "argument"),
        ("bogus", "", "condition"),
    ],
)
def test_invalid_rules_are_refused_and_nothing_saved(tenant, condition, argument, field):
    before = LeadScoringRule.objects.count()
    with pytest.raises(DomainError) as error:
        scoring_rule_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.ADMIN],
            data={"label": "x", "condition": condition, "argument": argument, "points": 1},
        )
    assert error.value.field == field
    assert LeadScoringRule.objects.count() == before


def test_source_of_another_organization_is_refused(tenant, other_tenant):
    foreign = LeadSource.objects.filter(organization=other_tenant.org).first()
    with pytest.raises(DomainError):
        scoring_rule_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.ADMIN],
            data={"label": "x", "condition": C.SOURCE_IS, "argument": str(foreign.pk), "points": 1},
        )


def test_sales_cannot_edit_rules(tenant):
    with pytest.raises(PermissionDeniedError):
        scoring_rule_create(
            org=tenant.org,
            actor_membership=tenant.members[Role.SALES],
            data={"label": "x", "condition": C.EMAIL_DOMAIN_FREE, "points": 1},
        )


def test_editor_page_adds_edits_and_deletes(tenant, django_capture_on_commit_callbacks):
    client = client_for(tenant.user(Role.ADMIN))
    page = client.get("/crm/settings/scoring/")
    assert page.status_code == 200
    # Default rules are labelled in the organization's language (Arabic for this tenant).
    default_labels = list(LeadScoringRule.objects.filter(organization=tenant.org).values_list("label", flat=True))
    assert default_labels
    assert all(label in page.content.decode() for label in default_labels)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/crm/settings/scoring/",
            {
                "label": "From Riyadh office",
                "condition": C.COUNTRY_IS,
                "country": "sa",
                "points": "9",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    rule = LeadScoringRule.objects.get(organization=tenant.org, label="From Riyadh office")
    assert (rule.argument, rule.points, rule.is_active) == ("SA", 9, True)
    response = client.post(
        f"/crm/settings/scoring/{rule.pk}/",
        {"label": "Renamed", "condition": C.FIELD_PRESENT, "field_name": "phone", "points": "3"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.label, rule.condition, rule.argument, rule.points, rule.is_active) == (
        "Renamed",
        C.FIELD_PRESENT,
        "phone",
        3,
        False,
    )
    bad = client.post("/crm/settings/scoring/", {"label": "Bad", "condition": C.FIELD_PRESENT, "points": "3"})
    assert bad.status_code == 200
    assert "Choose which field must be filled in." in bad.content.decode()
    assert client.post(f"/crm/settings/scoring/{rule.pk}/delete/").status_code == 302
    assert not LeadScoringRule.objects.filter(pk=rule.pk).exists()


def test_editor_list_names_the_field_source_and_country_not_their_codes(tenant):
    """Regression: the list showed "(phone)", "(3)" (a source id) and "(SA)" instead of what they mean."""
    expo = LeadSource.objects.get(organization=tenant.org, name_en="Exhibition")
    _only_rules(
        tenant.org,
        ("Has phone", C.FIELD_PRESENT, "phone", 5),
        ("Expo", C.SOURCE_IS, str(expo.pk), 7),
        ("Saudi", C.COUNTRY_IS, "SA", 3),
        ("Busy", C.ACTIVITY_COUNT_AT_LEAST, "3", 2),
    )
    client = client_for(tenant.user(Role.ADMIN))
    html = client.get("/crm/settings/scoring/").content.decode()  # the test users read English
    rules = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "(<bdi>Phone</bdi>)" in rules
    assert "(<bdi>Exhibition</bdi>)" in rules and f"({expo.pk})" not in rules
    assert "(<bdi>Saudi Arabia</bdi>)" in rules
    assert "(<bdi>3</bdi>)" in rules
    assert "(phone)" not in rules and "(SA)" not in rules


def test_editor_is_for_managers_and_other_organizations_rules_are_404(tenant, other_tenant):
    assert client_for(tenant.user(Role.SALES)).get("/crm/settings/scoring/").status_code == 403
    foreign = LeadScoringRule.objects.filter(organization=other_tenant.org).first()
    client = client_for(tenant.user(Role.ADMIN))
    assert client.get(f"/crm/settings/scoring/{foreign.pk}/").status_code == 404
    assert client.post(f"/crm/settings/scoring/{foreign.pk}/delete/").status_code == 404
    assert (
        client.post(
            f"/crm/settings/scoring/{foreign.pk}/", {"label": "x", "condition": "email_domain_free", "points": 1}
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.label != "x"


def test_api_crud_and_isolation(tenant, other_tenant, django_capture_on_commit_callbacks):
    api = api_client_for(tenant.members[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/crm/scoring-rules/",
            {"label": "Has website", "condition": "field_present", "argument": "website", "points": 6},
            format="json",
        )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert api.get("/api/v1/crm/scoring-rules/").json()["count"] == 9
    with django_capture_on_commit_callbacks(execute=True):
        patched = api.patch(f"/api/v1/crm/scoring-rules/{rule_id}/", {"points": 8}, format="json")
    assert patched.json()["points"] == 8
    bad = api.post(
        "/api/v1/crm/scoring-rules/",
        {"label": "x", "condition": "country_is", "argument": "ZZ", "points": 1},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "argument"
    foreign = LeadScoringRule.objects.filter(organization=other_tenant.org).first()
    assert api.patch(f"/api/v1/crm/scoring-rules/{foreign.pk}/", {"points": 99}, format="json").status_code == 404
    assert api.delete(f"/api/v1/crm/scoring-rules/{foreign.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.points != 99
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/crm/scoring-rules/{rule_id}/").status_code == 204
    assert api_client_for(tenant.members[Role.SALES]).get("/api/v1/crm/scoring-rules/").status_code == 403


def test_lead_services_score_on_create_and_update(tenant):
    """The lead services keep the score current: phone (10) + company name (10) + in our country (10)."""
    from mizan.crm.services.leads import lead_create, lead_update

    sales = tenant.members[Role.SALES]
    lead = lead_create(
        org=tenant.org,
        actor_membership=sales,
        data={"person_name": "Sara", "company_name": "Acme", "phone": "+966501234567", "country": "SA"},
    )
    lead.refresh_from_db()
    assert lead.score == 30
    assert sorted(reason["points"] for reason in lead.score_reasons) == [10, 10, 10]

    lead = lead_update(org=tenant.org, actor_membership=sales, lead=lead, data={"job_title": "CFO"})
    lead.refresh_from_db()
    assert lead.score == 35
