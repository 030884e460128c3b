"""Payment terms pages."""

from django.urls import path

from mizan.billing.views import terms as views

urlpatterns = [
    path("terms/", views.term_list_view, name="term_list"),
    path("terms/new/", views.term_create_view, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit_view, name="term_edit"),
    path("terms/<int:pk>/active/", views.term_set_active_view, name="term_set_active"),
    path("terms/<int:pk>/default/", views.term_set_default_view, name="term_set_default"),
]
