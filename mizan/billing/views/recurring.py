"""Recurring invoices (list, form with the line editor, detail with the invoices generated, generate
now, pause/resume, delete) and sending an invoice by e-mail.

Thin views: writes are services/recurring.py and services/reminders.py; reads selectors/recurring.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mizan.billing.forms.lines import apply_line_error, line_formset
from mizan.billing.forms.recurring import InvoiceSendForm, RecurringScheduleForm
from mizan.billing.models import Invoice, RecurringSchedule
from mizan.billing.selectors.recurring import (
    STATUS_FILTERS,
    invoice_reminders,
    recurring_schedule_export_rows,
    recurring_schedule_invoices,
    recurring_schedule_lines,
    recurring_schedule_list,
)
from mizan.billing.services.recurring import (
    recurring_schedule_create,
    recurring_schedule_delete,
    recurring_schedule_generate_due,
    recurring_schedule_set_active,
    recurring_schedule_update,
    schedule_is_due,
    schedule_is_finished,
)
from mizan.billing.services.reminders import invoice_email_send, invoice_recipient
from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.exports import Amount, list_export_response
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view, run_action, submit_form

PAGE_SIZE = 50

EXPORT_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("client", gettext_lazy("Client")),
    ("frequency", gettext_lazy("Every")),
    ("start_date", gettext_lazy("First invoice date")),
    ("end_date", gettext_lazy("Last invoice date")),
    ("next_date", gettext_lazy("Next invoice date")),
    ("payment_term", gettext_lazy("Payment terms")),
    ("currency", gettext_lazy("Currency")),
    ("net_total", gettext_lazy("Total before tax"), Amount(currency_key="currency")),
    ("tax_total", gettext_lazy("Tax"), Amount(currency_key="currency")),
    ("total", gettext_lazy("Total"), Amount(currency_key="currency")),
    ("auto_post", gettext_lazy("Posted automatically")),
    ("invoice_count", gettext_lazy("Invoices")),
    ("status", gettext_lazy("Status")),
]


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def recurring_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    schedules = recurring_schedule_list(org=request.org, status=status)
    if "export" in request.GET:
        return list_export_response(
            request,
            filename="recurring-invoices",
            columns=EXPORT_COLUMNS,
            rows=recurring_schedule_export_rows(schedules=schedules),
            sheet_title=_("Recurring invoices"),
        )
    page = Paginator(schedules, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "filter_query": f"status={status}" if status else "",
        "today": request.org.today(),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
    }
    return render(request, "billing/recurring/list.html", context)


def _schedule_form_page(request: HttpRequest, schedule: RecurringSchedule | None) -> HttpResponse:
    org = request.org
    if request.method == "POST":
        form = RecurringScheduleForm(request.POST, org=org, instance=schedule)
        formset = line_formset(request.POST, org=org)
    else:
        form = RecurringScheduleForm(org=org, instance=schedule)
        lines = recurring_schedule_lines(schedule=schedule) if schedule is not None else None
        formset = line_formset(org=org, lines=lines, currency=schedule.currency if schedule else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if schedule is None:
                saved = recurring_schedule_create(
                    org=org, actor_membership=request.membership, data=form.service_data(), lines=formset.line_inputs()
                )
            else:
                saved = recurring_schedule_update(
                    org=org,
                    actor_membership=request.membership,
                    schedule=schedule,
                    data=form.service_data(),
                    lines=formset.line_inputs(),
                )
        except DomainError as error:
            apply_line_error(form, formset, request, error)
        else:
            messages.success(request, _("The recurring invoice was saved."))
            return redirect("billing:recurring_detail", pk=saved.pk)
    return render(request, "billing/recurring/form.html", {"form": form, "formset": formset, "schedule": schedule})


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def recurring_create_view(request: HttpRequest) -> HttpResponse:
    return _schedule_form_page(request, None)


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def recurring_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access_or_404(recurring_schedule_list(org=request.org), org=request.org, pk=pk)
    return _schedule_form_page(request, schedule)


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def recurring_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access_or_404(recurring_schedule_list(org=request.org), org=request.org, pk=pk)
    today = request.org.today()
    context = {
        "schedule": schedule,
        "lines": recurring_schedule_lines(schedule=schedule),
        "invoices": recurring_schedule_invoices(org=request.org, schedule=schedule),
        "is_due": schedule_is_due(schedule, today),
        "is_finished": schedule_is_finished(schedule),
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
        "audit_entries": audit_entries_for(org=request.org, instance=schedule),
    }
    return render(request, "billing/recurring/detail.html", context)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def recurring_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access_or_404(RecurringSchedule, org=request.org, pk=pk)
    try:
        invoices = recurring_schedule_generate_due(
            org=request.org, actor_membership=request.membership, schedule=schedule
        )
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(
            request,
            ngettext("{count} invoice was generated.", "{count} invoices were generated.", len(invoices)).format(
                count=len(invoices)
            ),
        )
    return redirect("billing:recurring_detail", pk=schedule.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def recurring_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access_or_404(RecurringSchedule, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    run_action(
        request,
        lambda: recurring_schedule_set_active(
            org=request.org, actor_membership=request.membership, schedule=schedule, is_active=is_active
        ),
        success=_("The recurring invoice was resumed.") if is_active else _("The recurring invoice was paused."),
    )
    return redirect("billing:recurring_detail", pk=schedule.pk)


@org_view(capability=Capability.BILLING_EDIT)
@require_POST
def recurring_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access_or_404(RecurringSchedule, org=request.org, pk=pk)
    deleted = run_action(
        request,
        lambda: recurring_schedule_delete(org=request.org, actor_membership=request.membership, schedule=schedule),
        success=_("The recurring invoice was deleted; the invoices it generated stay."),
    )
    if deleted:
        return redirect("billing:recurring_list")
    return redirect("billing:recurring_detail", pk=schedule.pk)


# --- Sending an invoice by e-mail ------------------------------------------------------------------


def _send_invoice(request: HttpRequest, invoice: Invoice, form: InvoiceSendForm) -> Any:
    return invoice_email_send(
        org=request.org, actor_membership=request.membership, invoice=invoice, to=form.cleaned_data.get("to") or None
    )


@org_view(capability=Capability.BILLING_EDIT)
@require_http_methods(["GET", "POST"])
def invoice_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (an optional address). POST: send; from the invoice page's button (no address)
    an error goes back to the invoice page as a message, from this form it shows on the form."""
    invoice = access_or_404(
        Invoice.objects.select_related("company", "contact", "organization"), org=request.org, pk=pk
    )
    form = InvoiceSendForm(request.POST if request.method == "POST" else None)
    from_form = request.method == "POST" and "to" in request.POST
    if request.method == "POST" and not from_form:
        form.is_valid()
        try:
            reminder = _send_invoice(request, invoice, form)
        except DomainError as error:
            apply_domain_error(None, request, error)
            if error.code == "billing.no_email":
                return redirect("billing:invoice_send", pk=invoice.pk)
        else:
            messages.success(request, _("The invoice is being sent to {address}.").format(address=reminder.email_to))
        return redirect("billing:invoice_detail", pk=invoice.pk)
    done = submit_form(
        request,
        form,
        save=lambda: _send_invoice(request, invoice, form),
        success=lambda reminder: _("The invoice is being sent to {address}.").format(address=reminder.email_to),
        then=lambda _reminder: redirect("billing:invoice_detail", pk=invoice.pk),
    )
    if done is not None:
        return done
    context = {
        "invoice": invoice,
        "form": form,
        "default_recipient": invoice_recipient(invoice),
        "reminders": invoice_reminders(org=request.org, invoice=invoice),
    }
    return render(request, "billing/recurring/send.html", context, status=400 if form.errors else 200)
