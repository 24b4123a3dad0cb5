from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kincare.planning"
    label = "planning"
    verbose_name = "保障规划"

    def ready(self) -> None:
        # the planning steps of ``kincare demo`` (core imports no app)
        from kincare.planning import demo

        demo.register()
