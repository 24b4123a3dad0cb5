from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "kincare.core.payments"
    label = "payments"
    verbose_name = "支付"

    def ready(self) -> None:
        from kincare.core.payments import checks  # noqa: F401  (registers the system checks)
        from kincare.core.payments.handlers import register_purpose, test_on_paid

        register_purpose("test", test_on_paid)
