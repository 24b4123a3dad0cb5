from django.apps import AppConfig


class CrowdfundingConfig(AppConfig):
    name = "kincare.crowdfunding"
    label = "crowdfunding"
    verbose_name = "大病筹款"
