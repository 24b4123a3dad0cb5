from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kincare.accounts"
    label = "accounts"
    verbose_name = "账户"
