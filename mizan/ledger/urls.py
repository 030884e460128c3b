"""Ledger web routes (namespace ledger)."""

app_name = "ledger"

urlpatterns: list = []
