"""CRM deals routes (namespace crm)."""

urlpatterns: list = []
