"""A client's account: documents, payments, balances and credit per currency, statement of account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from mizan.billing.forms.clients import StatementForm
from mizan.billing.selectors.clients import ACCOUNT_LIST_LIMIT, client_account, client_company_or_404
from mizan.billing.selectors.statements import company_statement
from mizan.billing.services.invoices import billing_settings_of
from mizan.core.access import has_capability
from mizan.core.roles import Capability
from mizan.core.views.base import org_view
from mizan.crm.models import Company


def _statement_form(request: HttpRequest, company: Company) -> StatementForm:
    """Always bound: the query string over the defaults (this year to today, the client's language)."""
    language = company.language or billing_settings_of(request.org).document_language
    data: dict[str, Any] = StatementForm.defaults(today=request.org.today(), language=language)
    data.update({name: request.GET[name] for name in StatementForm.base_fields if request.GET.get(name)})
    return StatementForm(data)


def _statement_query(form: StatementForm) -> str:
    cleaned = form.cleaned_data
    return urlencode(
        {
            "date_from": cleaned["date_from"].isoformat(),
            "date_to": cleaned["date_to"].isoformat(),
            "language": cleaned["language"],
        }
    )


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def client_account_view(request: HttpRequest, company_id: int) -> HttpResponse:
    company = client_company_or_404(org=request.org, membership=request.membership, pk=company_id)
    account = client_account(org=request.org, company=company)
    form = _statement_form(request, company)
    statement = None
    pdf_url = ""
    if form.is_valid():
        statement = company_statement(
            org=request.org,
            company=company,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        pdf_url = reverse("billing:client_statement_pdf", args=[company.pk]) + "?" + _statement_query(form)
    context = {
        "company": company,
        "account": account,
        "form": form,
        "statement": statement,
        "pdf_url": pdf_url,
        "can_edit": has_capability(request.membership, Capability.BILLING_EDIT),
        "list_limit": ACCOUNT_LIST_LIMIT,
    }
    return render(request, "billing/clients/account.html", context)


@org_view(capability=Capability.BILLING_VIEW)
@require_GET
def client_statement_pdf_view(request: HttpRequest, company_id: int) -> HttpResponse:
    from mizan.billing.pdf import statement_pdf

    company = client_company_or_404(org=request.org, membership=request.membership, pk=company_id)
    form = _statement_form(request, company)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("billing:client_account", args=[company.pk]) + "?" + request.GET.urlencode())
    cleaned = form.cleaned_data
    content = statement_pdf(
        org=request.org,
        company=company,
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        language=cleaned["language"],
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = "statement-{pk}-{start}-{end}.pdf".format(
        pk=company.pk, start=cleaned["date_from"].isoformat(), end=cleaned["date_to"].isoformat()
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
