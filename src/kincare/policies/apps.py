from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kincare.policies"
    label = "policies"
    verbose_name = "保单"
