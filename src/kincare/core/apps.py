from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kincare.core"
    label = "core"
    verbose_name = "核心"
