"""Error pages in the reader's language. The 500 page touches neither the database nor the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language, get_language_bidi


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without a RequestContext: no context processor, no query, no session."""
    language = get_language() or "ar"
    context = {"language_code": language, "text_direction": "rtl" if get_language_bidi() else "ltr"}
    return HttpResponseServerError(loader.get_template("errors/500.html").render(context))
