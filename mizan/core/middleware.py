"""Request plumbing: security headers, the user's language, and the current organization."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from mizan.core.formatting import Formatter, activate_formatter, reset_formatter
from mizan.core.selectors.organizations import membership_for_request

ORGANIZATION_SESSION_KEY = "organization_id"


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy; Mizan ships no inline script or style."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class UserLanguageMiddleware:
    """A signed-in user's own language wins; otherwise the cookie, then the browser, then Arabic."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        else:
            language = translation.get_language_from_request(request)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        # The shell context processor activates this request's formatter for template filters;
        # the token puts back the previous (empty) one so nothing leaks into the next request.
        formatter_token = activate_formatter(None)
        try:
            response = self.get_response(request)
        finally:
            reset_formatter(formatter_token)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


class OrganizationMiddleware:
    """Attach `request.org` and `request.membership` (None when signed out or without a membership)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = membership_for_request(request.user, request.session.get(ORGANIZATION_SESSION_KEY))
        request.membership = membership
        request.org = membership.organization if membership else None
        if not request.path.startswith("/api/"):
            # Messages built in views and services (counts, limits, row numbers) format like the
            # page around them; the API keeps plain digits. UserLanguageMiddleware resets this.
            activate_formatter(Formatter.for_org(request.org))
        return self.get_response(request)
