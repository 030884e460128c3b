from django.urls import path

from mizan.billing.views import taxes as views

urlpatterns = [
    path("taxes/", views.tax_list_view, name="tax_list"),
    path("taxes/new/", views.tax_create_view, name="tax_create"),
    path("taxes/<int:pk>/edit/", views.tax_edit_view, name="tax_edit"),
    path("taxes/<int:pk>/active/", views.tax_set_active_view, name="tax_set_active"),
    path("settings/", views.billing_settings_view, name="settings"),
]
