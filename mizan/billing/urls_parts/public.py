"""Public (no sign-in) pages of quotes and invoices, opened by a signed link (billing.public_links)."""

from django.urls import path

from mizan.billing.views import public as views

urlpatterns = [
    path("p/quote/<str:token>/", views.public_quote_view, name="public_quote"),
    path("p/quote/<str:token>/pdf/", views.public_quote_pdf_view, name="public_quote_pdf"),
    path("p/invoice/<str:token>/", views.public_invoice_view, name="public_invoice"),
    path("p/invoice/<str:token>/pdf/", views.public_invoice_pdf_view, name="public_invoice_pdf"),
]
