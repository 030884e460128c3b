"""/api/v1/ledger/: the same rules as the web pages, the one error format, 404 across organizations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mizan.api.tests.conftest import token_client_for
from mizan.core.roles import Role
from mizan.crm.models import Company
from mizan.ledger.models import Account, AnalyticAccount, ExchangeRate, FiscalYear, JournalEntry, JournalLine, Period
from mizan.ledger.tests.conftest import account, journal, post

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ledger"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(tenant):
    return token_client_for(tenant.members[Role.ACCOUNTANT])


def _payload(tenant, lines, **extra):
    org = tenant.org
    return {
        "journal": journal(org).pk,
        "date": org.today().isoformat(),
        "memo": "API entry",
        "lines": [
            {"account": account(org, code).pk if isinstance(code, str) else code, "debit": debit, "credit": credit}
            for code, debit, credit in lines
        ],
        **extra,
    }


def test_create_and_post_entry(tenant, api):
    client = Company.objects.create(organization=tenant.org, name_latin="Client")
    payload = _payload(tenant, [("1130", "115.00", "0"), ("4100", "0", "100.00"), ("2120", "0", "15.00")], post=True)
    payload["lines"][0]["partner"] = client.pk
    response = api.post(f"{BASE}/entries/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "posted" and body["number"] == 1 and body["total_debit"] == "115.000"
    assert [line["account_code"] for line in body["lines"]] == ["1130", "4100", "2120"]
    assert body["lines"][0]["partner_id"] == client.pk
    assert api.get(f"{BASE}/entries/{body['id']}/").json()["display_number"] == body["display_number"]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("1130", "100", "0"), ("4100", "0", "90")], "ledger.unbalanced"),
        ([("1130", "100", "100"), ("4100", "0", "100")], "ledger.both_sides"),
        ([("1130", "0", "0"), ("4100", "0", "0")], "ledger.no_amount"),
        ([("1130", "-5", "0"), ("4100", "-5", "0")], "ledger.amount_negative"),
    ],
)
def test_bad_entries_answer_400_and_save_nothing(tenant, api, lines, code):
    response = api.post(f"{BASE}/entries/", _payload(tenant, lines, post=True), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert JournalEntry.objects.count() == JournalLine.objects.count() == 0


def test_closed_period_and_inactive_account_answer_400(tenant, api, accountant):
    from mizan.ledger.services.periods import period_close, period_for_date

    rent = account(tenant.org, "5300")
    Account.objects.filter(pk=rent.pk).update(is_active=False)
    response = api.post(
        f"{BASE}/entries/", _payload(tenant, [("5300", "10", "0"), ("1110", "0", "10")], post=True), format="json"
    )
    assert response.json()["code"] == "ledger.account_inactive"
    period_close(
        org=tenant.org, actor_membership=accountant, period=period_for_date(org=tenant.org, day=tenant.org.today())
    )
    response = api.post(
        f"{BASE}/entries/", _payload(tenant, [("5400", "10", "0"), ("1110", "0", "10")], post=True), format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "ledger.period_closed"
    assert JournalEntry.objects.count() == 0


def test_other_organizations_ids_in_payload_answer_404(tenant, other_tenant, api):
    foreign_partner = Company.objects.create(organization=other_tenant.org, name_latin="Elsewhere")
    foreign_cc = AnalyticAccount.objects.create(
        organization=other_tenant.org, kind="cost_center", code="X", name_en="X"
    )
    payloads = [
        _payload(tenant, [(account(other_tenant.org, "1130").pk, "10", "0"), ("4100", "0", "10")]),
        _payload(tenant, [("1130", "10", "0"), ("4100", "0", "10")], journal=journal(other_tenant.org).pk),
    ]
    with_partner = _payload(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    with_partner["lines"][0]["partner"] = foreign_partner.pk
    with_cc = _payload(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    with_cc["lines"][0]["cost_center"] = foreign_cc.pk
    for payload in [*payloads, with_partner, with_cc]:
        response = api.post(f"{BASE}/entries/", payload, format="json")
        assert response.status_code == 404, response.content
    assert JournalEntry.objects.count() == 0


def test_posted_entry_cannot_be_edited_or_deleted(tenant, api):
    entry = post(tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    response = api.put(
        f"{BASE}/entries/{entry.pk}/", _payload(tenant, [("1130", "99", "0"), ("4100", "0", "99")]), format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "ledger.entry_posted"
    response = api.delete(f"{BASE}/entries/{entry.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "ledger.entry_posted"
    assert api.patch(f"{BASE}/entries/{entry.pk}/", {"memo": "x"}, format="json").status_code == 405
    entry.refresh_from_db()
    assert entry.is_posted and sorted(entry.lines.values_list("debit", flat=True)) == [Decimal("0"), Decimal("10")]


def test_draft_update_post_delete_and_reverse(tenant, api):
    created = api.post(
        f"{BASE}/entries/", _payload(tenant, [("1130", "10", "0"), ("4100", "0", "10")]), format="json"
    ).json()
    assert created["state"] == "draft" and created["number"] is None
    updated = api.put(
        f"{BASE}/entries/{created['id']}/", _payload(tenant, [("1130", "20", "0"), ("4100", "0", "20")]), format="json"
    )
    assert updated.json()["total_debit"] == "20.000"
    posted = api.post(f"{BASE}/entries/{created['id']}/post/").json()
    assert posted["state"] == "posted" and posted["number"] == 1
    reversal = api.post(f"{BASE}/entries/{created['id']}/reverse/", {"memo": "Undo"}, format="json")
    assert reversal.status_code == 201 and reversal.json()["reversal_of_id"] == created["id"]
    listed = api.get(f"{BASE}/entries/", {"state": "posted"}).json()["results"]
    assert {row["id"]: row["is_reversed"] for row in listed}[created["id"]] is True
    draft = api.post(
        f"{BASE}/entries/", _payload(tenant, [("1130", "1", "0"), ("4100", "0", "1")]), format="json"
    ).json()
    assert api.delete(f"{BASE}/entries/{draft['id']}/").status_code == 204
    assert not JournalEntry.objects.filter(pk=draft["id"]).exists()


def test_foreign_currency_entry_via_api(tenant, api, accountant):
    from mizan.ledger.services.currencies import exchange_rate_set

    exchange_rate_set(org=tenant.org, actor_membership=accountant, currency="USD", date=tenant.org.today(), rate="3.75")
    body = api.post(
        f"{BASE}/entries/",
        _payload(tenant, [("1120", "100", "0"), ("1130", "0", "100")], currency="USD", post=True),
        format="json",
    ).json()
    assert [(line["currency"], line["amount_currency"], line["debit"]) for line in body["lines"]] == [
        ("USD", "100.000", "375.000"),
        ("USD", "-100.000", "0.000"),
    ]


def test_accounts_journals_rates_periods_years_endpoints(tenant, api):
    accounts = api.get(f"{BASE}/accounts/", {"page_size": 200}).json()
    assert accounts["count"] == Account.objects.filter(organization=tenant.org).count()
    created = api.post(f"{BASE}/accounts/", {"code": "5310", "name_en": "Software", "type": "expense"}, format="json")
    assert created.status_code == 201
    assert api.post(f"{BASE}/accounts/{created.json()['id']}/deactivate/").json()["is_active"] is False
    assert api.delete(f"{BASE}/accounts/{created.json()['id']}/").status_code == 204
    post(tenant, [("5300", "10", "0"), ("1110", "0", "10")])
    response = api.delete(f"{BASE}/accounts/{account(tenant.org, '5300').pk}/")
    assert response.status_code == 400 and response.json()["code"] == "ledger.account_has_lines"
    assert api.get(f"{BASE}/journals/").json()["count"] == 5
    rate = api.post(f"{BASE}/exchange-rates/", {"currency": "USD", "date": "2024-01-01", "rate": "3.75"}, format="json")
    assert rate.status_code == 201
    imported = api.post(
        f"{BASE}/exchange-rates/import/", {"csv": "EUR,2024-01-01,4.1\nUSD,2024-01-01,3.76"}, format="json"
    )
    assert imported.json() == {"created": 1, "updated": 1}
    assert ExchangeRate.objects.get(organization=tenant.org, currency="USD").rate == Decimal("3.76")
    periods = api.get(f"{BASE}/periods/").json()
    assert periods["count"] == 12
    closed = api.post(f"{BASE}/periods/{periods['results'][0]['id']}/close/")
    assert closed.json()["state"] == "closed"
    reopen = api.post(f"{BASE}/periods/{periods['results'][0]['id']}/reopen/")
    assert reopen.status_code == 403  # the accountant lacks the reopen capability
    years = api.post(f"{BASE}/fiscal-years/", {}, format="json")
    assert years.status_code == 201 and len(years.json()["periods"]) == 12
    analytic = api.post(
        f"{BASE}/analytic-accounts/", {"kind": "project", "code": "P1", "name_en": "Website"}, format="json"
    )
    assert analytic.status_code == 201


def test_sales_member_cannot_read_or_post(tenant):
    sales = token_client_for(tenant.members[Role.SALES])
    assert sales.get(f"{BASE}/entries/").status_code == 403
    assert (
        sales.post(
            f"{BASE}/entries/", _payload(tenant, [("1130", "1", "0"), ("4100", "0", "1")]), format="json"
        ).status_code
        == 403
    )
    assert JournalEntry.objects.count() == 0


def test_other_organizations_records_answer_404_and_change_nothing(tenant, other_tenant):
    owner_api = token_client_for(tenant.members[Role.OWNER])
    entry = post(other_tenant, [("1130", "10", "0"), ("4100", "0", "10")])
    draft = post(other_tenant, [("1130", "10", "0"), ("4100", "0", "10")], post=False)
    acc = account(other_tenant.org, "5400")
    period = Period.objects.filter(organization=other_tenant.org).first()
    year = FiscalYear.objects.get(organization=other_tenant.org)
    rate = ExchangeRate.objects.create(
        organization=other_tenant.org, currency="USD", date=other_tenant.org.today(), rate=Decimal("50")
    )
    analytic = AnalyticAccount.objects.create(organization=other_tenant.org, kind="project", code="P", name_en="P")
    calls = [
        ("get", f"accounts/{acc.pk}/"),
        ("patch", f"accounts/{acc.pk}/"),
        ("delete", f"accounts/{acc.pk}/"),
        ("post", f"accounts/{acc.pk}/deactivate/"),
        ("get", f"journals/{journal(other_tenant.org).pk}/"),
        ("patch", f"journals/{journal(other_tenant.org).pk}/"),
        ("get", f"entries/{entry.pk}/"),
        ("put", f"entries/{draft.pk}/"),
        ("delete", f"entries/{draft.pk}/"),
        ("post", f"entries/{draft.pk}/post/"),
        ("post", f"entries/{entry.pk}/reverse/"),
        ("get", f"periods/{period.pk}/"),
        ("post", f"periods/{period.pk}/close/"),
        ("post", f"periods/{period.pk}/reopen/"),
        ("get", f"fiscal-years/{year.pk}/"),
        ("post", f"fiscal-years/{year.pk}/close/"),
        ("delete", f"exchange-rates/{rate.pk}/"),
        ("get", f"analytic-accounts/{analytic.pk}/"),
        ("patch", f"analytic-accounts/{analytic.pk}/"),
    ]
    for method, path in calls:
        data = _payload(tenant, [("1130", "1", "0"), ("4100", "0", "1")]) if method == "put" else {"name_en": "x"}
        response = getattr(owner_api, method)(f"{BASE}/{path}", data, format="json")
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
    assert JournalEntry.objects.filter(organization=other_tenant.org).count() == 2
    draft.refresh_from_db()
    acc.refresh_from_db()
    period.refresh_from_db()
    assert draft.state == "draft" and acc.is_active and acc.name_en != "x" and period.is_open
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


#: token + membership (authentication), then count + page (+ prefetches for nested lists).
PINNED = {
    "entries": 4,
    "accounts": 4,
    "journals": 4,
    "periods": 4,
    "fiscal-years": 5,
    "exchange-rates": 4,
    "analytic-accounts": 4,
}


@pytest.mark.parametrize("endpoint", list(PINNED))
def test_api_list_queries_do_not_grow_with_rows(tenant, api, accountant, endpoint):
    from mizan.ledger.services.accounts import analytic_account_create
    from mizan.ledger.services.currencies import exchange_rate_set
    from mizan.ledger.services.periods import fiscal_year_create

    url = f"{BASE}/{endpoint}/"

    def add(index):
        post(tenant, [("1130", "1", "0"), ("4100", "0", "1")], journal_code="SAL", post=index % 2 == 0)
        exchange_rate_set(
            org=tenant.org,
            actor_membership=accountant,
            currency="USD",
            date=tenant.org.today().replace(day=index + 1),
            rate="3.75",
        )
        analytic_account_create(
            org=tenant.org, actor_membership=accountant, data={"kind": "project", "code": f"P{index}", "name_en": "P"}
        )

    add(0)
    api.get(url)  # let the token's last_used_at settle
    few = _count(api, url)
    for index in range(1, 6):
        add(index)
    fiscal_year_create(org=tenant.org, actor_membership=accountant)
    assert _count(api, url) == few == PINNED[endpoint]
