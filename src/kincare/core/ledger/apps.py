from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kincare.core.ledger"
    label = "ledger"
    verbose_name = "账本"
