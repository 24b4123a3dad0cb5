from django.apps import AppConfig


class UnderwritingConfig(AppConfig):
    name = "kincare.underwriting"
    label = "underwriting"
    verbose_name = "核保"

    def ready(self) -> None:
        # the dashboard's underwriting figure and queue, the demo rule tables (core imports no app)
        from kincare.underwriting import dashboard, demo

        dashboard.register()
        demo.register()
