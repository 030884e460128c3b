"""The OpenAPI schema and its documentation page, served by the app itself (no CDN).

drf-spectacular's Swagger view renders an inline <script>, which our Content-Security-Policy
(script-src 'self') blocks; Redoc injects <style> elements, which style-src 'self' blocks. So the
page is our own template: Swagger UI's files from drf-spectacular-sidecar plus a static init script
that reads its settings from data- attributes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

#: The schema is developer documentation: English unless `?lang=ar` asks otherwise.
SCHEMA_DEFAULT_LANGUAGE = "en"


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, public (it describes endpoints, never data), English by default."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        language = request.GET.get("lang")
        if language not in dict(settings.LANGUAGES):
            language = SCHEMA_DEFAULT_LANGUAGE
        with translation.override(language):
            response = self._get_schema_response(request)
        response.headers["Content-Language"] = language
        return response


@require_GET
@ensure_csrf_cookie
def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI; "Try it out" works with the browser session (CSRF token sent by the init script)."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema") + "?format=json"})


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown /api/ addresses answer in the API's error format, not with an HTML page."""
    message = gettext("Not found.")
    if not request.path.endswith("/"):
        try:
            resolve(request.path + "/")
        except Resolver404:
            pass
        else:
            message = gettext("Not found. API addresses end with a slash: {path}/").format(path=request.path)
    return JsonResponse({"code": "not_found", "message": message, "field": None}, status=404)
