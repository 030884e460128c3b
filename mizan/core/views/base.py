"""What every organization page shares: sign-in, a membership, a capability, domain errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from mizan.core.access import has_capability
from mizan.core.errors import DomainError
from mizan.core.services.two_factor import two_factor_required_but_missing


def org_view(capability: str | None = None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a signed-in member of an organization, and optionally a capability."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                return redirect("core:organization_create")
            if two_factor_required_but_missing(request.user, request.org):
                messages.warning(request, _("Your organization requires two-factor sign-in. Set it up to continue."))
                return redirect("core:two_factor_setup")
            if capability is not None and not has_capability(request.membership, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def apply_domain_error(form: Form | None, request: HttpRequest, error: DomainError) -> None:
    """Show a broken rule on its form field when it names one, else as a flash message."""
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif form is not None:
        form.add_error(None, error.message)
    else:
        messages.error(request, error.message)


def submit_form(
    request: HttpRequest,
    form: Form,
    *,
    save: Callable[[], Any],
    success: str | Callable[[Any], str],
    then: Callable[[Any], HttpResponse],
) -> HttpResponse | None:
    """On a valid POST, run the service, flash `success` and answer `then(record)`.

    None means "show the form again": a first visit, invalid input, or a DomainError the service
    raised, which `apply_domain_error` has put on the form. `success` may be a function of the saved
    record when the message names it.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        record = save()
    except DomainError as error:
        apply_domain_error(form, request, error)
        return None
    messages.success(request, success(record) if callable(success) else success)
    return then(record)


def run_action(request: HttpRequest, action: Callable[[], Any], *, success: str) -> bool:
    """Run a one-click service (deactivate, delete, disqualify...) and flash its outcome.

    A broken rule becomes an error message instead of a 500; returns whether it succeeded.
    """
    try:
        action()
    except DomainError as error:
        apply_domain_error(None, request, error)
        return False
    messages.success(request, success)
    return True
