"""Payment pages: the list (filters, totals, export), recording a payment with its allocations,
a payment's page (allocations, apply credit, refund) and a credit note's credit page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mizan.billing.forms.payments import (
    AllocationForm,
    PaymentFilterSet,
    PaymentForm,
    RefundForm,
    credit_initial,
    money_accounts,
    new_form_token,
)
from mizan.billing.models import Invoice, Payment, PaymentMethod
from mizan.billing.selectors.payments import (
    allocation_plan,
    client_credit,
    open_invoices_for,
    payment_detail,
    payment_list,
    payment_totals,
)
from mizan.billing.services.payments import allocation_create, available_credit, payment_record, refund_create
from mizan.billing.taxes import money_round
from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.exports import FORMATS, Amount, export_response
from mizan.core.formatting import active_formatter
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import org_view, submit_form
from mizan.crm.models import Company

PAGE_SIZE = 50
EXPORT_COLUMNS = [
    ("number", gettext_lazy("Number")),
    ("kind", gettext_lazy("Kind")),
    ("date", gettext_lazy("Date")),
    ("client", gettext_lazy("Client")),
    ("currency", gettext_lazy("Currency")),
    ("amount", gettext_lazy("Amount"), Amount(currency_key="currency")),
    ("unallocated", gettext_lazy("Client credit left"), Amount(currency_key="currency")),
    ("exchange_rate", gettext_lazy("Exchange rate")),
    ("account", gettext_lazy("Account")),
    ("method", gettext_lazy("Method")),
    ("reference", gettext_lazy("Reference")),
]


def _invoice_url(invoice: Invoice) -> str:
    """The invoice's page once the invoices area publishes it; else the payment list."""
    try:
        return reverse("billing:invoice_detail", args=[invoice.pk])
    except NoReverseMatch:
        return reverse("billing:payment_list")


# --- list ---------------------------------------------------------------------------------------------


def _export(request: HttpRequest, payments: Any, file_format: str) -> HttpResponse:
    rows = (
        {
            "number": payment.display_number,
            "kind": payment.get_direction_display(),
            "date": payment.date,
            "client": str(payment.company),
            "currency": payment.currency,
            "amount": payment.amount,
            "unallocated": payment.unallocated,
            "exchange_rate": payment.exchange_rate,
            "account": str(payment.account),
            "method": payment.get_method_display(),
            "reference": payment.reference,
        }
        for payment in payments.iterator(chunk_size=500)
    )
    return export_response(
        filename=f"payments-{request.org.today().isoformat()}",
        columns=EXPORT_COLUMNS,
        rows=rows,
        file_format=file_format,
        timezone_name=request.org.timezone,
        sheet_title=_("Payments"),
    )


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def payment_list_view(request: HttpRequest) -> HttpResponse:
    filterset = PaymentFilterSet(request.GET, queryset=payment_list(org=request.org), request=request)
    payments = filterset.qs
    file_format = request.GET.get("export")
    if file_format:
        if file_format not in FORMATS:
            return HttpResponseBadRequest(_("Choose CSV or Excel."), content_type="text/plain; charset=utf-8")
        return _export(request, payments, file_format)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "filter": filterset,
        "page": page,
        "payments": page.object_list,
        "totals": payment_totals(payments),
        "filter_query": query.urlencode(),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
    }
    return render(request, "billing/payments/list.html", context)


# --- recording ----------------------------------------------------------------------------------------


def _allocation_rows(
    org: Any,
    company: Company | None,
    currency: str,
    amount: Decimal | None,
    *,
    typed: dict[int, str] | None = None,
    first: int | None = None,
) -> list[dict[str, Any]]:
    """The client's open invoices in `currency`, oldest due first, with the amount to allocate:
    what was typed (a form shown again), else `amount` spread over them, invoice `first` first."""
    if company is None:
        return []
    invoices = list(open_invoices_for(org=org, company=company, currency=currency))
    if typed is not None:
        return [{"invoice": invoice, "value": typed.get(invoice.pk, "")} for invoice in invoices]
    return [
        {"invoice": invoice, "value": str(money_round(share, currency)) if share else ""}
        for invoice, share in allocation_plan(invoices, amount, first=first)
    ]


def _parse_amount(value: Any) -> Decimal | None:
    """The amount typed so far, or None (a half-typed amount only means "nothing to prefill")."""
    try:
        return PaymentForm.base_fields["amount"].clean(value) if value not in (None, "") else None
    except ValidationError:
        return None


def _recorded_message(payment: Payment) -> str:
    """What the flash says; an amount left unallocated is named, so an overpayment is never silent."""
    if getattr(payment, "replayed", False):
        return _("The payment {number} was already recorded.").format(number=payment.display_number)
    message = _("The payment {number} was recorded.").format(number=payment.display_number)
    if payment.unallocated > 0:
        credit = active_formatter().money(payment.unallocated, payment.currency)
        message += " " + _("{amount} is not allocated: it is kept as the client's credit.").format(amount=credit)
    return message


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def payment_create_view(request: HttpRequest) -> HttpResponse:
    org = request.org
    accounts = list(money_accounts(org)[:1])
    initial: dict[str, Any] = {
        "date": org.today(),
        "currency": org.base_currency,
        "method": PaymentMethod.BANK_TRANSFER,
        "account": accounts[0] if accounts else None,
        "token": new_form_token(),
    }
    preset: Invoice | None = None
    if request.method == "GET" and request.GET.get("invoice"):
        preset = access_or_404(Invoice.objects.select_related("company"), org=org, pk=request.GET["invoice"])
        due = money_round(preset.amount_due, preset.currency)
        initial.update(company=preset.company, currency=preset.currency, amount=due)
    elif request.method == "GET" and request.GET.get("company"):
        initial["company"] = access_or_404(Company, org=org, pk=request.GET["company"])
    form = PaymentForm(request.POST or None, org=org, initial=initial)

    def save() -> Payment:
        data = {name: form.cleaned_data[name] for name in PaymentForm.base_fields if name != "token"}
        try:
            return payment_record(
                org=org,
                actor_membership=request.membership,
                data=data,
                allocations=form.allocations,
                idempotency_key=f"form:{form.cleaned_data['token']}",
            )
        except DomainError as error:
            if error.code != "billing.idempotency_key_reused":
                raise
            message = _("This form already recorded a payment: open a new form to record another one.")
            raise DomainError(error.code, message) from error

    done = submit_form(
        request,
        form,
        save=save,
        success=_recorded_message,
        then=lambda payment: redirect("billing:payment_detail", payment.pk),
    )
    if done is not None:
        return done
    if form.is_bound:
        company = form.cleaned_data.get("company") if hasattr(form, "cleaned_data") else None
        currency = form.data.get("currency") or org.base_currency
        rows = _allocation_rows(org, company, currency, None, typed=form.allocation_values())
    else:
        company, currency = initial.get("company"), initial["currency"]
        if preset is not None:
            rows = [
                {"invoice": row["invoice"], "value": str(initial["amount"]) if row["invoice"].pk == preset.pk else ""}
                for row in _allocation_rows(org, company, currency, None, typed={})
            ]
        else:
            rows = _allocation_rows(org, company, currency, None)
    context = {
        "form": form,
        "rows": rows,
        "first_invoice": preset.pk if preset is not None else request.POST.get("first_invoice", ""),
        "company": company,
        "currency": currency,
        "credit": client_credit(org=org, company=company).get(currency) if company else None,
    }
    return render(request, "billing/payments/form.html", context)


@org_view(capability=Capability.BILLING_EDIT)
@require_GET
def payment_open_invoices_view(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of allocation inputs for the chosen client, currency and amount."""
    org = request.org
    company_id = request.GET.get("company")
    company = access_or_404(Company, org=org, pk=company_id) if company_id else None
    currency = request.GET.get("currency") or org.base_currency
    first = request.GET.get("first_invoice", "")
    rows = _allocation_rows(
        org, company, currency, _parse_amount(request.GET.get("amount")), first=int(first) if first.isdigit() else None
    )
    context = {
        "rows": rows,
        "company": company,
        "currency": currency,
        "credit": client_credit(org=org, company=company).get(currency) if company else None,
    }
    return render(request, "billing/payments/_allocations.html", context)


# --- a payment's page ---------------------------------------------------------------------------------


def _payment_or_404(request: HttpRequest, pk: int) -> Payment:
    payment = payment_detail(org=request.org, pk=pk)
    if payment is None:
        raise Http404(_("Not found."))
    return payment


def _credit_forms(
    request: HttpRequest, source: Payment | Invoice, *, apply_form: Any = None, refund_form: Any = None
) -> dict[str, Any]:
    """The apply-credit and refund forms of a source of client credit (None when it has none left)."""
    left = available_credit(source)
    if left <= 0 or not has_capability(request.membership, Capability.BILLING_EDIT):
        return {"apply_form": None, "refund_form": None, "available": left}
    org = request.org
    initial = credit_initial(org, left)
    if apply_form is None:
        apply_form = AllocationForm(org=org, company=source.company, currency=source.currency, initial=initial)
    if refund_form is None:
        accounts = list(money_accounts(org)[:1])
        refund_initial = {**initial, "account": accounts[0] if accounts else None}
        refund_form = RefundForm(org=org, initial=refund_initial)
    return {"apply_form": apply_form, "refund_form": refund_form, "available": left}


def _render_payment(request: HttpRequest, payment: Payment, **forms: Any) -> HttpResponse:
    context = {
        "payment": payment,
        "allocations": list(payment.allocations.all()),
        "refunds": list(payment.refunds.all()),
        "audit_entries": audit_entries_for(org=request.org, instance=payment),
        **_credit_forms(request, payment, **forms),
    }
    if payment.direction == Payment.Direction.REFUND:
        context.update(apply_form=None, refund_form=None)
    return render(request, "billing/payments/detail.html", context)


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def payment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_payment(request, _payment_or_404(request, pk))


def _apply_credit(request: HttpRequest, source: Payment | Invoice, then: Any) -> tuple[Any, HttpResponse | None]:
    form = AllocationForm(request.POST, org=request.org, company=source.company, currency=source.currency)
    done = submit_form(
        request,
        form,
        save=lambda: allocation_create(
            org=request.org,
            actor_membership=request.membership,
            source=source,
            invoice=form.cleaned_data["invoice"],
            amount=form.cleaned_data["amount"],
            date=form.cleaned_data["date"],
        ),
        success=lambda allocation: _("{amount} was applied to {number}.").format(
            amount=active_formatter().money(allocation.amount, source.currency),
            number=allocation.invoice.display_number,
        ),
        then=lambda _allocation: then,
    )
    return form, done


def _refund(request: HttpRequest, source: Payment | Invoice, then: Any) -> tuple[Any, HttpResponse | None]:
    form = RefundForm(request.POST, org=request.org)
    done = submit_form(
        request,
        form,
        save=lambda: refund_create(
            org=request.org,
            actor_membership=request.membership,
            source=source,
            amount=form.cleaned_data["amount"],
            date=form.cleaned_data["date"],
            account=form.cleaned_data["account"],
            method=form.cleaned_data["method"],
            reference=form.cleaned_data["reference"],
        ),
        success=lambda refund: _("The refund {number} was recorded.").format(number=refund.display_number),
        then=lambda _refund: then,
    )
    return form, done


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def payment_apply_credit_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_or_404(request, pk)
    form, done = _apply_credit(request, payment, redirect("billing:payment_detail", payment.pk))
    return done or _render_payment(request, payment, apply_form=form)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def payment_refund_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment_or_404(request, pk)
    form, done = _refund(request, payment, redirect("billing:payment_detail", payment.pk))
    return done or _render_payment(request, payment, refund_form=form)


# --- a credit note's credit ---------------------------------------------------------------------------


def _credit_note_or_404(request: HttpRequest, pk: int) -> Invoice:
    queryset = (
        Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("company", "original_invoice")
    )
    return access_or_404(queryset, org=request.org, pk=pk)


def _render_credit_note(request: HttpRequest, credit_note: Invoice, **forms: Any) -> HttpResponse:
    context = {
        "credit_note": credit_note,
        "credit_note_url": _invoice_url(credit_note),
        "allocations": list(credit_note.credit_allocations.select_related("invoice").order_by("date", "pk")),
        "refunds": list(credit_note.refunds.select_related("account").order_by("date", "pk")),
        **_credit_forms(request, credit_note, **forms),
    }
    return render(request, "billing/payments/credit_note.html", context)


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def credit_note_credit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What is left of a credit note as client credit, and the forms to apply or refund it."""
    return _render_credit_note(request, _credit_note_or_404(request, pk))


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def credit_note_apply_credit_view(request: HttpRequest, pk: int) -> HttpResponse:
    credit_note = _credit_note_or_404(request, pk)
    form, done = _apply_credit(request, credit_note, redirect("billing:credit_note_credit", credit_note.pk))
    return done or _render_credit_note(request, credit_note, apply_form=form)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def credit_note_refund_view(request: HttpRequest, pk: int) -> HttpResponse:
    credit_note = _credit_note_or_404(request, pk)
    form, done = _refund(request, credit_note, redirect("billing:credit_note_credit", credit_note.pk))
    return done or _render_credit_note(request, credit_note, refund_form=form)
