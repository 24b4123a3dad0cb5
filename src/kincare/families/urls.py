from django.urls import path

from kincare.core.views import home

app_name = "families"
urlpatterns = [path("", home, name="home")]
