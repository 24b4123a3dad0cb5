from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kincare.planning"
    label = "planning"
    verbose_name = "保障规划"
