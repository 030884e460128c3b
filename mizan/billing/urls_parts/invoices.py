"""Invoices and credit notes (one list and one detail page for both kinds)."""

from django.urls import path

from mizan.billing.views import invoices as views

urlpatterns = [
    path("invoices/", views.invoice_list_view, name="invoice_list"),
    path("invoices/new/", views.invoice_create_view, name="invoice_create"),
    path("invoices/<int:pk>/", views.invoice_detail_view, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_edit_view, name="invoice_edit"),
    path("invoices/<int:pk>/post/", views.invoice_post_view, name="invoice_post"),
    path("invoices/<int:pk>/delete/", views.invoice_delete_view, name="invoice_delete"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel_view, name="invoice_cancel"),
    path("invoices/<int:pk>/credit-note/", views.invoice_credit_note_view, name="invoice_credit_note"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
    path("invoices/<int:pk>/xml/", views.invoice_xml_view, name="invoice_xml"),
]
