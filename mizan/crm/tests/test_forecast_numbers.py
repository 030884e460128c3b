"""The weighted forecast: exact sums by month, pipeline and owner, currencies kept apart."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from mizan.core.roles import Role
from mizan.crm.selectors.forecast import forecast_build
from mizan.crm.services.deals import deal_mark_won
from mizan.crm.services.pipelines import pipeline_create
from mizan.crm.tests.deal_helpers import default_pipeline, make_deal, stage_named

pytestmark = pytest.mark.django_db

JAN = datetime.date(2031, 1, 1)
FEB = datetime.date(2031, 2, 1)


@pytest.fixture
def deals(tenant):
    owner = tenant.members[Role.OWNER]
    sales = tenant.members[Role.SALES]
    pipeline = default_pipeline(tenant.org)
    other = pipeline_create(org=tenant.org, actor_membership=owner, data={"name_en": "Renewals"})
    qualified = stage_named(pipeline, "Qualified")  # 30 %
    proposal = stage_named(pipeline, "Proposal")  # 60 %
    renewal_new = other.stages.get(name_en="New")  # 10 %
    make_deal(tenant, value=Decimal("1000.005"), stage=qualified, expected_close_date=datetime.date(2031, 1, 5))
    make_deal(tenant, value=Decimal("333.33"), stage=proposal, expected_close_date=datetime.date(2031, 1, 31))
    make_deal(
        tenant, membership=sales, value=Decimal("2500"), stage=proposal, expected_close_date=datetime.date(2031, 2, 14)
    )
    make_deal(
        tenant,
        pipeline=other,
        stage=renewal_new,
        value=Decimal("1234.56"),
        expected_close_date=datetime.date(2031, 2, 1),
    )
    make_deal(
        tenant, value=Decimal("999"), currency="USD", stage=proposal, expected_close_date=datetime.date(2031, 1, 9)
    )
    make_deal(tenant, value=Decimal("5000"), stage=proposal)  # no close date: not in the forecast
    won = make_deal(tenant, value=Decimal("7000"), stage=proposal, expected_close_date=datetime.date(2031, 1, 9))
    deal_mark_won(org=tenant.org, actor_membership=owner, deal=won)  # closed: not in the forecast
    return {"pipeline": pipeline, "other": other}


def test_weighted_sums_by_month(tenant, deals):
    forecast = forecast_build(org=tenant.org, membership=tenant.members[Role.OWNER])
    assert [table.currency for table in forecast.tables] == ["SAR", "USD"]
    sar, usd = forecast.tables
    assert sar.months == [JAN, FEB]
    # Jan: 1000.005 x 30% = 300.0015 ; 333.33 x 60% = 199.998 -> 500.00 (rounded half up once, at the end)
    assert sar.by_month[JAN].weighted == Decimal("500.00")
    assert sar.by_month[JAN].value == Decimal("1333.34")
    assert sar.by_month[JAN].count == 2
    # Feb: 2500 x 60% = 1500 ; 1234.56 x 10% = 123.456 -> 1623.46
    assert sar.by_month[FEB].weighted == Decimal("1623.46")
    assert sar.total.weighted == Decimal("2123.46")
    assert usd.by_month[JAN].weighted == Decimal("599.40")
    assert usd.months == [JAN]


def test_weighted_sums_by_pipeline_and_owner(tenant, deals):
    forecast = forecast_build(org=tenant.org, membership=tenant.members[Role.OWNER])
    sar = forecast.tables[0]
    assert sar.by_pipeline[(FEB, deals["pipeline"].pk)].weighted == Decimal("1500.00")
    assert sar.by_pipeline[(FEB, deals["other"].pk)].weighted == Decimal("123.46")
    assert sar.by_owner[(FEB, tenant.user(Role.SALES).pk)].weighted == Decimal("1500.00")
    assert sar.by_owner[(FEB, tenant.owner.pk)].weighted == Decimal("123.46")
    assert sar.by_owner[(JAN, tenant.owner.pk)].weighted == Decimal("500.00")
    only_other = forecast_build(org=tenant.org, membership=tenant.members[Role.OWNER], pipeline=deals["other"])
    assert [table.total.weighted for table in only_other.tables] == [Decimal("123.46")]
    only_sales = forecast_build(org=tenant.org, membership=tenant.members[Role.OWNER], owner=tenant.user(Role.SALES))
    assert [table.total.weighted for table in only_sales.tables] == [Decimal("1500.00")]
    february = forecast_build(org=tenant.org, membership=tenant.members[Role.OWNER], date_from=FEB)
    assert february.tables[0].months == [FEB]


def test_sales_member_with_own_visibility_forecasts_only_their_deals(tenant, deals):
    tenant.org.sales_visibility = "own"
    tenant.org.save()
    forecast = forecast_build(org=tenant.org, membership=tenant.members[Role.SALES])
    assert [(table.currency, table.total.weighted) for table in forecast.tables] == [("SAR", Decimal("1500.00"))]


def test_forecast_page_shows_the_numbers_and_chart_data(tenant, deals, owner_client):
    response = owner_client.get(
        reverse("crm:forecast"), {"date_from": "2031-01-01", "date_to": "2031-12-31"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="forecast-chart-data" type="application/json"' in html
    assert '"500.00"' in html and '"1623.46"' in html
    assert "USD" in html
    bad = owner_client.get(reverse("crm:forecast"), {"date_from": "2031-12-01", "date_to": "2031-01-01"})
    assert bad.status_code == 400
