"""Invoices and credit notes: list (filters, totals per currency, export), the draft form with the line
editor, the detail page and its actions (post, delete, cancel, credit note, PDF, XML).

Thin views: every write is a service of services/invoices.py; reads are selectors/invoices.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mizan.billing.filters import InvoiceFilterSet
from mizan.billing.forms.invoices import CreditNoteForm, InvoiceCancelForm, InvoiceForm
from mizan.billing.forms.lines import apply_line_error, line_formset
from mizan.billing.models import Invoice
from mizan.billing.selectors.invoices import (
    invoice_detail_queryset,
    invoice_export_rows,
    invoice_lines,
    invoice_list,
    invoice_relations,
    invoice_tax_breakdown,
    invoice_totals_by_currency,
)
from mizan.billing.services.invoices import (
    credit_note_create,
    invoice_cancel,
    invoice_create,
    invoice_delete,
    invoice_documents_store,
    invoice_post,
    invoice_update,
)
from mizan.billing.words import amount_in_words
from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.exports import FORMATS, Amount, export_response
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, run_action
from mizan.crm.models import Company, Deal

PAGE_SIZE = 50

EXPORT_COLUMNS = [
    ("number", gettext_lazy("Number")),
    ("kind", gettext_lazy("Kind")),
    ("status", gettext_lazy("Status")),
    ("issue_date", gettext_lazy("Date")),
    ("due_date", gettext_lazy("Due date")),
    ("client", gettext_lazy("Client")),
    ("vat_number", gettext_lazy("VAT number")),
    ("reference", gettext_lazy("Client reference (PO)")),
    ("currency", gettext_lazy("Currency")),
    ("net_total", gettext_lazy("Total before tax"), Amount(currency_key="currency")),
    ("tax_total", gettext_lazy("Tax"), Amount(currency_key="currency")),
    ("total", gettext_lazy("Total"), Amount(currency_key="currency")),
    ("amount_paid", gettext_lazy("Paid and credited"), Amount(currency_key="currency")),
    ("amount_due", gettext_lazy("Amount due"), Amount(currency_key="currency")),
    ("credited_invoice", gettext_lazy("Credited invoice")),
]


def _filtered_invoices(request: HttpRequest) -> tuple[InvoiceFilterSet, Any]:
    base = invoice_list(org=request.org)
    filterset = InvoiceFilterSet(request.GET or None, queryset=base, request=request)
    invoices = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return filterset, invoices


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def invoice_list_view(request: HttpRequest) -> HttpResponse:
    filterset, invoices = _filtered_invoices(request)
    file_format = request.GET.get("export")
    if file_format is not None:
        if file_format not in FORMATS:
            return HttpResponseBadRequest(_("Choose CSV or Excel."), content_type="text/plain; charset=utf-8")
        return export_response(
            filename=f"invoices-{request.org.today().isoformat()}",
            columns=EXPORT_COLUMNS,
            rows=invoice_export_rows(invoices=invoices),
            file_format=file_format,
            timezone_name=request.org.timezone,
            sheet_title=_("Invoices"),
        )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "totals": invoice_totals_by_currency(invoices=invoices),
        "filter_query": _query_without(request, "page", "export"),
        "today": request.org.today(),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
    }
    return render(request, "billing/invoices/list.html", context)


# --- the draft form ---------------------------------------------------------------------------


def _preselected(request: HttpRequest) -> dict[str, Any]:
    """`?company=<id>` and `?deal=<id>` (the deal brings its client and currency)."""
    initial: dict[str, Any] = {}
    deal_id = request.GET.get("deal")
    if deal_id:
        deal = access_or_404(Deal, org=request.org, pk=deal_id)
        initial["deal"] = deal.pk
        if deal.company_id:
            initial["company"] = deal.company_id
        if deal.currency:
            initial["currency"] = deal.currency
    company_id = request.GET.get("company")
    if company_id:
        initial["company"] = access_or_404(Company, org=request.org, pk=company_id).pk
    return initial


def _save_invoice(request: HttpRequest, form: InvoiceForm, formset: Any, invoice: Invoice | None) -> Invoice:
    data = form.service_data()
    lines = formset.line_inputs()
    if invoice is None:
        return invoice_create(org=request.org, actor_membership=request.membership, data=data, lines=lines)
    return invoice_update(org=request.org, actor_membership=request.membership, invoice=invoice, data=data, lines=lines)


def _invoice_form_page(request: HttpRequest, invoice: Invoice | None) -> HttpResponse:
    org = request.org
    if request.method == "POST":
        form = InvoiceForm(request.POST, org=org, instance=invoice)
        formset = line_formset(request.POST, org=org)
    else:
        form = InvoiceForm(org=org, instance=invoice, initial=_preselected(request) if invoice is None else None)
        lines = invoice_lines(invoice=invoice) if invoice is not None else None
        formset = line_formset(org=org, lines=lines, currency=invoice.currency if invoice else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = _save_invoice(request, form, formset, invoice)
        except DomainError as error:
            apply_line_error(form, formset, request, error)
        else:
            if request.POST.get("action") == "post":
                run_action(
                    request,
                    lambda: invoice_post(org=org, actor_membership=request.membership, invoice=saved),
                    success=_("The credit note was posted.") if saved.is_credit_note else _("The invoice was posted."),
                )
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("billing:invoice_detail", pk=saved.pk)
    context = {"form": form, "formset": formset, "invoice": invoice}
    return render(request, "billing/invoices/form.html", context)


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def invoice_create_view(request: HttpRequest) -> HttpResponse:
    return _invoice_form_page(request, None)


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def invoice_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(invoice_detail_queryset(org=request.org), org=request.org, pk=pk)
    if not invoice.is_draft:
        messages.error(request, _("A posted invoice cannot be changed or deleted; issue a credit note instead."))
        return redirect("billing:invoice_detail", pk=invoice.pk)
    return _invoice_form_page(request, invoice)


# --- the detail page --------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest, invoice: Invoice, *, cancel_form: InvoiceCancelForm | None = None, status: int = 200
) -> HttpResponse:
    lines = invoice_lines(invoice=invoice)
    today = request.org.today()
    context = {
        "invoice": invoice,
        "lines": lines,
        "tax_rows": invoice_tax_breakdown(lines=lines),
        "relations": invoice_relations(invoice=invoice),
        "amount_words": amount_in_words(invoice.total, invoice.currency, language=get_language() or "ar"),
        "is_overdue": invoice.is_open and invoice.due_date < today,
        "is_saudi": request.org.country == "SA",
        "cancel_form": cancel_form or InvoiceCancelForm(),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
        "can_view_ledger": has_capability(request.membership, Capability.LEDGER_VIEW),
        "audit_entries": audit_entries_for(org=request.org, instance=invoice),
    }
    return render(request, "billing/invoices/detail.html", context, status=status)


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def invoice_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(invoice_detail_queryset(org=request.org), org=request.org, pk=pk)
    return _detail_page(request, invoice)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def invoice_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(Invoice, org=request.org, pk=pk)
    success = _("The credit note was posted.") if invoice.is_credit_note else _("The invoice was posted.")
    run_action(
        request,
        lambda: invoice_post(org=request.org, actor_membership=request.membership, invoice=invoice),
        success=success,
    )
    return redirect("billing:invoice_detail", pk=invoice.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def invoice_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(Invoice, org=request.org, pk=pk)
    deleted = run_action(
        request,
        lambda: invoice_delete(org=request.org, actor_membership=request.membership, invoice=invoice),
        success=_("The draft was deleted."),
    )
    if deleted:
        return redirect("billing:invoice_list")
    return redirect("billing:invoice_detail", pk=invoice.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def invoice_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(invoice_detail_queryset(org=request.org), org=request.org, pk=pk)
    form = InvoiceCancelForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, invoice, cancel_form=form, status=400)
    try:
        credit_note = invoice_cancel(
            org=request.org, actor_membership=request.membership, invoice=invoice, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        apply_domain_error(None, request, error)
        return redirect("billing:invoice_detail", pk=invoice.pk)
    messages.success(
        request,
        _("The invoice was cancelled by the credit note {number}.").format(number=credit_note.display_number),
    )
    return redirect("billing:invoice_detail", pk=invoice.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def invoice_credit_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A partial credit note: the invoice's lines prefilled, to reduce or remove."""
    org = request.org
    invoice = access_or_404(invoice_detail_queryset(org=org), org=org, pk=pk)
    if invoice.is_credit_note or invoice.is_draft or invoice.status == Invoice.Status.CANCELLED:
        messages.error(request, _("Only a posted invoice can be credited."))
        return redirect("billing:invoice_detail", pk=invoice.pk)
    if request.method == "POST":
        form = CreditNoteForm(request.POST, org=org)
        formset = line_formset(request.POST, org=org, currency=invoice.currency)
    else:
        form = CreditNoteForm(org=org)
        formset = line_formset(org=org, lines=invoice_lines(invoice=invoice), currency=invoice.currency)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            credit_note = credit_note_create(
                org=org,
                actor_membership=request.membership,
                invoice=invoice,
                lines=formset.line_inputs(),
                reason=form.cleaned_data["reason"],
                issue_date=form.cleaned_data["issue_date"],
            )
        except DomainError as error:
            apply_line_error(form, formset, request, error)
        else:
            messages.success(request, _("The draft credit note was saved: check it, then post it."))
            return redirect("billing:invoice_detail", pk=credit_note.pk)
    return render(request, "billing/invoices/credit_note.html", {"invoice": invoice, "form": form, "formset": formset})


# --- files ------------------------------------------------------------------------------------


def _file_response(content: bytes | Any, filename: str, content_type: str) -> FileResponse:
    if isinstance(content, bytes):
        content = ContentFile(content)
    response = FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stored(invoice: Invoice, field: str) -> Invoice:
    """The posted invoice with its files rendered and stored (when the background task has not yet)."""
    if getattr(invoice, field):
        return invoice
    invoice_documents_store(invoice_id=invoice.pk)
    invoice.refresh_from_db(fields=["pdf", "ubl_xml"])
    return invoice


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def invoice_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = access_or_404(invoice_detail_queryset(org=request.org), org=request.org, pk=pk)
    filename = f"{invoice.display_number}.pdf"
    if invoice.is_draft:
        from mizan.billing.pdf import invoice_pdf

        return _file_response(invoice_pdf(invoice), filename, "application/pdf")
    invoice = _stored(invoice, "pdf")
    if not invoice.pdf:
        raise Http404(_("Not found."))
    return _file_response(invoice.pdf.open("rb"), filename, "application/pdf")


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def invoice_xml_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The ZATCA UBL XML of a posted Saudi invoice or credit note."""
    invoice = access_or_404(invoice_detail_queryset(org=request.org), org=request.org, pk=pk)
    if request.org.country != "SA" or invoice.is_draft:
        raise Http404(_("Not found."))
    invoice = _stored(invoice, "ubl_xml")
    if not invoice.ubl_xml:
        raise Http404(_("Not found."))
    return _file_response(invoice.ubl_xml.open("rb"), f"{invoice.display_number}.xml", "application/xml")
