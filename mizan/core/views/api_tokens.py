"""The member's personal API tokens page: list, create (raw token shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.roles import Capability
from mizan.core.selectors.api_tokens import api_token_list_for_member, api_token_list_manageable
from mizan.core.services.api_tokens import NAME_MAX_LENGTH, api_token_create, api_token_revoke
from mizan.core.views.base import apply_domain_error, org_view


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Say where it will be used, for example “Accounting export”."),
    )


@org_view(capability=Capability.API_TOKENS_USE)
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    """GET lists the member's tokens; POST creates one and shows its raw value this one time."""
    raw_token = None
    created_token = None
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created_token, raw_token = api_token_create(
                org=request.org, membership=request.membership, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            form = ApiTokenCreateForm()
    context = {
        "form": form,
        "tokens": api_token_list_for_member(org=request.org, membership=request.membership),
        "created_token": created_token,
        "raw_token": raw_token,
    }
    response = render(request, "core/api_tokens/list.html", context, status=400 if form.errors else 200)
    # The raw token must not linger in any cache.
    response["Cache-Control"] = "no-store"
    return response


@org_view(capability=Capability.API_TOKENS_USE)
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = access_or_404(
        api_token_list_manageable(org=request.org, membership=request.membership), org=request.org, pk=pk
    )
    try:
        api_token_revoke(org=request.org, membership=request.membership, token=token)
    except DomainError as error:
        apply_domain_error(None, request, error)
    else:
        messages.success(request, gettext("The token “{name}” was revoked.").format(name=token.name))
    return redirect("core:api_token_list")
