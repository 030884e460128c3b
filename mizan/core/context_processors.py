from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from mizan.core.access import has_capability
from mizan.core.formatting import Formatter, activate_formatter
from mizan.core.roles import Capability
from mizan.core.selectors.notifications import notification_unread_count
from mizan.core.selectors.organizations import organization_list_for_user


def capability_flags(membership: Any) -> dict[str, bool]:
    """Every capability as a boolean keyed by its lower-case name: `can.audit_view`."""
    return {capability.name.lower(): has_capability(membership, capability) for capability in Capability}


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the application shell needs on every page: organization, role, direction, formats.

    Queries (the organization switcher, the unread count) run only if a template uses them.
    """
    org = getattr(request, "org", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    language = get_language()
    # No pinned language: an e-mail rendered in this request under translation.override(...)
    # formats in its recipient's language. Filters cannot read the template context, hence the
    # activation; UserLanguageMiddleware resets it when the request ends.
    formatter = Formatter.for_org(org)
    activate_formatter(formatter)
    signed_in = user is not None and user.is_authenticated
    return {
        "current_org": org,
        "current_membership": membership,
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "language_code": language,
        "other_language": "en" if (language or "").startswith("ar") else "ar",
        "fmt": formatter,
        "can": capability_flags(membership),
        "user_organizations": organization_list_for_user(user=user) if signed_in else (),
        "unread_notification_count": (
            partial(notification_unread_count, org=org, user=user) if signed_in and org is not None else 0
        ),
    }
