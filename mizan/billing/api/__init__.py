"""/api/v1/billing/: one module per area, each registering its viewsets on the router."""

from __future__ import annotations

from importlib import import_module

from rest_framework.routers import SimpleRouter

#: Areas with a `register(router)` function, in the order their routes are added.
AREAS = ("taxes", "terms", "quotes", "invoices", "payments", "recurring")


def register(router: SimpleRouter) -> None:
    for area in AREAS:
        try:
            module = import_module(f"mizan.billing.api.{area}")
        except ModuleNotFoundError as error:
            if error.name != f"mizan.billing.api.{area}":
                raise
            continue
        module.register(router)
