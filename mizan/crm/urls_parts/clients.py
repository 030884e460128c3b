"""CRM clients routes (namespace crm)."""

urlpatterns: list = []
