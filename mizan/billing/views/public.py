"""Public pages of quotes and invoices: no sign-in, opened by a signed link (billing.public_links).

The page speaks the client's language (the company's document language, else the organization's)
unless the visitor switches with ?lang=ar|en. The quote page's answers are POST forms protected by
CSRF (the page is ours, never embedded: it keeps the site's `frame-ancestors 'none'`) and by a rate
limit per address in the cache; an answer is redirected back to the page (POST/redirect/GET), which
then shows it. A bad, tampered, revoked or expired link is a plain 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mizan.billing.forms.quotes import PublicAcceptForm, PublicDeclineForm
from mizan.billing.models import Invoice, Quote
from mizan.billing.public_links import invoice_from_token, quote_from_token
from mizan.billing.selectors.quotes import quote_public
from mizan.billing.services.quotes import client_language, quote_accept, quote_decline
from mizan.core.errors import DomainError
from mizan.core.formatting import Formatter
from mizan.core.views.base import apply_domain_error

#: Answers accepted from one address per window (a person needs one or two).
RATE_LIMIT = getattr(settings, "BILLING_PUBLIC_RATE_LIMIT", 10)
RATE_WINDOW_SECONDS = 60 * 10
ACCEPT = "accept"
DECLINE = "decline"


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR (the proxy in front of Mizan sets it; a client-sent header is never trusted)."""
    return request.META.get("REMOTE_ADDR") or None


def public_rate_limited(*, request: HttpRequest, scope: str) -> bool:
    """Count this POST; True when the address sent more than RATE_LIMIT in the window."""
    key = f"billing.public:{scope}:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > RATE_LIMIT


def _language(request: HttpRequest, document: Any) -> str:
    choice = request.GET.get("lang", "")
    return choice if choice in dict(settings.LANGUAGES) else client_language(document)


def _base_context(document: Any, language: str) -> dict[str, Any]:
    org = document.organization
    return {
        "organization": org,
        "language": language,
        "language_code": language,
        "switch_language": "en" if language == "ar" else "ar",
        "text_direction": "rtl" if language == "ar" else "ltr",
        "fmt": Formatter.for_org(org, language),
        "client_name": document.company.display_name(language),
        "organization_name": org.display_name(language),
    }


def _with_headers(response: HttpResponse, language: str) -> HttpResponse:
    response.headers["Content-Language"] = language
    # The token is in the address: never sent to other sites. "same-origin" (not "no-referrer") so the
    # browser still sends an Origin on the accept/decline POST, which Django's CSRF check requires.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Quotes --------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def public_quote_view(request: HttpRequest, token: str) -> HttpResponse:
    quote = quote_public(quote=quote_from_token(token))
    language = _language(request, quote)
    with translation.override(language):
        response = _public_quote(request, quote, token, language)
    return _with_headers(response, language)


def _public_quote(request: HttpRequest, quote: Quote, token: str, language: str) -> HttpResponse:
    accept_form = PublicAcceptForm(prefix=ACCEPT)
    decline_form = PublicDeclineForm(prefix=DECLINE)
    notice = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if public_rate_limited(request=request, scope="quote"):
            notice = _("Too many attempts from your address. Please wait a few minutes.")
            status = 429
        elif action == ACCEPT:
            accept_form = PublicAcceptForm(request.POST, prefix=ACCEPT)
            status = _answer(request, quote, accept_form, ACCEPT)
        elif action == DECLINE:
            decline_form = PublicDeclineForm(request.POST, prefix=DECLINE)
            status = _answer(request, quote, decline_form, DECLINE)
        else:
            status = 400
        if status == 303:
            url = reverse("billing:public_quote", kwargs={"token": token})
            response = redirect(f"{url}?lang={language}")
            response.status_code = 303
            return response
        quote = quote_public(quote=quote)
    today = quote.organization.today()
    context = {
        **_base_context(quote, language),
        "quote": quote,
        "lines": list(quote.lines.all()),
        "token": token,
        "is_expired": quote.status == Quote.Status.SENT and quote.valid_until < today,
        "can_answer": quote.status == Quote.Status.SENT and quote.valid_until >= today,
        "accept_form": accept_form,
        "decline_form": decline_form,
        "notice": notice,
    }
    return render(request, "billing/public/quote.html", context, status=status)


def _answer(request: HttpRequest, quote: Quote, form: Any, action: str) -> int:
    """Run the answer; 303 when recorded, else the status of the page shown again with the error."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    common = {
        "org": quote.organization,
        "quote": quote,
        "responder_ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }
    try:
        if action == ACCEPT:
            quote_accept(responder_name=data["name"], **common)
        else:
            quote_decline(responder_name=data.get("name") or "", reason=data.get("reason") or "", **common)
    except DomainError as error:
        apply_domain_error(form, request, error)
        return 409
    return 303


@never_cache
@require_GET
def public_quote_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    from mizan.billing.pdf import quote_pdf

    quote = quote_from_token(token)
    return _pdf_response(quote_pdf(quote), quote.display_number.replace("/", "-"))


# --- Invoices ------------------------------------------------------------------------------------


@never_cache
@require_GET
def public_invoice_view(request: HttpRequest, token: str) -> HttpResponse:
    invoice = invoice_from_token(token)
    invoice = (
        Invoice.objects.select_related("organization", "company", "contact", "original_invoice")
        .prefetch_related("lines__tax")
        .get(pk=invoice.pk)
    )
    language = _language(request, invoice)
    with translation.override(language):
        context = {
            **_base_context(invoice, language),
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "token": token,
            "is_overdue": invoice.is_open and invoice.due_date < invoice.organization.today(),
        }
        response = render(request, "billing/public/invoice.html", context)
    return _with_headers(response, language)


@never_cache
@require_GET
def public_invoice_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    invoice = invoice_from_token(token)
    content = b""
    if invoice.pdf:
        try:
            with invoice.pdf.open("rb") as stored:
                content = stored.read()
        except OSError:  # the stored file is missing: render it again
            content = b""
    if not content:
        from mizan.billing.pdf import invoice_pdf

        content = invoice_pdf(invoice)
    return _pdf_response(content, invoice.display_number)
