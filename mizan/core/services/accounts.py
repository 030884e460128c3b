"""Accounts: sign-in with lock-out, the second sign-in step, sign-up, password changes and resets.

The lock-out counter lives on the User row and is changed with UPDATE ... F() inside a
transaction, so every web process (and every machine) agrees on it. Unknown e-mails are
counted in the cache with the same limit, so the "locked" answer cannot tell an attacker
which e-mails have an account.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.core.formatting import active_formatter
from mizan.core.models import User
from mizan.core.services.email import email_send
from mizan.core.services.organizations import organization_create
from mizan.core.services.two_factor import two_factor_code_check

logger = logging.getLogger(__name__)

_UNKNOWN_COUNT_KEY = "sign-in-unknown-count:{}"
_UNKNOWN_LOCK_KEY = "sign-in-unknown-lock:{}"


# --- Errors shared by every refusal ----------------------------------------------------------


def _invalid_credentials() -> DomainError:
    return DomainError("invalid_credentials", _("The e-mail or password is not correct."))


def _locked_out() -> DomainError:
    return DomainError(
        "locked_out",
        _("Too many failed sign-in attempts. Sign-in is paused for {minutes} minutes; try again later.").format(
            minutes=active_formatter().number(settings.LOGIN_LOCKOUT_MINUTES)
        ),
    )


def _invalid_code() -> DomainError:
    return DomainError("invalid_code", _("The code is not correct or was already used."), field="code")


# --- Lock-out counter ------------------------------------------------------------------------


def sign_in_failure_record(*, user: User) -> bool:
    """Count one failed attempt; lock the account when the limit is reached. Returns True if now locked."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_in_count=F("failed_sign_in_count") + 1)
        count = User.objects.filter(pk=user.pk).values_list("failed_sign_in_count", flat=True).get()
        if count < settings.LOGIN_FAILURE_LIMIT:
            user.failed_sign_in_count = count
            return False
        locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(failed_sign_in_count=0, locked_until=locked_until)
    user.failed_sign_in_count, user.locked_until = 0, locked_until
    logger.warning("Sign-in locked for user %s after %s failures", user.pk, count)
    return True


def sign_in_failures_clear(*, user: User) -> None:
    """A successful sign-in (or a new password) starts the count again."""
    User.objects.filter(pk=user.pk).update(failed_sign_in_count=0, locked_until=None)
    user.failed_sign_in_count, user.locked_until = 0, None


def _email_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def _unknown_email_is_locked(email: str) -> bool:
    return cache.get(_UNKNOWN_LOCK_KEY.format(_email_key(email))) is not None


def _unknown_email_failure_record(email: str) -> bool:
    """Mirror the lock-out for e-mails without an account, so both answer alike."""
    key = _email_key(email)
    count_key = _UNKNOWN_COUNT_KEY.format(key)
    lockout_seconds = settings.LOGIN_LOCKOUT_MINUTES * 60
    cache.add(count_key, 0, timeout=lockout_seconds)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=lockout_seconds)
        count = 1
    if count < settings.LOGIN_FAILURE_LIMIT:
        return False
    cache.delete(count_key)
    cache.set(_UNKNOWN_LOCK_KEY.format(key), True, timeout=lockout_seconds)
    return True


# --- Sign-in ---------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def sign_in_password_check(*, email: str, password: str) -> User:
    """The user these credentials belong to, or DomainError (same wording whether the e-mail exists or not).

    The caller still has to finish the second step when the user has two-factor sign-in.
    """
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first() if email else None
    if user is None or not user.is_active:
        User().set_password(password)  # spend the same time as a real check
        if _unknown_email_is_locked(email) or _unknown_email_failure_record(email):
            raise _locked_out()
        raise _invalid_credentials()
    if user.is_locked_out():
        User().set_password(password)
        raise _locked_out()
    if not user.check_password(password):
        if sign_in_failure_record(user=user):
            raise _locked_out()
        raise _invalid_credentials()
    return user


def sign_in_second_factor_check(*, user_id: int, code: str) -> User:
    """Finish sign-in for a user with two-factor: a TOTP code or a recovery code.

    Wrong codes count toward the same lock-out as wrong passwords.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_two_factor:
        raise _invalid_credentials()
    if user.is_locked_out():
        raise _locked_out()
    if not two_factor_code_check(user=user, code=code):
        if sign_in_failure_record(user=user):
            raise _locked_out()
        raise _invalid_code()
    return user


def sign_in_succeeded(*, user: User) -> None:
    sign_in_failures_clear(user=user)


# --- Sign-up ---------------------------------------------------------------------------------


def _password_validate(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError("weak_password", " ".join(error.messages), field="password") from None


def user_sign_up(
    *,
    full_name: str,
    email: str,
    password: str,
    language: str,
    name_ar: str = "",
    name_en: str = "",
    country: str,
    base_currency: str | None = None,
    timezone_name: str | None = None,
) -> User:
    """Create a user and their first organization together: either both exist afterwards or neither."""
    email = normalize_email(email)
    if not email:
        raise DomainError("email_required", _("Enter your e-mail address."), field="email")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    candidate = User(email=email, full_name=full_name.strip(), language=language)
    _password_validate(password, candidate)
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name.strip(), language=language
            )
            organization_create(
                owner=user,
                name_ar=name_ar,
                name_en=name_en,
                country=country,
                base_currency=base_currency or None,
                timezone_name=timezone_name or None,
            )
    except IntegrityError:  # another request took the e-mail between the check and the insert
        raise _email_taken() from None
    return user


def _email_taken() -> DomainError:
    return DomainError(
        "email_taken",
        _("An account with this e-mail already exists. Sign in, or reset your password."),
        field="email",
    )


# --- Profile and passwords -------------------------------------------------------------------


def user_profile_update(*, user: User, full_name: str, language: str) -> User:
    """Change the user's own name and interface language."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError("invalid_language", _("Choose Arabic or English."), field="language")
    user.full_name = full_name.strip()
    user.language = language
    user.save(update_fields=["full_name", "language"])
    return user


def user_password_set(*, user: User, password: str) -> User:
    """Set a new password (already checked by the caller's form) and lift any lock-out."""
    _password_validate(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.failed_sign_in_count = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_sign_in_count", "locked_until"])
    return user


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link if an active account has this e-mail; say nothing either way."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None or not user.has_usable_password():
        return
    path = reverse(
        "core:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    base = settings.SITE_URL  # never the request's Host header: it can be forged
    email_send(
        to=[user.email],
        template="password_reset",
        context={
            "user": user,
            "reset_url": base + path,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
        language=user.language,
    )
