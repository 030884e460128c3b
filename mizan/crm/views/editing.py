"""The create/edit page the CRM records share, so each view only says what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mizan.core.views.base import submit_form


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: the POST body on a submit, nothing (an unbound form) on a GET."""
    return request.POST if request.method == "POST" else None


def record_form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[forms.Form], Any],
    success: str,
    then: Callable[[Any], HttpResponse],
    title: str,
    cancel_href: str,
) -> HttpResponse:
    """Save through the service and redirect, or show "crm/clients/form.html" again.

    A page with errors answers 400 so scripts and tests can tell a refused submit from a first visit.
    """
    done = submit_form(request, form, save=lambda: save(form), success=success, then=then)
    if done is not None:
        return done
    context = {"form": form, "title": title, "cancel_href": cancel_href}
    return render(request, "crm/clients/form.html", context, status=400 if form.errors else 200)
