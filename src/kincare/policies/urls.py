from django.urls import path

from kincare.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("apply/<str:product_code>/", views.apply, name="apply"),
    path("apply/<str:product_code>/quote/", views.apply_quote, name="apply_quote"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path(
        "applications/<int:application_id>/beneficiaries/",
        views.application_beneficiaries,
        name="beneficiaries",
    ),
    path("applications/<int:application_id>/pay/", views.application_pay, name="pay"),
    path("applications/<int:application_id>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:application_id>/health/<int:member_id>/", views.health, name="health"),
    path(
        "applications/<int:application_id>/health/<int:member_id>/fields/<str:condition>/",
        views.health_fields,
        name="health_fields",
    ),
    path("<int:policy_id>/", views.policy_detail, name="policy"),
    path("<int:policy_id>/cancel/", views.policy_cancel, name="policy_cancel"),
    path("external/new/", views.external_new, name="external_new"),
    path("external/<int:external_id>/remove/", views.external_remove, name="external_remove"),
]
