from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mizan.core.views.base import org_view


@org_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})
