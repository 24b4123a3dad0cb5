from django.urls import path

from kincare.families import views

app_name = "families"
urlpatterns = [
    path("", views.home, name="home"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("members/<int:member_id>/health/", views.health, name="health"),
    path("members/<int:member_id>/consent/", views.consent_give, name="consent_give"),
    path("members/<int:member_id>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("health/fields/", views.condition_fields, name="condition_fields"),
    path(
        "declarations/<int:declaration_id>/remove/",
        views.declaration_remove,
        name="declaration_remove",
    ),
    path("invite/", views.invite, name="invite"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("consents/", views.consents, name="consents"),
    path("grants/", views.grant_give, name="grant_give"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("events/", views.life_events, name="life_events"),
]
