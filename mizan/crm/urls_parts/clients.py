"""CRM clients routes (namespace crm): companies, contacts, leads and lead sources."""

from django.urls import path

from mizan.crm.views import clients, leads

urlpatterns = [
    path("companies/", clients.company_list_view, name="company_list"),
    path("companies/new/", clients.company_create_view, name="company_create"),
    path("companies/<int:pk>/", clients.company_detail_view, name="company_detail"),
    path("companies/<int:pk>/edit/", clients.company_update_view, name="company_update"),
    path("companies/<int:pk>/deactivate/", clients.company_deactivate_view, name="company_deactivate"),
    path("companies/<int:pk>/reactivate/", clients.company_reactivate_view, name="company_reactivate"),
    path("contacts/", clients.contact_list_view, name="contact_list"),
    path("contacts/new/", clients.contact_create_view, name="contact_create"),
    path("contacts/<int:pk>/", clients.contact_detail_view, name="contact_detail"),
    path("contacts/<int:pk>/edit/", clients.contact_update_view, name="contact_update"),
    path("contacts/<int:pk>/deactivate/", clients.contact_deactivate_view, name="contact_deactivate"),
    path("contacts/<int:pk>/reactivate/", clients.contact_reactivate_view, name="contact_reactivate"),
    path("leads/", leads.lead_list_view, name="lead_list"),
    path("leads/new/", leads.lead_create_view, name="lead_create"),
    path("leads/<int:pk>/", leads.lead_detail_view, name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.lead_update_view, name="lead_update"),
    path("leads/<int:pk>/disqualify/", leads.lead_disqualify_view, name="lead_disqualify"),
    path("leads/<int:pk>/convert/", leads.lead_convert_view, name="lead_convert"),
    path("settings/lead-sources/", leads.lead_source_list_view, name="lead_source_list"),
    path("settings/lead-sources/new/", leads.lead_source_create_view, name="lead_source_create"),
    path("settings/lead-sources/<int:pk>/edit/", leads.lead_source_update_view, name="lead_source_update"),
    path("settings/lead-sources/<int:pk>/active/", leads.lead_source_deactivate_view, name="lead_source_deactivate"),
]
