"""Departments, cost centers and projects (namespace ledger)."""

from django.urls import path

from mizan.ledger.views import analytics

urlpatterns = [
    path("analytic-accounts/", analytics.analytic_account_list, name="analytic_account_list"),
    path("analytic-accounts/new/", analytics.analytic_account_create_view, name="analytic_account_create"),
    path("analytic-accounts/<int:pk>/edit/", analytics.analytic_account_edit, name="analytic_account_edit"),
    path(
        "analytic-accounts/<int:pk>/active/",
        analytics.analytic_account_set_active_view,
        name="analytic_account_set_active",
    ),
]
