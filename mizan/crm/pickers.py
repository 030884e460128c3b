"""Type-ahead pickers of CRM records in any area's forms (`core.forms.base.remote_picker`).

A select of companies, contacts or deals lists only its chosen record; `core/js/picker.js` asks
the CRM API's list (the same visibility rule and Arabic-aware search as everywhere) for matches.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from mizan.core.forms.base import remote_picker

PICKER_RESULTS = 20

#: kind -> (API list route, field shown, fixed filters)
_SOURCES: dict[str, tuple[str, str, dict[str, str]]] = {
    "company": ("api:crm-company-list", "display_name", {"state": "active"}),
    "contact": ("api:crm-contact-list", "display_name", {"state": "active"}),
    "deal": ("api:crm-deal-list", "title", {}),
}


def crm_picker(form: Any, name: str, kind: str, *, depends: str = "") -> None:
    """Make the form's select `name` a picker of CRM records of `kind` (company, contact, deal),
    narrowed to the form's field `depends` (e.g. a client's contacts) when it has a value."""
    route, label, filters = _SOURCES[kind]
    query = urlencode({**filters, "page_size": PICKER_RESULTS})
    remote_picker(form, name, source=f"{reverse(route)}?{query}", label=label, depends=depends)
