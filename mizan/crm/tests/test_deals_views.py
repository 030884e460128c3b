"""Deal pages: list, record page, forms, board and its move endpoint, saved views; isolation and speed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from mizan.core.roles import Role
from mizan.crm.models import Activity, Deal, DealStageChange, SavedView
from mizan.crm.selectors.deals import BOARD_CARDS_PER_COLUMN
from mizan.crm.services.pipelines import pipeline_create
from mizan.crm.tests.deal_helpers import default_pipeline, lost_reason, make_company, make_deal, stage_named

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def _assert_csp_safe(html: str) -> None:
    assert re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) is None
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None


# --- List -------------------------------------------------------------------------------------


def test_list_filters_searches_and_orders(tenant, owner_client):
    acme = make_company(tenant.org, "Acme Trading")
    make_deal(tenant, title="Cloud migration", value=Decimal("5000"), company=acme)
    make_deal(tenant, title="Office fit-out", value=Decimal("200"))
    response = owner_client.get(reverse("crm:deal_list"), {"q": "acme"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cloud migration" in html and "Office fit-out" not in html
    response = owner_client.get(reverse("crm:deal_list"), {"value_min": "1000"})
    assert "Cloud migration" in response.content.decode()
    assert "Office fit-out" not in response.content.decode()
    response = owner_client.get(reverse("crm:deal_list"), {"ordering": "value"})
    html = response.content.decode()
    assert html.index("Office fit-out") < html.index("Cloud migration")
    response = owner_client.get(reverse("crm:deal_list"), {"ordering": "-value"})
    html = response.content.decode()
    assert html.index("Cloud migration") < html.index("Office fit-out")
    response = owner_client.get(reverse("crm:deal_list"), {"ordering": "organization"})  # not allowed: default
    assert response.status_code == 200
    _assert_csp_safe(html)


def test_list_query_count_does_not_grow_with_rows(tenant, owner_client):
    company = make_company(tenant.org)
    make_deal(tenant, company=company)
    few, _response = _queries(owner_client, reverse("crm:deal_list"))
    for n in range(30):
        make_deal(tenant, title=f"Deal {n}", company=make_company(tenant.org, f"Company {n}"))
    many, response = _queries(owner_client, reverse("crm:deal_list"))
    assert "Deal 29" in response.content.decode()
    assert many == few


def test_sales_member_with_own_visibility_sees_only_their_deals(tenant):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    mine = make_deal(tenant, membership=tenant.members[Role.SALES], title="Mine")
    theirs = make_deal(tenant, title="Someone else's")
    client = client_for(tenant.user(Role.SALES))
    html = client.get(reverse("crm:deal_list")).content.decode()
    assert "Mine" in html and "Someone else" not in html
    assert client.get(reverse("crm:deal_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("crm:deal_detail", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("crm:deal_move", args=[theirs.pk]), {"stage": theirs.stage_id})
    assert response.status_code == 404
    board = client.get(reverse("crm:deal_board")).content.decode()
    assert "Mine" in board and "Someone else" not in board


# --- Record page and forms ------------------------------------------------------------------------


def test_detail_shows_fields_history_and_time_in_stage(tenant, owner_client):
    deal = make_deal(tenant, title="Cloud migration", company=make_company(tenant.org, "Acme"))
    deal_stage = stage_named(default_pipeline(tenant.org), "Qualified")
    owner_client.post(reverse("crm:deal_move", args=[deal.pk]), {"stage": deal_stage.pk})
    response = owner_client.get(reverse("crm:deal_detail", args=[deal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cloud migration" in html and "Acme" in html
    assert "مؤهلة" in html and "جديدة" in html  # both stays in the history (Arabic is the default)
    _assert_csp_safe(html)


def test_create_and_edit_through_the_forms(tenant, owner_client):
    pipeline = default_pipeline(tenant.org)
    response = owner_client.post(
        reverse("crm:deal_create"),
        {"title": "Audit", "pipeline": pipeline.pk, "value": "750.5", "currency": "SAR", "owner": tenant.owner.pk},
    )
    deal = Deal.objects.get(title="Audit")
    assert response.status_code == 302
    assert deal.value == Decimal("750.500") and deal.stage == stage_named(pipeline, "New")
    response = owner_client.post(
        reverse("crm:deal_edit", args=[deal.pk]),
        {"title": "Audit 2026", "value": "800", "currency": "SAR", "owner": tenant.owner.pk},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.value) == ("Audit 2026", Decimal("800.000"))


def test_create_form_refuses_a_negative_value_and_saves_nothing(tenant, owner_client):
    response = owner_client.post(
        reverse("crm:deal_create"),
        {"title": "Bad", "pipeline": default_pipeline(tenant.org).pk, "value": "-5", "currency": "SAR"},
    )
    assert response.status_code == 400
    assert Deal.objects.count() == 0


def test_other_organization_ids_are_404_and_change_nothing(tenant, other_tenant, owner_client):
    foreign = make_deal(other_tenant, title="Foreign")
    mine = make_deal(tenant)
    foreign_stage = stage_named(default_pipeline(other_tenant.org), "Qualified")
    for name in ("crm:deal_detail", "crm:deal_edit", "crm:deal_lost"):
        assert owner_client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("crm:deal_move", "crm:deal_won", "crm:deal_lost", "crm:deal_reopen", "crm:deal_edit"):
        response = owner_client.post(
            reverse(name, args=[foreign.pk]), {"stage": foreign_stage.pk, "title": "x", "value": "1"}
        )
        assert response.status_code == 404
    # my deal, another organization's stage or reason -> 404 too
    assert owner_client.post(reverse("crm:deal_move", args=[mine.pk]), {"stage": foreign_stage.pk}).status_code == 404
    lost = owner_client.post(reverse("crm:deal_lost", args=[mine.pk]), {"reason": lost_reason(other_tenant.org).pk})
    assert lost.status_code == 404
    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert (foreign.title, foreign.status, foreign.stage.name_en) == ("Foreign", "open", "New")
    assert (mine.status, mine.stage.name_en) == ("open", "New")
    assert (
        owner_client.get(reverse("crm:deal_board"), {"pipeline": default_pipeline(other_tenant.org).pk}).status_code
        == 404
    )


# --- Board ------------------------------------------------------------------------------------------


def test_board_shows_columns_totals_and_badges(tenant, owner_client):
    make_deal(tenant, title="Cloud migration", value=Decimal("1000.50"))
    make_deal(tenant, title="Office fit-out", value=Decimal("2000"))
    response = owner_client.get(reverse("crm:deal_board"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cloud migration" in html and "Office fit-out" in html
    assert "3,000.50" in html or "٣٬٠٠٠٫٥٠" in html
    assert "vendor/sortablejs/Sortable.min.js" in html and "crm/js/board.js" in html
    assert html.count("data-stage-id=") == 4  # the four open stages
    _assert_csp_safe(html)


def test_board_carries_one_url_pattern_per_action_and_none_for_read_only_members(tenant, owner_client):
    deal = make_deal(tenant, title="Cloud migration")
    html = owner_client.get(reverse("crm:deal_board")).content.decode()
    pattern = re.search(r'data-move-url="([^"]+)"', html)[1]
    assert pattern.replace("/0/", f"/{deal.pk}/") == reverse("crm:deal_move", args=[deal.pk])  # as board.js builds it
    assert f'data-deal-id="{deal.pk}"' in html and "data-movable" in html
    reader = client_for(tenant.user(Role.PROJECT_MANAGER)).get(reverse("crm:deal_board")).content.decode()
    assert "Cloud migration" in reader
    assert "data-movable" not in reader and "data-move-url" not in reader and "data-lost-url" not in reader


def test_board_query_count_is_constant_and_columns_are_capped(tenant, owner_client, settings):
    make_deal(tenant)
    few, _response = _queries(owner_client, reverse("crm:deal_board"))
    pipeline = default_pipeline(tenant.org)
    new = stage_named(pipeline, "New")
    company = make_company(tenant.org)
    Deal.objects.bulk_create(
        Deal(
            organization=tenant.org,
            pipeline=pipeline,
            stage=new,
            title=f"Bulk {n}",
            value=Decimal("10"),
            currency="SAR",
            company=company,
            owner=tenant.owner,
            position=n + 1,
            stage_entered_at=Deal.objects.first().stage_entered_at,
        )
        for n in range(120)
    )
    others = [stage_named(pipeline, name) for name in ("Qualified", "Proposal", "Negotiation")]
    Deal.objects.bulk_create(  # 2,000 open deals in all
        Deal(
            organization=tenant.org,
            pipeline=pipeline,
            stage=others[n % 3],
            title=f"Other {n}",
            value=Decimal("1"),
            currency="SAR",
            position=n // 3,
            stage_entered_at=Deal.objects.first().stage_entered_at,
        )
        for n in range(1879)
    )
    assert Deal.objects.filter(organization=tenant.org, status="open").count() == 2000
    many, response = _queries(owner_client, reverse("crm:deal_board"))
    html = response.content.decode()
    assert many == few
    assert html.count('class="card deal-card') == 4 * BOARD_CARDS_PER_COLUMN
    per = BOARD_CARDS_PER_COLUMN  # the first deal of the column, then Bulk 0, Bulk 1, ...
    assert f"Bulk {per - 2}<" in html and f"Bulk {per - 1}<" not in html
    more = owner_client.get(reverse("crm:deal_board_column"), {"stage": new.pk, "offset": per})
    assert more.status_code == 200
    more_html = more.content.decode()
    assert more_html.count('class="card deal-card') == per and f"Bulk {per - 1}<" in more_html
    assert f"offset={2 * per}" in more_html


def test_board_move_endpoint_returns_json_and_updates_columns(tenant, owner_client):
    deal = make_deal(tenant, value=Decimal("100"))
    qualified = stage_named(default_pipeline(tenant.org), "Qualified")
    response = owner_client.post(
        reverse("crm:deal_move", args=[deal.pk]),
        {"stage": qualified.pk, "position": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["deal"]["stage"] == qualified.pk
    counts = {column["stage"]: column["count"] for column in body["columns"]}
    assert counts[qualified.pk] in ("1", "١")
    assert DealStageChange.objects.filter(deal=deal, to_stage=qualified).exists()


def test_board_move_to_another_pipeline_is_a_translated_error_and_nothing_changes(tenant, owner_client):
    deal = make_deal(tenant)
    other = pipeline_create(org=tenant.org, actor_membership=tenant.members[Role.OWNER], data={"name_en": "Other"})
    target = other.stages.filter(kind="open").first()
    response = owner_client.post(
        reverse("crm:deal_move", args=[deal.pk]),
        {"stage": target.pk},
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "stage_other_pipeline"
    assert response.json()["message"]
    deal.refresh_from_db()
    assert deal.stage.name_en == "New"
    assert not Activity.objects.filter(deal=deal).exists()


def test_won_lost_reopen_from_the_record_page(tenant, owner_client):
    deal = make_deal(tenant)
    assert owner_client.post(reverse("crm:deal_won", args=[deal.pk])).status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == "won"
    assert owner_client.post(reverse("crm:deal_reopen", args=[deal.pk])).status_code == 302
    assert Deal.objects.get(pk=deal.pk).status == "open"
    response = owner_client.post(reverse("crm:deal_lost", args=[deal.pk]), {"note": "no reason given"})
    assert response.status_code == 400  # the reason is required
    assert Deal.objects.get(pk=deal.pk).status == "open"
    response = owner_client.post(
        reverse("crm:deal_lost", args=[deal.pk]), {"reason": lost_reason(tenant.org).pk}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json()["deal"]["status"] == "lost"


def test_roles_without_crm_edit_cannot_move(tenant):
    deal = make_deal(tenant)
    qualified = stage_named(default_pipeline(tenant.org), "Qualified")
    client = client_for(tenant.user(Role.ACCOUNTANT))
    assert client.get(reverse("crm:deal_board")).status_code == 200
    assert client.post(reverse("crm:deal_move", args=[deal.pk]), {"stage": qualified.pk}).status_code == 403
    assert Deal.objects.get(pk=deal.pk).stage.name_en == "New"
    assert client_for(tenant.user(Role.EMPLOYEE)).get(reverse("crm:deal_list")).status_code == 403


# --- Saved views ----------------------------------------------------------------------------------


def test_saved_views_save_apply_share_and_delete_own_only(tenant, owner_client):
    response = owner_client.post(
        reverse("crm:deal_saved_view_create"),
        {"name": "Big deals", "query": "value_min=1000&page=3&bogus=1", "is_shared": "on"},
    )
    view = SavedView.objects.get(name="Big deals")
    assert response.status_code == 302 and response["Location"].endswith("?value_min=1000")
    assert view.query == "value_min=1000" and view.is_shared and view.list_name == "deals"
    sales_client = client_for(tenant.user(Role.SALES))
    assert "Big deals" in sales_client.get(reverse("crm:deal_list")).content.decode()
    assert sales_client.post(reverse("crm:deal_saved_view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert owner_client.post(reverse("crm:deal_saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_private_saved_views_stay_private(tenant, owner_client):
    owner_client.post(reverse("crm:deal_saved_view_create"), {"name": "My secret view", "query": "status=open"})
    assert SavedView.objects.filter(name="My secret view", is_shared=False).exists()
    html = client_for(tenant.user(Role.SALES)).get(reverse("crm:deal_list")).content.decode()
    assert "My secret view" not in html
