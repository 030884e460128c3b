"""/api/v1/ledger/reports/: figures, drill-down URLs whose totals equal the figures, tenancy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from mizan.api.tests.conftest import token_client_for
from mizan.core.roles import Role
from mizan.ledger.tests.report_scenario import build_scenario

D = Decimal
pytestmark = pytest.mark.django_db
BASE = "/api/v1/ledger/reports"
FEBRUARY = "date_from=2024-02-01&date_to=2024-02-29"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scenario(tenant):
    return build_scenario(tenant)


@pytest.fixture
def api(tenant):
    return token_client_for(tenant.members[Role.ACCOUNTANT])


def _drill(api, figure: dict) -> Decimal:
    """Balance (debit - credit) of the lines a figure links to."""
    response = api.get(figure["lines"])
    assert response.status_code == 200, response.json()
    return D(response.json()["balance"])


def test_trial_balance_endpoint(scenario, api):
    body = api.get(f"{BASE}/trial-balance/?{FEBRUARY}").json()
    assert body["base_currency"] == "SAR" and body["is_balanced"] is True
    assert D(body["debit"]) == D(body["credit"]) == D("5475") and D(body["closing"]) == 0
    bank = next(row for row in body["rows"] if row["account"]["id"] == scenario.books.bank.pk)
    assert [D(bank[k]["amount"]) for k in ("opening", "debit", "credit", "closing")] == [
        D("10500"),
        D("1600"),
        D("3300"),
        D("8800"),
    ]
    assert _drill(api, bank["opening"]) == D("10500")
    assert _drill(api, bank["debit"]) == D("1600")
    assert _drill(api, bank["credit"]) == D("-3300")
    assert _drill(api, bank["closing"]) == D("8800")


def test_general_ledger_endpoint_pages_carry_the_running_balance(scenario, api):
    url = f"{BASE}/general-ledger/{scenario.books.bank.pk}/?{FEBRUARY}&page=2&page_size=2"
    body = api.get(url).json()
    assert (body["page"], body["num_pages"], body["count"]) == (2, 3, 5)
    assert D(body["brought_forward"]) == D("9000")
    assert [D(row["balance"]) for row in body["rows"]] == [D("8900"), D("9000")]
    assert D(body["opening"]["amount"]) == D("10500") and D(body["closing"]["amount"]) == D("8800")


def test_profit_and_loss_endpoint_with_comparison(scenario, api):
    body = api.get(f"{BASE}/profit-and-loss/?{FEBRUARY}&comparison=previous_period").json()
    assert (body["previous_from"], body["previous_to"]) == ("2024-01-01", "2024-01-31")
    assert [D(body["net"]["amount"]), D(body["previous_net"]["amount"]), D(body["net_difference"])] == [
        D("-2500"),
        D("2600"),
        D("-5100"),
    ]
    assert -_drill(api, body["net"]) == D("-2500")
    assert -_drill(api, body["previous_net"]) == D("2600")
    assert api.get(f"{BASE}/profit-and-loss/?comparison=yesterday").status_code == 400


def test_balance_sheet_and_aging_and_analytic_endpoints(scenario, api):
    sheet = api.get(f"{BASE}/balance-sheet/?as_of=2024-02-29").json()
    assert sheet["is_balanced"] is True and D(sheet["total_assets"]) == D("10885")
    assert D(sheet["result"]["amount"]) == D("100") and -_drill(api, sheet["result"]) == D("100")
    aging = api.get(f"{BASE}/aging/receivable/?as_of=2024-03-31").json()
    rows = {row["partner"]: row for row in aging["rows"]}
    assert {k: D(v) for k, v in rows["Client A"]["buckets"].items()} == {
        "current": 0,
        "days_1_30": 0,
        "days_31_60": D("575"),
        "days_61_90": D("650"),
        "over_90": 0,
    }
    assert _drill(api, rows["Client A"]["total"]) == D("1225")
    assert _drill(api, aging["total"]) == D(aging["total"]["amount"]) == D("1925")
    assert api.get(f"{BASE}/aging/sideways/").status_code == 404
    by_cc = api.get(f"{BASE}/profit-and-loss/by/cost-center/?date_from=2024-01-01&date_to=2024-02-29").json()
    assert [c["code"] for c in by_cc["columns"]] == ["CC1", "CC2"]
    assert [D(f["amount"]) for f in by_cc["net"]] == [D("1100"), D("-1000"), D("100")]
    assert [-_drill(api, f) for f in by_cc["net"]] == [D("1100"), D("-1000"), D("100")]


def test_lines_endpoint_totals_and_bad_input(scenario, api):
    body = api.get(f"{BASE}/lines/?account={scenario.books.receivable.pk}&partner={scenario.client_a.pk}").json()
    assert (body["count"], D(body["total_debit"]), D(body["total_credit"])) == (3, D("1725"), D("500"))
    response = api.get(f"{BASE}/lines/?date_from=not-a-date")
    assert response.status_code == 400 and response.json()["field"] == "date_from"


def test_api_another_organizations_ids_are_404(scenario, other_tenant, api):
    other = build_scenario(other_tenant)
    assert api.get(f"{BASE}/general-ledger/{other.books.bank.pk}/").status_code == 404
    assert api.get(f"{BASE}/lines/?account={other.books.bank.pk}").status_code == 404
    assert api.get(f"{BASE}/trial-balance/?cost_center={other.cc1.pk}").status_code == 404
    assert api.get(f"{BASE}/trial-balance/?project={other.p1.pk}").status_code == 404
    body = api.get(f"{BASE}/trial-balance/?date_from=2024-01-01&date_to=2024-02-29").json()
    other_accounts = {other.books.bank.pk, other.books.receivable.pk, other.books.revenue.pk}
    assert {row["account"]["id"] for row in body["rows"]}.isdisjoint(other_accounts)
    assert D(body["debit"]) == D("19885")


def test_api_needs_ledger_view(scenario, tenant):
    response = token_client_for(tenant.members[Role.SALES]).get(f"{BASE}/trial-balance/")
    assert response.status_code == 403


def test_aging_endpoint_is_paged_and_totals_every_partner(scenario, api):
    whole = api.get(f"{BASE}/aging/receivable/?as_of=2024-03-31").json()
    assert (whole["count"], whole["page"], whole["num_pages"], len(whole["rows"])) == (3, 1, 1, 3)
    second = api.get(f"{BASE}/aging/receivable/?as_of=2024-03-31&page=2&page_size=2").json()
    assert (second["count"], second["page"], second["num_pages"]) == (3, 2, 2)
    assert [row["partner"] for row in second["rows"]] == ["Client C"]
    assert second["totals"] == whole["totals"] and second["total"]["amount"] == whole["total"]["amount"]
    assert api.get(f"{BASE}/aging/receivable/?page_size=0").status_code == 400
