from django.apps import AppConfig


class CrowdfundingConfig(AppConfig):
    name = "kincare.crowdfunding"
    label = "crowdfunding"
    verbose_name = "大病筹款"

    def ready(self) -> None:
        # the "donation" purpose handler and the demo campaigns (core imports no app)
        from kincare.core.payments.handlers import register_purpose
        from kincare.crowdfunding import demo
        from kincare.crowdfunding.services.donations import donation_on_paid

        register_purpose("donation", donation_on_paid)
        demo.register()
