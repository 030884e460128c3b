"""CRM tools routes (namespace crm)."""

urlpatterns: list = []
