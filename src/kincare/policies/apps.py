from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kincare.policies"
    label = "policies"
    verbose_name = "保单"

    def ready(self) -> None:
        # what this app hands to the layers below it (they import no app): the "premium"
        # purpose handler, the move of applications once an underwriter decides, the
        # dashboard's issuance figure and the demo policies
        from kincare.core.payments.handlers import register_purpose
        from kincare.policies import dashboard, demo
        from kincare.policies.services.applications import application_on_decision
        from kincare.policies.services.premiums import premium_on_paid
        from kincare.underwriting.services import register_decision_listener

        register_purpose("premium", premium_on_paid)
        register_decision_listener("policies", application_on_decision)
        dashboard.register()
        demo.register()
