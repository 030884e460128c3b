"""CRM endpoints under /api/v1/crm/; each area registers its viewsets in mizan/crm/api/<area>.py."""

from rest_framework.routers import SimpleRouter

from mizan.crm.api import clients, deals, timeline, tools

router = SimpleRouter()
for area in (clients, deals, timeline, tools):
    area.register(router)

urlpatterns = [*router.urls]
