"""/api/v1/billing/quotes/: drafts with lines, filters, send, revise, answers, and another
organization's quotes (404 through every action, nothing changed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from mizan.api.tests.conftest import token_client_for
from mizan.billing.models import Invoice, Quote
from mizan.billing.tests.factories import make_client, standard_tax
from mizan.billing.tests.test_quotes_support import (
    FAKE_PDF,
    client_with_contact,
    fake_quote_pdf,  # noqa: F401 (a fixture)
    make_quote,
    open_deal,
    sent_quote,
    three_lines,
)
from mizan.core.roles import Role
from mizan.crm.models import Deal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_quote_pdf")]

URL = "/api/v1/billing/quotes/"


@pytest.fixture
def api(tenant):
    return token_client_for(tenant.members[Role.ACCOUNTANT])


def test_create_from_a_deal_retrieve_and_update(tenant, api):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    tax = standard_tax(org, "15")
    payload = {
        "deal": deal.pk,
        "deposit_percent": "30",
        "lines": [
            {"description": "Design", "quantity": "2", "unit_price": "500", "tax": tax.pk},
            {"description": "Fee", "quantity": "1", "unit_price": "100.50", "tax": None},
        ],
    }
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["version"], body["status"], body["company"], body["contact"], body["title"]) == (
        "Q-00001",
        1,
        "draft",
        company.pk,
        contact.pk,
        "Office fit-out",
    )
    assert (body["net_total"], body["tax_total"], body["total"], body["deposit_percent"]) == (
        "1100.500",
        "150.000",
        "1250.500",
        "30.0000",
    )
    assert body["public_url"] is None and len(body["lines"]) == 2
    quote_id = body["id"]
    response = api.patch(f"{URL}{quote_id}/", {"title": "Renamed", "discount_percent": "10"}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["total"]) == ("Renamed", "1125.450")
    assert api.get(f"{URL}{quote_id}/").json()["lines"][0]["description"] == "Design"


def test_create_rejects_bad_input_and_saves_nothing(tenant, other_tenant, api):
    foreign = make_client(other_tenant.org)
    response = api.post(URL, {"company": foreign.pk, "lines": [{"description": "x", "unit_price": "1"}]}, format="json")
    assert response.status_code == 404
    response = api.post(URL, {"company": make_client(tenant.org).pk, "lines": []}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "lines"
    assert Quote.objects.count() == 0


def test_list_filters(tenant, api, django_assert_max_num_queries):
    org = tenant.org
    company, _contact = client_with_contact(org)
    make_quote(tenant, company=company, lines=three_lines(org), title="Kitchen")
    sent = sent_quote(tenant)
    expired = sent_quote(tenant)
    Quote.objects.filter(pk=expired.pk).update(valid_until=org.today() - datetime.timedelta(days=1))
    with django_assert_max_num_queries(8):
        response = api.get(URL)
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == ["Q-00003", "Q-00002", "Q-00001"]
    assert [row["id"] for row in api.get(URL, {"status": "expired"}).json()["results"]] == [expired.pk]
    assert [row["id"] for row in api.get(URL, {"status": "sent"}).json()["results"]] == [expired.pk, sent.pk]
    assert len(api.get(URL, {"client": company.pk}).json()["results"]) == 1
    assert api.get(URL, {"q": "kitch"}).json()["results"][0]["title"] == "Kitchen"
    assert api.get(URL, {"q": "Q-00002"}).json()["results"][0]["id"] == sent.pk
    assert api.get(URL, {"date_to": "2000-01-01"}).json()["results"] == []
    assert api.get(URL, {"ordering": "total"}).status_code == 200


def test_send_revise_accept_and_pdf(tenant, api, mailoutbox, django_capture_on_commit_callbacks):
    org = tenant.org
    company, contact = client_with_contact(org, language="en")
    deal = open_deal(tenant, company, contact)
    quote = make_quote(tenant, company=None, deal=deal, lines=three_lines(org))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}{quote.pk}/send/", {"message": "Hi"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "sent"
    assert response.json()["public_url"].startswith("http") and len(mailoutbox) == 1
    response = api.post(f"{URL}{quote.pk}/revise/", format="json")
    assert response.status_code == 201 and response.json()["number"] == "Q-00001/2"
    revision_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"{URL}{revision_id}/send/", {}, format="json")
    response = api.post(f"{URL}{revision_id}/accept/", {"name": ""}, format="json")
    assert response.status_code == 400
    response = api.post(f"{URL}{revision_id}/accept/", {"name": "Sara"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted" and body["responder_name"] == "Sara" and body["invoice"]
    assert Invoice.objects.get(pk=body["invoice"]).total == Decimal(body["total"])
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    response = api.post(f"{URL}{quote.pk}/accept/", {"name": "Sara"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "billing.quote_superseded"
    response = api.get(f"{URL}{quote.pk}/pdf/")
    assert response.status_code == 200 and response.content == FAKE_PDF


def test_decline_and_delete(tenant, api):
    quote = sent_quote(tenant)
    response = api.post(f"{URL}{quote.pk}/decline/", {"reason": "Too expensive"}, format="json")
    assert response.status_code == 200 and response.json()["decline_reason"] == "Too expensive"
    assert api.delete(f"{URL}{quote.pk}/").status_code == 400
    draft = make_quote(tenant)
    assert api.delete(f"{URL}{draft.pk}/").status_code == 204
    assert list(Quote.objects.values_list("pk", flat=True)) == [quote.pk]


def test_sales_members_read_but_cannot_write(tenant):
    quote = make_quote(tenant)
    sales = token_client_for(tenant.members[Role.SALES])
    assert sales.get(f"{URL}{quote.pk}/").status_code == 200
    assert sales.post(URL, {"company": quote.company_id, "lines": []}, format="json").status_code == 403
    assert sales.post(f"{URL}{quote.pk}/send/", {"to": "a@b.example"}, format="json").status_code == 403
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT


def test_another_organizations_quote_is_404_everywhere(tenant, other_tenant, mailoutbox):
    quote = sent_quote(tenant)
    draft = make_quote(tenant)
    api = token_client_for(other_tenant.members[Role.OWNER])
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{quote.pk}/").status_code == 404
    assert api.get(f"{URL}{quote.pk}/pdf/").status_code == 404
    assert api.patch(f"{URL}{draft.pk}/", {"title": "x"}, format="json").status_code == 404
    assert api.delete(f"{URL}{draft.pk}/").status_code == 404
    for name, payload in (("send", {"to": "a@b.example"}), ("revise", {}), ("accept", {"name": "X"}), ("decline", {})):
        assert api.post(f"{URL}{quote.pk}/{name}/", payload, format="json").status_code == 404
    response = api.post(URL, {"deal": open_deal(tenant, quote.company).pk, "lines": []}, format="json")
    assert response.status_code == 404
    quote.refresh_from_db()
    draft.refresh_from_db()
    assert (quote.status, draft.title, Quote.objects.count(), mailoutbox) == (Quote.Status.SENT, "", 2, [])
