"""How an API request proves who it is, and which organization it acts in.

A token is bound to one organization: the request acts there whatever the session says. A
browser session acts in the organization the middleware picked (the one shown in the UI).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from mizan.core.models import ApiToken, Membership, User
from mizan.core.services.api_tokens import api_token_hash

TOKEN_KEYWORDS = (b"bearer", b"token")
#: last_used_at is a hint for people, not an access log: write it at most once a minute.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _fail(message: Any, code: str) -> AuthenticationFailed:
    return AuthenticationFailed(message, code=code)


def api_token_touch(token: ApiToken) -> None:
    """Record use, but skip the write when the stored time is recent (no write per request)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def _activate_user_language(request: Request, user: User) -> None:
    """An explicit Accept-Language wins (the middleware already honoured it); else the user's language."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return
    if user.language in dict(settings.LANGUAGES):
        translation.activate(user.language)
        request._request.LANGUAGE_CODE = user.language


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer mzn_…` (or `Token mzn_…`); the request acts in the token's organization."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in TOKEN_KEYWORDS:
            return None
        if len(header) != 2:
            raise _fail(_("Send the token as “Authorization: Bearer <token>”."), "invalid_token_header")
        try:
            raw_token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise _fail(_("This API token is not valid."), "invalid_token") from None
        token, membership = self._resolve(raw_token)
        api_token_touch(token)
        django_request = request._request
        django_request.org = token.organization
        django_request.membership = membership
        _activate_user_language(request, token.user)
        return token.user, token

    def _resolve(self, raw_token: str) -> tuple[ApiToken, Membership]:
        token = (
            ApiToken.objects.select_related("user", "organization").filter(token_hash=api_token_hash(raw_token)).first()
        )
        if token is None:
            raise _fail(_("This API token is not valid."), "invalid_token")
        if token.revoked_at is not None:
            raise _fail(_("This API token has been revoked."), "token_revoked")
        if not token.user.is_active:
            raise _fail(_("This account is deactivated."), "user_inactive")
        membership = Membership.objects.filter(
            organization_id=token.organization_id, user_id=token.user_id, is_active=True
        ).first()
        if membership is None:
            raise _fail(_("You are no longer a member of this token's organization."), "membership_inactive")
        # Same rows already loaded: spare the queries.
        membership.organization = token.organization
        membership.user = token.user
        return token, membership

    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 (not 403) with a WWW-Authenticate challenge."""
        return 'Bearer realm="api"'


class OrganizationSessionAuthentication(SessionAuthentication):
    """The browser's session (CSRF enforced on unsafe methods); the organization is the middleware's
    `request.org` / `request.membership`, i.e. the one the user picked in the UI."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        django_request = request._request
        if not hasattr(django_request, "membership"):
            django_request.membership = None
            django_request.org = None
        return result
