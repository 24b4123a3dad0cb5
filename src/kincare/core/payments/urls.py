from django.urls import path

from kincare.core.payments.views import sandbox_checkout

app_name = "payments"
urlpatterns = [
    path("sandbox/<str:provider_order_id>/", sandbox_checkout, name="sandbox_checkout"),
]
