"""Quote pages for members: list, form with the line editor, record page and its actions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import client_for
from mizan.billing.models import Invoice, Quote
from mizan.billing.tests.factories import billing_member, standard_tax
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


def _accountant(tenant):
    return client_for(billing_member(tenant).user)


def _form_data(company, tax, **extra) -> dict:
    data = {
        "company": company.pk,
        "currency": "SAR",
        "issue_date": "2026-03-01",
        "valid_until": "2026-03-31",
        "title": "Fit-out",
        "deposit_percent": "25",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-description": "Design",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "500",
        "lines-0-tax": str(tax.pk),
        "lines-1-description": "Permit fee",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "200",
        "lines-1-tax": "none",
    }
    data.update(extra)
    return data


def test_list_filters_and_totals_in_few_queries(tenant, django_assert_max_num_queries):
    org = tenant.org
    company, _contact = client_with_contact(org)
    for _n in range(3):
        make_quote(tenant, company=company, lines=three_lines(org))
    sent_quote(tenant)
    make_quote(tenant, currency="USD")
    client = _accountant(tenant)
    url = reverse("billing:quote_list")
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert [row.total for row in response.context["totals"]] == [Decimal("2452.24"), Decimal("115.00")]
    assert [row.count for row in response.context["totals"]] == [4, 1]
    response = client.get(url, {"status": "sent"})
    assert [quote.status for quote in response.context["quotes"]] == ["sent"]
    response = client.get(url, {"company": company.pk})
    assert len(response.context["quotes"]) == 3
    response = client.get(url, {"date_from": "2000-01-01", "date_to": "2000-12-31"})
    assert list(response.context["quotes"]) == []


def test_new_quote_from_a_deal_is_prefilled_and_saved(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact, currency="USD")
    client = _accountant(tenant)
    response = client.get(reverse("billing:quote_create"), {"deal": deal.pk})
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["company"], initial["contact"], initial["currency"], initial["title"], initial["deal"]) == (
        company.pk,
        contact.pk,
        "USD",
        "Office fit-out",
        deal.pk,
    )
    data = _form_data(company, standard_tax(org), deal=deal.pk, contact=contact.pk)
    response = client.post(reverse("billing:quote_create"), data)
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("billing:quote_detail", args=[quote.pk])
    assert (quote.deal, quote.contact, quote.deposit_percent) == (deal, contact, Decimal("25"))
    assert (quote.net_total, quote.tax_total, quote.total) == (
        Decimal("1200.00"),
        Decimal("150.00"),
        Decimal("1350.00"),
    )
    assert quote.valid_until == datetime.date(2026, 3, 31)


def test_form_errors_save_nothing(tenant):
    org = tenant.org
    company, _contact = client_with_contact(org)
    data = _form_data(company, standard_tax(org), **{"lines-0-quantity": "0", "valid_until": "2026-02-01"})
    response = _accountant(tenant).post(reverse("billing:quote_create"), data)
    assert response.status_code == 200
    assert Quote.objects.count() == 0


def test_edit_a_draft_but_not_a_sent_quote(tenant):
    org = tenant.org
    client = _accountant(tenant)
    draft = make_quote(tenant, lines=three_lines(org))
    response = client.get(reverse("billing:quote_edit", args=[draft.pk]))
    assert response.status_code == 200 and len(response.context["formset"].forms) == 3
    data = _form_data(draft.company, standard_tax(org), title="Changed")
    response = client.post(reverse("billing:quote_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.total, draft.lines.count()) == ("Changed", Decimal("1350.00"), 2)
    sent = sent_quote(tenant)
    response = client.post(reverse("billing:quote_edit", args=[sent.pk]), _form_data(sent.company, standard_tax(org)))
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.title == "" and sent.total == Decimal("115.00")


def test_detail_send_answer_and_open_the_invoice(tenant, mailoutbox, django_capture_on_commit_callbacks):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    quote = make_quote(tenant, company=None, deal=deal, lines=three_lines(org))
    client = _accountant(tenant)
    detail = reverse("billing:quote_detail", args=[quote.pk])
    response = client.get(detail)
    assert response.status_code == 200 and response.context["public_url"] == ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:quote_send", args=[quote.pk]), {"to": "", "message": "Hello"})
    assert response.status_code == 302 and len(mailoutbox) == 1 and mailoutbox[0].to == ["sara@client.example"]
    response = client.get(detail)
    assert "/billing/p/quote/" in response.context["public_url"]
    assert response.context["public_url"] in response.content.decode()
    response = client.post(reverse("billing:quote_answer", args=[quote.pk]), {"answer": "accept", "name": ""})
    assert response.status_code == 400
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    response = client.post(reverse("billing:quote_answer", args=[quote.pk]), {"answer": "accept", "name": "Sara"})
    assert response.status_code == 302
    quote.refresh_from_db()
    deal.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and deal.status == Deal.Status.WON
    invoice = Invoice.objects.get()
    body = client.get(detail).content.decode()
    assert reverse("billing:invoice_detail", args=[invoice.pk]) in body


def test_send_without_address_shows_the_error(tenant, mailoutbox):
    quote = make_quote(tenant)
    response = _accountant(tenant).post(reverse("billing:quote_send", args=[quote.pk]), {"to": ""})
    assert response.status_code == 400
    assert "enter the address to send to" in response.content.decode() or response.context["send_form"].errors
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT and mailoutbox == []


def test_revise_then_delete_the_new_version(tenant):
    quote = sent_quote(tenant)
    client = _accountant(tenant)
    response = client.post(reverse("billing:quote_revise", args=[quote.pk]))
    revision = Quote.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == reverse("billing:quote_edit", args=[revision.pk])
    assert client.get(reverse("billing:quote_detail", args=[quote.pk])).status_code == 200
    response = client.post(reverse("billing:quote_delete", args=[revision.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("billing:quote_detail", args=[quote.pk])
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and Quote.objects.count() == 1


def test_pdf_download(tenant):
    quote = make_quote(tenant)
    response = _accountant(tenant).get(reverse("billing:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200 and response.content == FAKE_PDF
    assert response["Content-Disposition"] == 'attachment; filename="Q-00001.pdf"'


def test_sales_members_read_but_cannot_write(tenant):
    quote = make_quote(tenant)
    client = client_for(tenant.user(Role.SALES))
    assert client.get(reverse("billing:quote_detail", args=[quote.pk])).status_code == 200
    assert client.get(reverse("billing:quote_create")).status_code == 403
    assert client.post(reverse("billing:quote_delete", args=[quote.pk])).status_code == 403
    assert client_for(tenant.user(Role.EMPLOYEE)).get(reverse("billing:quote_list")).status_code == 403
    assert Quote.objects.count() == 1


def test_another_organizations_quote_is_404(tenant, other_tenant):
    quote = sent_quote(tenant)
    client = client_for(other_tenant.owner)
    for name in ("quote_detail", "quote_edit", "quote_pdf"):
        assert client.get(reverse(f"billing:{name}", args=[quote.pk])).status_code == 404
    for name in ("quote_send", "quote_answer", "quote_revise", "quote_delete"):
        assert (
            client.post(reverse(f"billing:{name}", args=[quote.pk]), {"answer": "accept", "name": "X"}).status_code
            == 404
        )
    assert client.get(reverse("billing:quote_create"), {"deal": open_deal(tenant, quote.company).pk}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and Quote.objects.count() == 1


def test_deal_and_company_pages_offer_a_new_quote(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    quote = make_quote(tenant, company=None, deal=deal)
    make_quote(tenant)  # another client's quote
    client = _accountant(tenant)
    deal_page = client.get(reverse("crm:deal_detail", args=[deal.pk])).content.decode()
    assert f"{reverse('billing:quote_create')}?deal={deal.pk}" in deal_page
    company_page = client.get(reverse("crm:company_detail", args=[company.pk])).content.decode()
    assert f"{reverse('billing:quote_create')}?company={company.pk}" in company_page
    response = client.get(reverse("billing:quote_list"), {"deal": deal.pk})
    assert list(response.context["quotes"]) == [quote]
    sales_page = client_for(tenant.user(Role.SALES)).get(reverse("crm:deal_detail", args=[deal.pk])).content.decode()
    assert reverse("billing:quote_create") not in sales_page
