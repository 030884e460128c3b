"""The client's public pages of quotes and invoices, through the test client (no sign-in)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from freezegun import freeze_time

from mizan.billing import public_links
from mizan.billing.models import Invoice, Quote
from mizan.billing.public_links import (
    invoice_from_token,
    invoice_public_path,
    invoice_public_url,
    quote_from_token,
    quote_public_path,
    quote_public_url,
)
from mizan.billing.services.quotes import quote_revise
from mizan.billing.tests.factories import billing_member, draft_invoice, posted_invoice
from mizan.billing.tests.test_quotes_support import (
    FAKE_PDF,
    client_with_contact,
    fake_quote_pdf,  # noqa: F401 (a fixture)
    open_deal,
    sent_quote,
    three_lines,
)
from mizan.billing.views import public as public_views
from mizan.crm.models import Deal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_quote_pdf")]
BROWSER = "Mozilla/5.0 (X11; Linux) Firefox/130.0"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _post(client: Client, path: str, **data: str):
    return client.post(path, data, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)


def _token(path: str) -> str:
    return path.rstrip("/").split("/")[-1]


# --- Links ---------------------------------------------------------------------------------------


def test_links_are_absolute_and_open_only_their_document(tenant, settings):
    settings.SITE_URL = "https://app.mizan.example"
    quote = sent_quote(tenant)
    invoice = posted_invoice(tenant)
    assert quote_public_url(quote).startswith("https://app.mizan.example/billing/p/quote/")
    assert invoice_public_url(invoice).startswith("https://app.mizan.example/billing/p/invoice/")
    quote_token = _token(quote_public_path(quote))
    invoice_token = _token(invoice_public_path(invoice))
    assert quote_from_token(quote_token) == quote
    assert invoice_from_token(invoice_token) == invoice
    client = Client()
    # A quote token does not open an invoice page (salted per kind), and the reverse.
    assert client.get(reverse("billing:public_invoice", kwargs={"token": quote_token})).status_code == 404
    assert client.get(reverse("billing:public_quote", kwargs={"token": invoice_token})).status_code == 404


def test_tampered_and_revoked_quote_links_are_404(tenant):
    quote = sent_quote(tenant)
    path = quote_public_path(quote)
    client = Client()
    assert client.get(path).status_code == 200
    token = _token(path)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("billing:public_quote", kwargs={"token": tampered})).status_code == 404
    assert client.get(reverse("billing:public_quote", kwargs={"token": "nonsense"})).status_code == 404
    Quote.objects.filter(pk=quote.pk).update(public_key="0" * 32)  # a new key revokes the old links
    assert client.get(path).status_code == 404
    assert client.get(reverse("billing:public_quote_pdf", kwargs={"token": token})).status_code == 404


def test_quote_link_dies_after_the_grace_period(tenant):
    quote = sent_quote(tenant)
    path = quote_public_path(quote)
    client = Client()
    later = quote.valid_until + datetime.timedelta(days=public_links.QUOTE_LINK_GRACE_DAYS)
    with freeze_time(datetime.datetime.combine(later, datetime.time(12, 0))):
        response = client.get(path)
    assert response.status_code == 200  # still shown (as expired) during the grace period
    with freeze_time(datetime.datetime.combine(later + datetime.timedelta(days=2), datetime.time(12, 0))):
        assert client.get(path).status_code == 404


# --- Quote page ------------------------------------------------------------------------------------


def test_quote_page_speaks_the_clients_language_and_switches(tenant):
    org = tenant.org
    company, _contact = client_with_contact(org, language="en")
    quote = sent_quote(tenant, company=company, lines=three_lines(org))
    client = Client()
    response = client.get(quote_public_path(quote))
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert '<html lang="en" dir="ltr">' in body
    assert "Quote Q-00001" in body and "Accept the quote" in body and "Government fee" in body
    assert "csrfmiddlewaretoken" in body
    response = client.get(quote_public_path(quote) + "?lang=ar")
    assert response["Content-Language"] == "ar" and '<html lang="ar" dir="rtl">' in response.content.decode()
    pdf = client.get(reverse("billing:public_quote_pdf", kwargs={"token": _token(quote_public_path(quote))}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content == FAKE_PDF
    assert pdf["Content-Disposition"] == 'attachment; filename="Q-00001.pdf"'


def test_client_accepts_through_the_public_page(tenant):
    org = tenant.org
    company, contact = client_with_contact(org)
    deal = open_deal(tenant, company, contact)
    quote = sent_quote(tenant, company=None, deal=deal, lines=three_lines(org))
    path = quote_public_path(quote)
    client = Client()
    response = _post(client, path, action="accept", **{"accept-name": "Sara Ali"})
    assert response.status_code == 303 and response["Location"].startswith(path)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert (quote.responder_name, quote.responder_ip, quote.responder_user_agent) == (
        "Sara Ali",
        "203.0.113.7",
        BROWSER,
    )
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    invoice = Invoice.objects.get(quote=quote)
    assert invoice.status == Invoice.Status.DRAFT and invoice.total == quote.total == Decimal("779.08")
    page = client.get(response["Location"]).content.decode()
    assert "Sara Ali" in page and "accept-name" not in page  # answered: no more forms


def test_client_declines_with_a_reason(tenant):
    quote = sent_quote(tenant)
    response = _post(
        Client(),
        quote_public_path(quote),
        action="decline",
        **{"decline-reason": "Over budget", "decline-name": "Omar"},
    )
    assert response.status_code == 303
    quote.refresh_from_db()
    assert (quote.status, quote.decline_reason, quote.responder_name, quote.responder_ip) == (
        Quote.Status.DECLINED,
        "Over budget",
        "Omar",
        "203.0.113.7",
    )
    assert Invoice.objects.count() == 0


def test_accepting_without_a_name_changes_nothing(tenant):
    quote = sent_quote(tenant)
    response = _post(Client(), quote_public_path(quote), action="accept", **{"accept-name": " "})
    assert response.status_code == 400
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT and quote.responded_at is None


def test_expired_quote_shows_a_clear_error_and_nothing_changes(tenant):
    org = tenant.org
    company, contact = client_with_contact(org, language="en")
    deal = open_deal(tenant, company, contact)
    quote = sent_quote(tenant, company=None, deal=deal)
    path = quote_public_path(quote)
    client = Client()
    client.get(path)  # the page was opened while the quote was valid...
    Quote.objects.filter(pk=quote.pk).update(valid_until=org.today() - datetime.timedelta(days=1))
    response = _post(client, path, action="accept", **{"accept-name": "Sara"})  # ...and answered too late
    body = response.content.decode()
    assert response.status_code == 409
    assert "This quote expired on" in body
    assert "This quote has expired and can no longer be accepted" in body
    quote.refresh_from_db()
    deal.refresh_from_db()
    assert (quote.status, quote.responder_name, quote.responder_ip) == (Quote.Status.SENT, "", None)
    assert deal.status == Deal.Status.OPEN and Invoice.objects.count() == 0
    page = client.get(path).content.decode()
    assert "can no longer be accepted" in page and "accept-name" not in page


def test_an_answered_quote_refuses_a_second_answer(tenant):
    quote = sent_quote(tenant, language="en")
    path = quote_public_path(quote)
    client = Client()
    assert _post(client, path, action="decline", **{"decline-reason": "No"}).status_code == 303
    response = _post(client, path, action="accept", **{"accept-name": "Sara"})
    assert response.status_code == 409
    with translation.override("ar"):  # the client's language (the organization's: Arabic)
        assert gettext("This quote has already been answered.") in response.content.decode()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DECLINED and Invoice.objects.count() == 0


def test_a_superseded_quote_says_so(tenant):
    quote = sent_quote(tenant)
    path = quote_public_path(quote)
    quote_revise(org=tenant.org, actor_membership=billing_member(tenant), quote=quote)
    client = Client()
    assert "replaced by a newer version" in client.get(path + "?lang=en").content.decode()
    response = _post(client, path + "?lang=en", action="accept", **{"accept-name": "Sara"})
    assert response.status_code == 409
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SUPERSEDED


def test_public_answers_need_the_csrf_token(tenant):
    quote = sent_quote(tenant)
    client = Client(enforce_csrf_checks=True)
    response = _post(client, quote_public_path(quote), action="accept", **{"accept-name": "Sara"})
    assert response.status_code == 403
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_public_answers_are_rate_limited(tenant, monkeypatch):
    monkeypatch.setattr(public_views, "RATE_LIMIT", 2)
    quote = sent_quote(tenant)
    path = quote_public_path(quote)
    client = Client()
    for _attempt in range(2):
        assert _post(client, path, action="accept", **{"accept-name": ""}).status_code == 400
    response = _post(client, path, action="accept", **{"accept-name": "Sara"})
    assert response.status_code == 429
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


# --- Invoice page ----------------------------------------------------------------------------------


def test_invoice_page_shows_the_amount_due_and_serves_the_pdf(tenant, monkeypatch):
    import types

    import mizan.billing.views.public  # noqa: F401

    invoice = posted_invoice(tenant)
    client = Client()
    response = client.get(invoice_public_path(invoice) + "?lang=en")
    body = response.content.decode()
    assert response.status_code == 200
    assert invoice.display_number in body and "Amount due" in body and "115.00" in body
    fake = types.SimpleNamespace(invoice_pdf=lambda invoice: b"%PDF-invoice")
    monkeypatch.setitem(__import__("sys").modules, "mizan.billing.pdf", fake)
    Invoice.objects.filter(pk=invoice.pk).update(pdf="")
    pdf = client.get(reverse("billing:public_invoice_pdf", kwargs={"token": _token(invoice_public_path(invoice))}))
    assert pdf.status_code == 200 and pdf.content == b"%PDF-invoice"


def test_invoice_links_refuse_drafts_tampering_and_age(tenant):
    client = Client()
    draft = draft_invoice(tenant)
    assert client.get(invoice_public_path(draft)).status_code == 404
    invoice = posted_invoice(tenant)
    path = invoice_public_path(invoice)
    token = _token(path)
    assert client.get(reverse("billing:public_invoice", kwargs={"token": token[:-3] + "xyz"})).status_code == 404
    later = datetime.datetime.now() + public_links.INVOICE_LINK_MAX_AGE + datetime.timedelta(days=1)
    with freeze_time(later):
        assert client.get(path).status_code == 404
