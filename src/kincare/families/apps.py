from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "kincare.families"
    label = "families"
    verbose_name = "家庭"

    def ready(self) -> None:
        # the demo families of ``kincare demo`` (core imports no app)
        from kincare.families import demo

        demo.register()
