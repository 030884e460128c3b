"""Sales web routes (namespace sales), mounted at /sales/."""

from django.urls import path

from mizan.sales import views

app_name = "sales"

urlpatterns = [
    path("products/", views.product_list_view, name="product_list"),
    path("products/new/", views.product_create_view, name="product_create"),
    path("products/<int:pk>/edit/", views.product_edit_view, name="product_edit"),
    path("products/<int:pk>/active/", views.product_set_active_view, name="product_set_active"),
    path("price-lists/", views.price_list_list_view, name="price_list_list"),
    path("price-lists/new/", views.price_list_create_view, name="price_list_create"),
    path("price-lists/<int:pk>/edit/", views.price_list_edit_view, name="price_list_edit"),
    path("price-lists/<int:pk>/items/", views.price_list_item_set_view, name="price_list_item_set"),
]
