"""/api/v1/crm/ deals, pipelines, stages, lost reasons and forecast: CRUD, actions, errors, isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.api.tests.conftest import token_client_for
from mizan.core.roles import Role
from mizan.crm.models import Deal, DealStageChange, Pipeline
from mizan.crm.tests.deal_helpers import default_pipeline, lost_reason, make_company, make_deal, stage_named

pytestmark = pytest.mark.django_db

BASE = "/api/v1/crm"


@pytest.fixture
def api(tenant):
    return token_client_for(tenant.members[Role.OWNER])


def test_pipelines_list_nests_stages_in_order(tenant, api):
    response = api.get(f"{BASE}/pipelines/")
    assert response.status_code == 200
    pipeline = response.json()["results"][0]
    assert [stage["name_en"] for stage in pipeline["stages"]] == [
        "New",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert [stage["probability"] for stage in pipeline["stages"]] == [10, 30, 60, 80, 100, 0]


def test_create_update_and_read_a_deal(tenant, api):
    company = make_company(tenant.org)
    pipeline = default_pipeline(tenant.org)
    response = api.post(
        f"{BASE}/deals/",
        {"title": "Cloud", "value": "1200.50", "company": company.pk, "pipeline": pipeline.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["value"], body["currency"], body["stage_name"] and body["status"]) == ("1200.500", "SAR", "open")
    response = api.patch(f"{BASE}/deals/{body['id']}/", {"title": "Cloud 2", "value": "1300"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Cloud 2"
    assert Deal.objects.get(pk=body["id"]).value == Decimal("1300.000")
    response = api.get(f"{BASE}/deals/", {"q": "cloud", "ordering": "-value"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_bad_input_uses_the_error_format_and_saves_nothing(tenant, api):
    response = api.post(f"{BASE}/deals/", {"title": "X", "value": "-1"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "value" and response.json()["code"]
    response = api.post(f"{BASE}/deals/", {"value": "1"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "title"
    response = api.get(f"{BASE}/deals/", {"ordering": "organization"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_ordering"
    assert Deal.objects.count() == 0


def test_move_won_lost_reopen_actions(tenant, api):
    deal = make_deal(tenant)
    pipeline = default_pipeline(tenant.org)
    response = api.post(f"{BASE}/deals/{deal.pk}/move/", {"stage": stage_named(pipeline, "Proposal").pk}, format="json")
    assert response.status_code == 200 and response.json()["stage_name"]
    assert DealStageChange.objects.filter(deal=deal).count() == 2
    response = api.post(f"{BASE}/deals/{deal.pk}/lost/", {}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = api.post(
        f"{BASE}/deals/{deal.pk}/lost/", {"reason": lost_reason(tenant.org).pk, "note": "n"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "lost"
    response = api.post(f"{BASE}/deals/{deal.pk}/won/")
    assert response.status_code == 400 and response.json()["code"] == "deal_closed"
    response = api.post(f"{BASE}/deals/{deal.pk}/reopen/")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.json()["stage"] == stage_named(pipeline, "Proposal").pk
    response = api.post(f"{BASE}/deals/{deal.pk}/won/")
    assert response.status_code == 200 and response.json()["status"] == "won"


def test_move_to_another_pipeline_is_400_and_changes_nothing(tenant, api):
    deal = make_deal(tenant)
    response = api.post(f"{BASE}/pipelines/", {"name_en": "Other"}, format="json")
    assert response.status_code == 201
    other_stage = Pipeline.objects.get(pk=response.json()["id"]).stages.get(name_en="New")
    response = api.post(f"{BASE}/deals/{deal.pk}/move/", {"stage": other_stage.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "stage_other_pipeline" and response.json()["field"] == "stage"
    assert "another pipeline" in response.json()["message"]
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "New"


def test_other_organization_ids_are_404_and_change_nothing(tenant, other_tenant, api):
    foreign = make_deal(other_tenant)
    mine = make_deal(tenant)
    foreign_stage = stage_named(default_pipeline(other_tenant.org), "Qualified")
    assert api.get(f"{BASE}/deals/{foreign.pk}/").status_code == 404
    assert api.patch(f"{BASE}/deals/{foreign.pk}/", {"title": "Hacked"}, format="json").status_code == 404
    assert api.post(f"{BASE}/deals/{foreign.pk}/won/").status_code == 404
    assert api.post(f"{BASE}/deals/{mine.pk}/move/", {"stage": foreign_stage.pk}, format="json").status_code == 404
    lost = api.post(f"{BASE}/deals/{mine.pk}/lost/", {"reason": lost_reason(other_tenant.org).pk}, format="json")
    assert lost.status_code == 404
    create = api.post(f"{BASE}/deals/", {"title": "X", "company": make_company(other_tenant.org).pk}, format="json")
    assert create.status_code == 404
    assert api.get(f"{BASE}/pipelines/{default_pipeline(other_tenant.org).pk}/").status_code == 404
    assert api.patch(f"{BASE}/stages/{foreign_stage.pk}/", {"probability": 99}, format="json").status_code == 404
    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert foreign.title == "Website redesign" and foreign.status == "open"
    assert mine.stage.name_en == "New" and mine.status == "open"
    assert foreign_stage.__class__.objects.get(pk=foreign_stage.pk).probability == 30
    assert Deal.objects.filter(organization=tenant.org).count() == 1


def test_visibility_own_hides_other_members_deals(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    theirs = make_deal(tenant, title="Not yours")
    mine = make_deal(tenant, membership=tenant.members[Role.SALES], title="Yours")
    api = token_client_for(tenant.members[Role.SALES])
    assert [deal["title"] for deal in api.get(f"{BASE}/deals/").json()["results"]] == ["Yours"]
    assert api.get(f"{BASE}/deals/{theirs.pk}/").status_code == 404
    assert api.post(f"{BASE}/deals/{theirs.pk}/won/").status_code == 404
    assert api.get(f"{BASE}/deals/{mine.pk}/").status_code == 200
    assert Deal.objects.get(pk=theirs.pk).status == "open"


def test_stage_and_pipeline_admin_needs_crm_manage(tenant):
    api = token_client_for(tenant.members[Role.SALES])
    assert api.get(f"{BASE}/stages/").status_code == 200
    assert api.post(f"{BASE}/pipelines/", {"name_en": "X"}, format="json").status_code == 403
    assert Pipeline.objects.filter(organization=tenant.org).count() == 1


def test_stage_crud_keeps_the_kinds_rule(tenant, api):
    pipeline = default_pipeline(tenant.org)
    response = api.post(
        f"{BASE}/stages/", {"pipeline": pipeline.pk, "name_en": "Demo", "probability": 50}, format="json"
    )
    assert response.status_code == 201 and response.json()["position"] == 6
    won = stage_named(pipeline, "Won")
    response = api.patch(f"{BASE}/stages/{won.pk}/", {"kind": "open"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "stage_kinds_required"
    assert api.delete(f"{BASE}/stages/{response.json() and stage_named(pipeline, 'Demo').pk}/").status_code == 204
    assert api.get(f"{BASE}/lost-reasons/").json()["count"] == 6


def test_deal_list_query_count_is_constant(tenant, api):
    make_deal(tenant, company=make_company(tenant.org))
    api.get(f"{BASE}/deals/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert api.get(f"{BASE}/deals/").status_code == 200
    for n in range(20):
        make_deal(tenant, title=f"D{n}", company=make_company(tenant.org, f"C{n}"))
    with CaptureQueriesContext(connection) as many:
        assert api.get(f"{BASE}/deals/").json()["count"] == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_forecast_endpoint(tenant, api):
    import datetime

    pipeline = default_pipeline(tenant.org)
    make_deal(
        tenant,
        value=Decimal("1000"),
        stage=stage_named(pipeline, "Proposal"),
        expected_close_date=datetime.date(2031, 3, 3),
    )
    response = api.get(f"{BASE}/forecast/", {"date_from": "2031-01-01", "date_to": "2031-12-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["base_currency"] == "SAR"
    assert body["by_month"] == [
        {
            "month": "2031-03-01",
            "currency": "SAR",
            "pipeline": None,
            "owner": None,
            "count": 1,
            "value": "1000.000",
            "weighted": "600.000",
        }
    ]
    assert body["by_owner"][0]["owner"] == tenant.owner.pk
    assert api.get(f"{BASE}/forecast/", {"date_from": "nope"}).status_code == 400
