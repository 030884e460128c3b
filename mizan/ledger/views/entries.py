"""Journal entries: list, detail, the manual entry form, post, reverse, delete a draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.errors import DomainError
from mizan.core.formatting import minor_units
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import apply_domain_error, org_view
from mizan.ledger.filters import JournalEntryFilter
from mizan.ledger.forms import JournalEntryForm, JournalLineFormSet, ReverseForm
from mizan.ledger.models import Journal, JournalEntry
from mizan.ledger.selectors.balances import entry_totals
from mizan.ledger.selectors.entries import (
    journal_entry_detail_queryset,
    journal_entry_lines,
    journal_entry_list,
    journal_entry_reversed_by,
)
from mizan.ledger.services.entries import (
    journal_entry_create,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_update,
)

PAGE_SIZE = 50


@org_view(capability=Capability.LEDGER_VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    filterset = JournalEntryFilter(request.GET or None, queryset=journal_entry_list(org=request.org), request=request)
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else journal_entry_list(org=request.org)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "can_post": has_capability(request.membership, Capability.LEDGER_POST),
    }
    return render(request, "ledger/entries/list.html", context)


@org_view(capability=Capability.LEDGER_VIEW)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_or_404(journal_entry_detail_queryset(org=request.org), org=request.org, pk=pk)
    return _detail_page(request, entry, ReverseForm(initial={"date": request.org.today()}))


def _detail_page(request: HttpRequest, entry: JournalEntry, reverse_form: ReverseForm) -> HttpResponse:
    """The entry page; after a refused reversal it keeps the typed date and memo."""
    total_debit, total_credit = entry_totals(entry=entry)
    context = {
        "entry": entry,
        "lines": journal_entry_lines(entry=entry),
        "total_debit": total_debit,
        "total_credit": total_credit,
        "reversed_by": journal_entry_reversed_by(entry=entry),
        "source": entry.source_type.get_object_for_this_type(pk=entry.source_id) if _source_exists(entry) else None,
        "audit_entries": audit_entries_for(org=request.org, instance=entry),
        "can_post": has_capability(request.membership, Capability.LEDGER_POST),
        "reverse_form": reverse_form,
    }
    return render(request, "ledger/entries/detail.html", context)


def _source_exists(entry: JournalEntry) -> bool:
    if entry.source_type_id is None:
        return False
    model = entry.source_type.model_class()
    return model is not None and model._default_manager.filter(pk=entry.source_id).exists()


def _entry_forms(request: HttpRequest, entry: JournalEntry | None) -> tuple[JournalEntryForm, Any]:
    org = request.org
    if request.method == "POST":
        return JournalEntryForm(request.POST, org=org), JournalLineFormSet(request.POST, org=org, prefix="lines")
    if entry is None:
        journal = Journal.objects.filter(organization=org, code="GEN", is_active=True).first()
        header = JournalEntryForm(
            org=org, initial={"date": org.today(), "journal": journal, "currency": org.base_currency}
        )
        return header, JournalLineFormSet(org=org, prefix="lines")
    lines = journal_entry_lines(entry=entry)
    header = JournalEntryForm(
        org=org,
        initial={
            "journal": entry.journal_id,
            "date": entry.date,
            "reference": entry.reference,
            "memo": entry.memo,
            "currency": entry.currency,
            "exchange_rate": next((line.exchange_rate for line in lines if line.currency != org.base_currency), None),
        },
    )
    initial = [
        {
            "account": line.account_id,
            "description": line.description,
            "debit": abs(line.amount_currency) if line.debit else None,
            "credit": abs(line.amount_currency) if line.credit else None,
            "partner": line.partner_id,
            "cost_center": line.cost_center_id,
            "project": line.project_id,
        }
        for line in lines
    ]
    return header, JournalLineFormSet(org=org, prefix="lines", initial=initial)


def _save_entry(request: HttpRequest, header: JournalEntryForm, formset: Any, entry: JournalEntry | None) -> Any:
    data = header.cleaned_data
    lines = formset.line_inputs()
    for line in lines:
        line["currency"] = data["currency"]
        line["exchange_rate"] = data.get("exchange_rate")
    common = {
        "org": request.org,
        "actor_membership": request.membership,
        "journal": data["journal"],
        "date": data["date"],
        "lines": lines,
        "memo": data.get("memo") or "",
        "reference": data.get("reference") or "",
        "currency": data["currency"],
    }
    post = request.POST.get("action") == "post"
    if entry is None:
        return journal_entry_create(**common, post=post)
    entry = journal_entry_update(**common, entry=entry)
    if post:
        entry = journal_entry_post(org=request.org, actor_membership=request.membership, entry=entry)
    return entry


def _entry_form_page(request: HttpRequest, entry: JournalEntry | None) -> HttpResponse:
    header, formset = _entry_forms(request, entry)
    if request.method == "POST" and header.is_valid() and formset.is_valid():
        try:
            saved = _save_entry(request, header, formset, entry)
        except DomainError as error:
            apply_domain_error(header, request, error)
        else:
            if saved.is_posted:
                messages.success(request, _("The entry {number} was posted.").format(number=saved.display_number()))
            else:
                messages.success(request, _("The draft entry was saved."))
            return redirect("ledger:entry_detail", pk=saved.pk)
    context = {
        "form": header,
        "formset": formset,
        "entry": entry,
        "base_currency": request.org.base_currency,
        "minor_units": minor_units(request.org.base_currency),
    }
    return render(request, "ledger/entries/form.html", context)


@org_view(capability=Capability.LEDGER_POST)
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    return _entry_form_page(request, None)


@org_view(capability=Capability.LEDGER_POST)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_or_404(JournalEntry, org=request.org, pk=pk)
    if entry.is_posted:
        messages.error(request, _("A posted journal entry cannot be changed or deleted; reverse it instead."))
        return redirect("ledger:entry_detail", pk=entry.pk)
    return _entry_form_page(request, entry)


@org_view(capability=Capability.LEDGER_POST)
@require_POST
def entry_post(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_or_404(JournalEntry, org=request.org, pk=pk)
    try:
        entry = journal_entry_post(org=request.org, actor_membership=request.membership, entry=entry)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, _("The entry {number} was posted.").format(number=entry.display_number()))
    return redirect("ledger:entry_detail", pk=entry.pk)


@org_view(capability=Capability.LEDGER_POST)
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_or_404(journal_entry_detail_queryset(org=request.org), org=request.org, pk=pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid reversal date."))
        return _detail_page(request, entry, form)
    try:
        reversal = journal_entry_reverse(
            org=request.org,
            actor_membership=request.membership,
            entry=entry,
            date=form.cleaned_data["date"],
            memo=form.cleaned_data.get("memo") or "",
        )
    except DomainError as error:
        apply_domain_error(None, request, error)
        return _detail_page(request, entry, form)
    messages.success(request, _("The reversal {number} was posted.").format(number=reversal.display_number()))
    return redirect("ledger:entry_detail", pk=reversal.pk)


@org_view(capability=Capability.LEDGER_POST)
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access_or_404(JournalEntry, org=request.org, pk=pk)
    try:
        journal_entry_delete(org=request.org, actor_membership=request.membership, entry=entry)
    except DomainError as error:
        apply_domain_error(None, request, error)
        return redirect("ledger:entry_detail", pk=entry.pk)
    messages.success(request, _("The draft entry was deleted."))
    return redirect("ledger:entry_list")
