from django.apps import AppConfig


class UnderwritingConfig(AppConfig):
    name = "kincare.underwriting"
    label = "underwriting"
    verbose_name = "核保"
