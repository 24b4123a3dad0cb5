from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "kincare.claims"
    label = "claims"
    verbose_name = "理赔"
