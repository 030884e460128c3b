"""CRM web routes (namespace crm); each area keeps its own list in urls_parts/."""

from mizan.crm.urls_parts import clients, deals, timeline, tools

app_name = "crm"

urlpatterns = [
    *clients.urlpatterns,
    *deals.urlpatterns,
    *timeline.urlpatterns,
    *tools.urlpatterns,
]
