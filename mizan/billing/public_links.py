"""Signed, expiring links to the public (no login) pages of quotes and invoices.

A link carries a token made by `django.core.signing` with a salt per kind of document, so a quote
token can never open an invoice page and the reverse. Tokens are built from `SECRET_KEY`: rotating
it revokes every link.

Quote link: payload {quote pk, quote.public_key}. `quote_send` gives a draft quote its
`public_key` when it is first sent (sending it again keeps the link the client has); a new version
(`quote_revise`) is a new quote with its own key, so the old version's link shows it superseded.
Giving a quote a new key revokes every link sent before. The link opens the
page until the end of `valid_until` (in the organization's time zone) plus `QUOTE_LINK_GRACE_DAYS`:
after `valid_until` the client can still see the quote and that it has expired, but not accept it
(`quote_accept` refuses); after the grace period the link is dead (404).

Invoice link: invoices have no key of their own, so the payload is {organization id, invoice pk,
invoice number} with a timestamp; it opens the page for `INVOICE_LINK_MAX_AGE` (180 days) after it
was made. A draft has no public page (a link made while it was a draft carries no number and stays
dead after posting).

Every failure (bad, tampered, expired, revoked, unknown document) raises `Http404`: a caller learns
nothing about which check failed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

QUOTE_SALT = "mizan.billing.public.quote"
INVOICE_SALT = "mizan.billing.public.invoice"
#: Days after `valid_until` during which the page still shows the (expired) quote.
QUOTE_LINK_GRACE_DAYS = 30
#: How long an invoice link stays valid after it was made.
INVOICE_LINK_MAX_AGE = datetime.timedelta(days=180)


def _absolute(path: str) -> str:
    """Absolute link for e-mails and clipboards: the configured site, never the request's Host header."""
    return settings.SITE_URL + path


# --- Quotes --------------------------------------------------------------------------------------


def quote_token(quote: Any) -> str:
    """The token of a quote's public page; the quote needs a `public_key` (given when it is sent)."""
    if not quote.public_key:
        raise ValueError("A quote gets a public link when it is sent.")
    return signing.dumps({"q": quote.pk, "k": quote.public_key}, salt=QUOTE_SALT, compress=True)


def quote_public_path(quote: Any) -> str:
    return reverse("billing:public_quote", kwargs={"token": quote_token(quote)})


def quote_public_url(quote: Any) -> str:
    """Absolute URL of the quote's public page (accept / decline / PDF)."""
    return _absolute(quote_public_path(quote))


def quote_public_pdf_url(quote: Any) -> str:
    return _absolute(reverse("billing:public_quote_pdf", kwargs={"token": quote_token(quote)}))


def quote_link_expires_at(quote: Any) -> datetime.datetime:
    """The moment the quote's public link stops working: end of `valid_until` + grace, org's time zone."""
    last_day = quote.valid_until + datetime.timedelta(days=QUOTE_LINK_GRACE_DAYS + 1)
    return datetime.datetime.combine(last_day, datetime.time.min, tzinfo=quote.organization.tz())


def quote_from_token(token: str) -> Any:
    """The quote a token opens, with its organization; `Http404` for any bad, revoked or expired token."""
    from mizan.billing.models import Quote

    try:
        payload = signing.loads(token, salt=QUOTE_SALT)
        pk, key = int(payload["q"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("Invalid link.") from None
    quote = Quote.objects.select_related("organization").filter(pk=pk).first()
    if quote is None or not key or not constant_time_compare(quote.public_key, key):
        raise Http404("Invalid link.")
    if timezone.now() >= quote_link_expires_at(quote):
        raise Http404("Expired link.")
    return quote


# --- Invoices ------------------------------------------------------------------------------------


def invoice_token(invoice: Any) -> str:
    payload = {"o": invoice.organization_id, "i": invoice.pk, "n": invoice.number}
    return signing.dumps(payload, salt=INVOICE_SALT, compress=True)


def invoice_public_path(invoice: Any) -> str:
    return reverse("billing:public_invoice", kwargs={"token": invoice_token(invoice)})


def invoice_public_url(invoice: Any) -> str:
    """Absolute URL of the invoice's (or credit note's) public page, valid for 180 days."""
    return _absolute(invoice_public_path(invoice))


def invoice_public_pdf_url(invoice: Any) -> str:
    return _absolute(reverse("billing:public_invoice_pdf", kwargs={"token": invoice_token(invoice)}))


def invoice_from_token(token: str) -> Any:
    """The posted invoice a token opens, with its organization; `Http404` otherwise."""
    from mizan.billing.models import Invoice

    try:
        payload = signing.loads(token, salt=INVOICE_SALT, max_age=INVOICE_LINK_MAX_AGE)
        org_id, pk, number = int(payload["o"]), int(payload["i"]), payload["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("Invalid link.") from None
    if number is None:
        raise Http404("Invalid link.")
    invoice = (
        Invoice.objects.select_related("organization", "company")
        .filter(organization_id=org_id, pk=pk, number=number)
        .exclude(status=Invoice.Status.DRAFT)
        .first()
    )
    if invoice is None:
        raise Http404("Invalid link.")
    return invoice
