from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "kincare.families"
    label = "families"
    verbose_name = "家庭"
