"""Recurring invoices, and sending an invoice by e-mail (its button is on the invoice page)."""

from django.urls import path

from mizan.billing.views import recurring as views

urlpatterns = [
    path("recurring/", views.recurring_list_view, name="recurring_list"),
    path("recurring/new/", views.recurring_create_view, name="recurring_create"),
    path("recurring/<int:pk>/", views.recurring_detail_view, name="recurring_detail"),
    path("recurring/<int:pk>/edit/", views.recurring_edit_view, name="recurring_edit"),
    path("recurring/<int:pk>/generate/", views.recurring_generate_view, name="recurring_generate"),
    path("recurring/<int:pk>/active/", views.recurring_set_active_view, name="recurring_set_active"),
    path("recurring/<int:pk>/delete/", views.recurring_delete_view, name="recurring_delete"),
    path("invoices/<int:pk>/send/", views.invoice_send_view, name="invoice_send"),
]
