"""CRM endpoints under /api/v1/crm/ (URL names in the "api" namespace, prefixed crm-)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [*router.urls]
