"""Quote pages for members (the client's public page is in urls_parts/public.py)."""

from django.urls import path

from mizan.billing.views import quotes as views

urlpatterns = [
    path("quotes/", views.quote_list_view, name="quote_list"),
    path("quotes/new/", views.quote_create_view, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail_view, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_edit_view, name="quote_edit"),
    path("quotes/<int:pk>/delete/", views.quote_delete_view, name="quote_delete"),
    path("quotes/<int:pk>/send/", views.quote_send_view, name="quote_send"),
    path("quotes/<int:pk>/answer/", views.quote_answer_view, name="quote_answer"),
    path("quotes/<int:pk>/revise/", views.quote_revise_view, name="quote_revise"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf_view, name="quote_pdf"),
]
