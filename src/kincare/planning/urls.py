from django.urls import path

from kincare.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("preview/", views.plan_preview, name="preview"),
    path("budget/", views.plan_budget, name="budget"),
    path("refresh/", views.plan_refresh, name="refresh"),
]
