from django.urls import path

from kincare.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("methodology", views.methodology, name="methodology"),
    path("compare", views.compare, name="compare"),
    path("p/<str:code>/", views.product_detail, name="product"),
    path("p/<str:code>/quote", views.product_quote, name="quote"),
]
