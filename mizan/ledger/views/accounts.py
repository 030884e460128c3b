"""Chart of accounts and journals."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404, has_capability
from mizan.core.roles import Capability
from mizan.core.selectors.audit import audit_entries_for
from mizan.core.views.base import org_view, run_action, submit_form
from mizan.ledger.forms import AccountForm, JournalForm
from mizan.ledger.models import Account, Journal
from mizan.ledger.selectors.accounts import account_chart, journal_list
from mizan.ledger.services.accounts import (
    account_create,
    account_delete,
    account_set_active,
    account_update,
    journal_create,
    journal_update,
)


@org_view(capability=Capability.LEDGER_VIEW)
def account_list(request: HttpRequest) -> HttpResponse:
    context = {
        "groups": account_chart(org=request.org),
        "can_manage": has_capability(request.membership, Capability.LEDGER_MANAGE),
    }
    return render(request, "ledger/accounts/list.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def account_create_view(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, org=request.org)
    done = submit_form(
        request,
        form,
        save=lambda: account_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=lambda account: _("The account {account} was added.").format(account=account),
        then=lambda _account: redirect("ledger:account_list"),
    )
    if done is not None:
        return done
    return render(request, "ledger/accounts/form.html", {"form": form, "account": None})


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_or_404(Account, org=request.org, pk=pk)
    form = AccountForm(request.POST or None, org=request.org, instance=account)
    done = submit_form(
        request,
        form,
        save=lambda: account_update(
            org=request.org, actor_membership=request.membership, account=account, data=form.cleaned_data
        ),
        success=_("The account was saved."),
        then=lambda _account: redirect("ledger:account_list"),
    )
    if done is not None:
        return done
    context = {
        "form": form,
        "account": account,
        "audit_entries": audit_entries_for(org=request.org, instance=account),
    }
    return render(request, "ledger/accounts/form.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def account_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_or_404(Account, org=request.org, pk=pk)
    is_active = request.POST.get("is_active") == "1"
    run_action(
        request,
        lambda: account_set_active(
            org=request.org, actor_membership=request.membership, account=account, is_active=is_active
        ),
        success=_("The account was reactivated.") if is_active else _("The account was deactivated."),
    )
    return redirect("ledger:account_list")


@org_view(capability=Capability.LEDGER_MANAGE)
@require_POST
def account_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_or_404(Account, org=request.org, pk=pk)
    run_action(
        request,
        lambda: account_delete(org=request.org, actor_membership=request.membership, account=account),
        success=_("The account was deleted."),
    )
    return redirect("ledger:account_list")


@org_view(capability=Capability.LEDGER_VIEW)
def journal_list_view(request: HttpRequest) -> HttpResponse:
    context = {
        "journals": journal_list(org=request.org),
        "can_manage": has_capability(request.membership, Capability.LEDGER_MANAGE),
    }
    return render(request, "ledger/journals/list.html", context)


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def journal_create_view(request: HttpRequest) -> HttpResponse:
    form = JournalForm(request.POST or None, org=request.org)
    done = submit_form(
        request,
        form,
        save=lambda: journal_create(org=request.org, actor_membership=request.membership, data=form.cleaned_data),
        success=_("The journal was added."),
        then=lambda _journal: redirect("ledger:journal_list"),
    )
    if done is not None:
        return done
    return render(request, "ledger/journals/form.html", {"form": form, "journal": None})


@org_view(capability=Capability.LEDGER_MANAGE)
@require_http_methods(["GET", "POST"])
def journal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    journal = access_or_404(Journal, org=request.org, pk=pk)
    form = JournalForm(request.POST or None, org=request.org, instance=journal)
    done = submit_form(
        request,
        form,
        save=lambda: journal_update(
            org=request.org, actor_membership=request.membership, journal=journal, data=form.cleaned_data
        ),
        success=_("The journal was saved."),
        then=lambda _journal: redirect("ledger:journal_list"),
    )
    if done is not None:
        return done
    context = {"form": form, "journal": journal, "audit_entries": audit_entries_for(org=request.org, instance=journal)}
    return render(request, "ledger/journals/form.html", context)
