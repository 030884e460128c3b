"""Sales endpoints under /api/v1/sales/."""

from rest_framework.routers import SimpleRouter

from mizan.sales import api

router = SimpleRouter()
api.register(router)

urlpatterns = [*router.urls]
