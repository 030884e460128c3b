"""Sign-in, sign-out, sign-up, password reset and the profile page (thin: rules are in services.accounts)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from mizan.core.errors import DomainError
from mizan.core.forms.accounts import (
    PasswordResetRequestForm,
    ProfileForm,
    ProfilePasswordChangeForm,
    ResetSetPasswordForm,
    SignInForm,
    SignUpForm,
)
from mizan.core.models import User
from mizan.core.services.accounts import (
    password_reset_request,
    sign_in_password_check,
    sign_in_succeeded,
    user_profile_update,
    user_sign_up,
)
from mizan.core.services.two_factor import recovery_codes_remaining
from mizan.core.views.base import apply_domain_error

TWO_FACTOR_PENDING_KEY = "two_factor_pending"
TWO_FACTOR_PENDING_SECONDS = 10 * 60
_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- Helpers shared with the two-factor views -------------------------------------------------


def safe_next_url(request: HttpRequest) -> str:
    """The `next` the user asked for, only when it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def language_apply(request: HttpRequest, response: HttpResponse, language: str) -> HttpResponse:
    """Switch the interface language now and remember it after sign-out too."""
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    return response


def two_factor_pending_start(request: HttpRequest, user: User, next_url: str) -> None:
    """The password was right; remember who is half signed in (not logged in yet)."""
    request.session[TWO_FACTOR_PENDING_KEY] = {"user_id": user.pk, "started_at": int(time.time()), "next": next_url}


def two_factor_pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(TWO_FACTOR_PENDING_KEY)
    if not pending or int(time.time()) - pending.get("started_at", 0) > TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(TWO_FACTOR_PENDING_KEY, None)
        return None
    return pending


def two_factor_pending_clear(request: HttpRequest) -> None:
    request.session.pop(TWO_FACTOR_PENDING_KEY, None)


def sign_in_complete(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """Log the user in (Django rotates the session key) in their own language."""
    sign_in_succeeded(user=user)
    two_factor_pending_clear(request)
    login(request, user, backend=_BACKEND)
    response = redirect(next_url or "core:home")
    return language_apply(request, response, user.language)


# --- Sign-in and sign-out ----------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "core:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_password_check(email=form.cleaned_data["email"], password=form.cleaned_data["password"])
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            if user.has_two_factor:
                two_factor_pending_start(request, user, next_url)
                return redirect("core:two_factor_verify")
            return sign_in_complete(request, user, next_url)
    return render(request, "core/accounts/sign_in.html", {"form": form, "next": next_url})


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:sign_in")


# --- Sign-up -------------------------------------------------------------------------------------


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up(
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                language=get_language() or settings.LANGUAGE_CODE,
                **form.organization_values(),
            )
        except DomainError as error:
            apply_domain_error(form, request, error)
        else:
            login(request, user, backend=_BACKEND)
            messages.success(request, _("Welcome to Mizan. Your organization is ready."))
            return language_apply(request, redirect("core:home"), user.language)
    return render(request, "core/accounts/sign_up.html", {"form": form})


# --- Password reset ------------------------------------------------------------------------------


@csrf_protect
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for the e-mail; the answer is the same whether an account has it or not."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(email=form.cleaned_data["email"])
        return redirect("core:password_reset_sent")
    return render(request, "core/accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/accounts/password_reset_sent.html", {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    )


class PasswordResetConfirm(PasswordResetConfirmView):
    """Django's token check (single use: the token hashes the password and last sign-in) with our pages."""

    template_name = "core/accounts/password_reset_confirm.html"
    form_class = ResetSetPasswordForm
    success_url = reverse_lazy("core:password_reset_complete")


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accounts/password_reset_complete.html", {})


# --- Profile -------------------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """Name and language, password change, and the state of two-factor sign-in."""
    user = request.user
    profile_form = ProfileForm(initial={"full_name": user.full_name, "language": user.language})
    password_form = ProfilePasswordChangeForm(user)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "profile":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            try:
                user_profile_update(user=user, **profile_form.cleaned_data)
            except DomainError as error:
                apply_domain_error(profile_form, request, error)
            else:
                response = language_apply(request, redirect("core:profile"), user.language)
                messages.success(request, _("Your profile was saved."))
                return response
    elif action == "password":
        password_form = ProfilePasswordChangeForm(user, request.POST)
        if password_form.is_valid():
            try:
                password_form.save()
            except DomainError as error:
                apply_domain_error(password_form, request, error)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password was changed."))
                return redirect("core:profile")
    context = {
        "profile_form": profile_form,
        "password_form": password_form,
        "recovery_codes_left": recovery_codes_remaining(user) if user.has_two_factor else 0,
    }
    return render(request, "core/accounts/profile.html", context)
