from django.urls import include, path

urlpatterns = [
    path("", include("mizan.core.urls")),
    path("api/", include("mizan.api.urls")),
]

handler403 = "mizan.core.views.errors.permission_denied"
handler404 = "mizan.core.views.errors.page_not_found"
handler500 = "mizan.core.views.errors.server_error"
