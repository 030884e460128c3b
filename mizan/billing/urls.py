"""Billing web routes (namespace billing), mounted at /billing/: one module per area in urls_parts."""

from mizan.billing.urls_parts import clients, invoices, payments, public, quotes, recurring, taxes, terms

app_name = "billing"

urlpatterns = [
    *taxes.urlpatterns,
    *terms.urlpatterns,
    *quotes.urlpatterns,
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *recurring.urlpatterns,
    *clients.urlpatterns,
    *public.urlpatterns,
]
