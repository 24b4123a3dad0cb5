from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kincare.accounts"
    label = "accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        # the demo staff of ``kincare demo`` (core imports no app)
        from kincare.accounts import demo

        demo.register()
