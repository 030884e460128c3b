"""CRM timeline API endpoints."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    """Add this area's viewsets to the /api/v1/crm/ router (basenames prefixed crm-)."""
