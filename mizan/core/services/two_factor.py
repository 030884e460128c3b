"""Two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes.

A TOTP code is accepted one time-step either side of now, and never twice: the step it
belongs to must be later than `User.totp_last_used_step`, which is moved forward with a
conditional UPDATE so two concurrent requests cannot both spend the same code. Recovery
codes are stored as SHA-256 hashes (they are long random strings, so a slow hash adds
nothing) and spent with a conditional UPDATE as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mizan.core.errors import DomainError
from mizan.core.models import Organization, RecoveryCode, User

ISSUER = "Mizan"
RECOVERY_CODE_COUNT = 10
TOTP_VALID_WINDOW = 1


def two_factor_required_but_missing(user: User, org: Organization | None) -> bool:
    """True when the organization demands two-factor sign-in and this user has not set it up."""
    return bool(org is not None and org.require_two_factor and user.is_authenticated and not user.has_two_factor)


# --- Enrolment -------------------------------------------------------------------------------


def two_factor_setup_start(*, user: User) -> str:
    """Give the user an (unconfirmed) secret to scan; reloading the page keeps the same one."""
    if user.has_two_factor:
        raise DomainError("two_factor_enabled", _("Two-factor sign-in is already on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def two_factor_provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def two_factor_qr_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code: an SVG made on the server, inlined as a data: URI."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Turn two-factor on once the user proves the app works; returns the recovery codes (shown once)."""
    if user.has_two_factor:
        raise DomainError("two_factor_enabled", _("Two-factor sign-in is already on."))
    if not user.totp_secret:
        raise DomainError("two_factor_not_started", _("Start the set-up again."))
    with transaction.atomic():
        if not _totp_spend(user=user, code=code):
            raise DomainError(
                "invalid_code", _("The code is not correct. Check your phone's clock and try again."), field="code"
            )
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        return _recovery_codes_replace(user)


def two_factor_disable(*, user: User, password: str) -> User:
    """Turn two-factor off; the password is asked again so a forgotten open session is not enough."""
    if not user.check_password(password):
        raise DomainError("wrong_password", _("The password is not correct."), field="password")
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.totp_last_used_step = 0
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_used_step"])
        RecoveryCode.objects.filter(user=user).delete()
    return user


def recovery_codes_regenerate(*, user: User, password: str) -> list[str]:
    """Replace every recovery code with new ones (the old ones stop working)."""
    if not user.has_two_factor:
        raise DomainError("two_factor_off", _("Two-factor sign-in is off."))
    if not user.check_password(password):
        raise DomainError("wrong_password", _("The password is not correct."), field="password")
    with transaction.atomic():
        return _recovery_codes_replace(user)


def recovery_codes_remaining(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Verification ----------------------------------------------------------------------------


def two_factor_code_check(*, user: User, code: str) -> bool:
    """Accept a current TOTP code or an unused recovery code, spending it. False otherwise."""
    cleaned = "".join((code or "").split())
    if not user.has_two_factor or not cleaned:
        return False
    if cleaned.isdigit() and len(cleaned) == 6:
        return _totp_spend(user=user, code=cleaned)
    return _recovery_code_spend(user=user, code=cleaned)


def _totp_spend(*, user: User, code: str) -> bool:
    """Accept the code for a time-step later than the last one used, and record that step."""
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(timezone.now())
    for step in range(now_step - TOTP_VALID_WINDOW, now_step + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            spent = User.objects.filter(pk=user.pk, totp_last_used_step__lt=step).update(totp_last_used_step=step)
            if spent:
                user.totp_last_used_step = step
            return bool(spent)
    return False


def _recovery_code_hash(code: str) -> str:
    normalized = code.replace("-", "").strip().lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _recovery_code_spend(*, user: User, code: str) -> bool:
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_recovery_code_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code_new() for _index in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_code_hash(code)) for code in codes)
    return codes


def _recovery_code_new() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"
