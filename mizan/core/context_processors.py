from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the application shell needs on every page: organization, role, direction."""
    return {
        "current_org": getattr(request, "org", None),
        "current_membership": getattr(request, "membership", None),
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "language_code": get_language(),
    }
