from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kincare.core.payments"
    label = "payments"
    verbose_name = "支付"
