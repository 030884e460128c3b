"""Billing endpoints under /api/v1/billing/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from mizan.billing import api
from mizan.billing.api import taxes as taxes_api

router = SimpleRouter()
api.register(router)

urlpatterns = [
    path(
        "settings/",
        taxes_api.BillingSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="billing_settings",
    ),
    *router.urls,
]
