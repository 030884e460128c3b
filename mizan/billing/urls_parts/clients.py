"""A client's account page and its statement of account."""

from django.urls import path

from mizan.billing.views import clients as views

urlpatterns = [
    path("clients/<int:company_id>/", views.client_account_view, name="client_account"),
    path("clients/<int:company_id>/statement.pdf", views.client_statement_pdf_view, name="client_statement_pdf"),
]
