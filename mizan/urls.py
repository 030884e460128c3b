from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns = [
    path("", include("mizan.core.urls")),
    path("crm/", include("mizan.crm.urls")),
    path("ledger/", include("mizan.ledger.urls")),
    path("sales/", include("mizan.sales.urls")),
    path("billing/", include("mizan.billing.urls")),
    path("api/", include("mizan.api.urls")),
]
# Uploaded files (logos) in development; production serves MEDIA_ROOT from the web server.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "mizan.core.views.errors.bad_request"
handler403 = "mizan.core.views.errors.permission_denied"
handler404 = "mizan.core.views.errors.page_not_found"
handler500 = "mizan.core.views.errors.server_error"
