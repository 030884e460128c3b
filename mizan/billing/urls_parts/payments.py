"""Payment routes: the list, recording, a payment's page, and client credit (apply, refund)."""

from django.urls import path

from mizan.billing.views import payments as views

urlpatterns = [
    path("payments/", views.payment_list_view, name="payment_list"),
    path("payments/new/", views.payment_create_view, name="payment_create"),
    path("payments/open-invoices/", views.payment_open_invoices_view, name="payment_open_invoices"),
    path("payments/<int:pk>/", views.payment_detail_view, name="payment_detail"),
    path("payments/<int:pk>/apply-credit/", views.payment_apply_credit_view, name="payment_apply_credit"),
    path("payments/<int:pk>/refund/", views.payment_refund_view, name="payment_refund"),
    path("credit-notes/<int:pk>/credit/", views.credit_note_credit_view, name="credit_note_credit"),
    path("credit-notes/<int:pk>/apply-credit/", views.credit_note_apply_credit_view, name="credit_note_apply_credit"),
    path("credit-notes/<int:pk>/refund/", views.credit_note_refund_view, name="credit_note_refund"),
]
