"""Two-factor pages: set-up with a QR code, the second sign-in step, turning it off, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from mizan.core.errors import DomainError
from mizan.core.forms.accounts import PasswordConfirmForm, TwoFactorCodeForm, TwoFactorConfirmForm
from mizan.core.services.accounts import sign_in_second_factor_check
from mizan.core.services.two_factor import (
    RECOVERY_CODE_COUNT,
    recovery_codes_regenerate,
    recovery_codes_remaining,
    two_factor_confirm,
    two_factor_disable,
    two_factor_provisioning_uri,
    two_factor_qr_data_uri,
    two_factor_setup_start,
)
from mizan.core.views.accounts import sign_in_complete, two_factor_pending, two_factor_pending_clear
from mizan.core.views.base import apply_domain_error


def _grouped(secret: str) -> str:
    """The secret in blocks of four, easier to type into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The only time the raw recovery codes are ever shown."""
    return render(request, "core/accounts/recovery_codes.html", {"codes": codes, "form": None})


@login_required
@csrf_protect
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_two_factor:
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect("core:profile")
    secret = two_factor_setup_start(user=user)
    form = TwoFactorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("Two-factor sign-in is on."))
            return _codes_page(request, codes)
    context = {
        "form": form,
        "secret": _grouped(secret),
        "qr_data_uri": two_factor_qr_data_uri(two_factor_provisioning_uri(user)),
    }
    return render(request, "core/accounts/two_factor_setup.html", context)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: only reachable after the right password, and not yet logged in."""
    pending = two_factor_pending(request)
    if pending is None:
        messages.info(request, _("Sign in again to continue."))
        return redirect("core:sign_in")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_second_factor_check(user_id=pending["user_id"], code=form.cleaned_data["code"])
        except DomainError as error:
            if error.code != "invalid_code":
                two_factor_pending_clear(request)
                messages.error(request, error.message)
                return redirect("core:sign_in")
            apply_domain_error(form, request, error)
        else:
            return sign_in_complete(request, user, pending.get("next", ""))
    return render(request, "core/accounts/two_factor_verify.html", {"form": form})


@sensitive_post_parameters("password")
@login_required
@csrf_protect
@never_cache
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_two_factor:
        return redirect("core:profile")
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_disable(user=request.user, password=form.cleaned_data["password"])
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("core:profile")
    return render(request, "core/accounts/two_factor_disable.html", {"form": form})


@sensitive_post_parameters("password")
@login_required
@csrf_protect
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many codes are left; new ones (after the password) replace all the old ones."""
    if not request.user.has_two_factor:
        return redirect("core:two_factor_setup")
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = recovery_codes_regenerate(user=request.user, password=form.cleaned_data["password"])
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            messages.success(request, _("New recovery codes were made; the old ones no longer work."))
            return _codes_page(request, codes)
    context = {
        "form": form,
        "codes": None,
        "remaining": recovery_codes_remaining(request.user),
        "total": RECOVERY_CODE_COUNT,
    }
    return render(request, "core/accounts/recovery_codes.html", context)
