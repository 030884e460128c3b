"""Quote pages for members: list, new/edit with the shared line editor, record page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mizan.billing.forms.lines import apply_line_error, line_formset
from mizan.billing.forms.quotes import (
    QuoteAnswerForm,
    QuoteFilterForm,
    QuoteForm,
    QuoteSendForm,
    initial_from_company,
    initial_from_deal,
)
from mizan.billing.models import Quote
from mizan.billing.public_links import quote_public_url
from mizan.billing.selectors.quotes import (
    quote_detail,
    quote_export_rows,
    quote_is_expired,
    quote_list,
    quote_totals,
    quote_versions,
)
from mizan.billing.services.quotes import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_delete,
    quote_revise,
    quote_send,
    quote_update,
)
from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.exports import Amount, list_export_response
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, run_action
from mizan.crm.models import Company, Deal

PAGE_SIZE = 50

EXPORT_COLUMNS = [
    ("number", gettext_lazy("Number")),
    ("status", gettext_lazy("Status")),
    ("issue_date", gettext_lazy("Date")),
    ("valid_until", gettext_lazy("Valid until")),
    ("client", gettext_lazy("Client")),
    ("vat_number", gettext_lazy("VAT number")),
    ("title", gettext_lazy("Title")),
    ("deal", gettext_lazy("Deal")),
    ("currency", gettext_lazy("Currency")),
    ("net_total", gettext_lazy("Total before tax"), Amount(currency_key="currency")),
    ("discount_total", gettext_lazy("Discount"), Amount(currency_key="currency")),
    ("tax_total", gettext_lazy("Tax"), Amount(currency_key="currency")),
    ("total", gettext_lazy("Total"), Amount(currency_key="currency")),
    ("invoice", gettext_lazy("Invoice")),
]


@org_view(capability=Capability.BILLING_VIEW)
def quote_list_view(request: HttpRequest) -> HttpResponse:
    filter_form = QuoteFilterForm(request.GET or None, org=request.org)
    quotes = quote_list(org=request.org, filters=filter_form.filters())
    if "export" in request.GET:
        return list_export_response(
            request,
            filename="quotes",
            columns=EXPORT_COLUMNS,
            rows=quote_export_rows(quotes=quotes, today=request.org.today()),
            sheet_title=_("Quotes"),
        )
    page = Paginator(quotes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "quotes": page.object_list,
        "totals": quote_totals(quotes),
        "today": request.org.today(),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
        "query_string": _query_without_page(request),
    }
    return render(request, "billing/quotes/list.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def _new_quote_initial(request: HttpRequest) -> dict:
    """`?deal=<id>` or `?company=<id>` (the "New quote" links of the CRM pages) prefill the header."""
    if request.GET.get("deal"):
        deal = access_or_404(Deal.objects.select_related("company"), org=request.org, pk=request.GET["deal"])
        return initial_from_deal(deal)
    if request.GET.get("company"):
        return initial_from_company(access_or_404(Company, org=request.org, pk=request.GET["company"]))
    return {}


def _render_form(request: HttpRequest, form: QuoteForm, formset, quote: Quote | None) -> HttpResponse:
    return render(request, "billing/quotes/form.html", {"form": form, "formset": formset, "quote": quote})


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def quote_create_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = QuoteForm(request.POST, org=request.org)
        formset = line_formset(request.POST, org=request.org, currency=request.POST.get("currency"))
        if form.is_valid() and formset.is_valid():
            try:
                quote = quote_create(
                    org=request.org,
                    actor_membership=request.membership,
                    data=form.service_data(),
                    lines=formset.line_inputs(),
                )
            except DomainError as error:
                apply_line_error(form, formset, request, error)
            else:
                messages.success(request, _("The quote {number} was saved as a draft.").format(number=quote))
                return redirect("billing:quote_detail", pk=quote.pk)
    else:
        form = QuoteForm(org=request.org, initial=_new_quote_initial(request))
        formset = line_formset(org=request.org)
    return _render_form(request, form, formset, None)


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def quote_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    if quote.status != Quote.Status.DRAFT:
        messages.error(request, _("Only a draft quote can be changed; make a new version of it instead."))
        return redirect("billing:quote_detail", pk=quote.pk)
    if request.method == "POST":
        form = QuoteForm(request.POST, org=request.org, instance=quote)
        formset = line_formset(request.POST, org=request.org, currency=request.POST.get("currency"))
        if form.is_valid() and formset.is_valid():
            try:
                quote_update(
                    org=request.org,
                    actor_membership=request.membership,
                    quote=quote,
                    data=form.service_data(),
                    lines=formset.line_inputs(),
                )
            except DomainError as error:
                apply_line_error(form, formset, request, error)
            else:
                messages.success(request, _("The quote {number} was saved.").format(number=quote))
                return redirect("billing:quote_detail", pk=quote.pk)
    else:
        form = QuoteForm(org=request.org, instance=quote)
        formset = line_formset(org=request.org, lines=quote.lines.all(), currency=quote.currency)
    return _render_form(request, form, formset, quote)


@org_view(capability=Capability.BILLING_VIEW)
def quote_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    return _render_detail(request, quote)


def _render_detail(
    request: HttpRequest,
    quote: Quote,
    *,
    send_form: QuoteSendForm | None = None,
    answer_form: QuoteAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = request.org.today()
    can_edit = has_capability(request.membership, Capability.BILLING_EDIT)
    context = {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "versions": quote_versions(quote=quote),
        "is_expired": quote_is_expired(quote, today=today),
        "public_url": quote_public_url(quote) if quote.public_key else "",
        "can_edit": can_edit,
        "can_send": can_edit and quote.status in (Quote.Status.DRAFT, Quote.Status.SENT),
        "can_answer": can_edit and quote.status == Quote.Status.SENT and quote.valid_until >= today,
        "can_revise": can_edit and quote.can_transition(Quote.Status.SUPERSEDED),
        "send_form": send_form or QuoteSendForm(),
        "answer_form": answer_form or QuoteAnswerForm(initial={"answer": QuoteAnswerForm.ACCEPT}),
        "audit_entries": audit_entries_for(org=request.org, instance=quote),
    }
    return render(request, "billing/quotes/detail.html", context, status=status)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def quote_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    form = QuoteSendForm(request.POST)
    if form.is_valid():
        try:
            quote_send(
                org=request.org,
                actor_membership=request.membership,
                quote=quote,
                to=form.cleaned_data.get("to") or None,
                message=form.cleaned_data.get("message") or "",
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("The quote {number} is on its way to the client.").format(number=quote))
            return redirect("billing:quote_detail", pk=quote.pk)
    return _render_detail(request, quote_detail(org=request.org, pk=pk), send_form=form, status=400)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def quote_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A member records the client's answer on their behalf."""
    quote = quote_detail(org=request.org, pk=pk)
    form = QuoteAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["answer"] == QuoteAnswerForm.ACCEPT:
                quote_accept(
                    org=request.org, quote=quote, responder_name=data["name"], actor_membership=request.membership
                )
                message = _("The acceptance of {number} was recorded.").format(number=quote)
            else:
                quote_decline(
                    org=request.org,
                    quote=quote,
                    reason=data.get("reason") or "",
                    responder_name=data.get("name") or "",
                    actor_membership=request.membership,
                )
                message = _("The refusal of {number} was recorded.").format(number=quote)
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, message)
            return redirect("billing:quote_detail", pk=quote.pk)
    return _render_detail(request, quote_detail(org=request.org, pk=pk), answer_form=form, status=400)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def quote_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    try:
        revision = quote_revise(org=request.org, actor_membership=request.membership, quote=quote)
    except DomainError as error:
        apply_domain_error(None, request, error)
        return redirect("billing:quote_detail", pk=quote.pk)
    messages.success(
        request,
        _("Version {version} of the quote is a draft: change it, then send it.").format(version=revision.version),
    )
    return redirect("billing:quote_edit", pk=revision.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def quote_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    previous = quote.previous_version_id
    done = run_action(
        request,
        lambda: quote_delete(org=request.org, actor_membership=request.membership, quote=quote),
        success=_("The draft quote {number} was deleted.").format(number=quote),
    )
    if not done:
        return redirect("billing:quote_detail", pk=quote.pk)
    if previous:
        return redirect("billing:quote_detail", pk=previous)
    return redirect("billing:quote_list")


@org_view(capability=Capability.BILLING_VIEW)
def quote_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_detail(org=request.org, pk=pk)
    return quote_pdf_response(quote, inline=request.GET.get("inline") == "1")


def quote_pdf_response(quote: Quote, *, inline: bool = False) -> HttpResponse:
    from mizan.billing.pdf import quote_pdf

    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    filename = quote.display_number.replace("/", "-")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
