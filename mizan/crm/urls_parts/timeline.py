"""CRM timeline routes (namespace crm)."""

urlpatterns: list = []
