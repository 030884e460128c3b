"""The shell's own pages: language switch, global search, notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mizan.core.access import access_or_404
from mizan.core.errors import DomainError
from mizan.core.models import Notification
from mizan.core.search import clean_query, search_everything
from mizan.core.selectors.notifications import notification_list
from mizan.core.services.accounts_language import supported_language, user_set_language
from mizan.core.services.notifications import notification_mark_all_read, notification_mark_read
from mizan.core.views.base import org_view

LIVE_RESULTS_PER_GROUP = 5
PAGE_RESULTS_PER_GROUP = 50
NOTIFICATIONS_PER_PAGE = 25


def safe_next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` when it points inside this site, else `fallback` (no open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: saved on the user when signed in, and in a cookie for anyone."""
    language = request.POST.get("language", "")
    if not supported_language(language):
        return render(request, "errors/400.html", {"message": _("This language is not available.")}, status=400)
    if request.user.is_authenticated:
        try:
            user_set_language(user=request.user, language=language)
        except DomainError as error:  # pragma: no cover - supported_language already checked
            return HttpResponse(error.message, status=400)
    fallback = request.headers.get("referer") or reverse("core:home")
    response = HttpResponseRedirect(
        safe_next_url(request, request.POST.get("next"), safe_next_url(request, fallback, "/"))
    )
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or settings.SESSION_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )
    return response


@require_GET
@org_view()
def search(request: HttpRequest) -> HttpResponse:
    """Full results page, or (for htmx) only the live results under the search box."""
    query = clean_query(request.GET.get("q"))
    live = request.headers.get("HX-Request") == "true" and request.GET.get("full") != "1"
    groups = search_everything(
        org=request.org,
        membership=request.membership,
        query=query,
        limit=LIVE_RESULTS_PER_GROUP if live else PAGE_RESULTS_PER_GROUP,
    )
    template = "core/shell/search.html#results" if live else "core/shell/search.html"
    return render(request, template, {"query": query, "groups": groups, "live": live})


@require_GET
@org_view()
def notification_list_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = notification_list(org=request.org, user=request.user, unread_only=unread_only)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/shell/notifications.html", {"page": page, "unread_only": unread_only})


@require_POST
@org_view()
def notification_mark_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the notification points (when asked to open it) or back."""
    notification = access_or_404(Notification.objects.filter(user=request.user), org=request.org, pk=pk)
    notification_mark_read(org=request.org, user=request.user, notification=notification)
    fallback = reverse("core:notification_list")
    if request.POST.get("open") == "1" and notification.url:
        return HttpResponseRedirect(safe_next_url(request, notification.url, fallback))
    return HttpResponseRedirect(safe_next_url(request, request.POST.get("next"), fallback))


@require_POST
@org_view()
def notification_mark_all_read_view(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(org=request.org, user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return HttpResponseRedirect(reverse("core:notification_list"))
