from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "kincare.claims"
    label = "claims"
    verbose_name = "理赔"

    def ready(self) -> None:
        # the dashboard's claims figure and queue (core imports no app)
        from kincare.claims import dashboard

        dashboard.register()
