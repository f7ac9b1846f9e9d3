"""URLs of the plugin, mounted under /temis/ by the plugin framework."""
from django.urls import path

from . import views

app_name = "temis"

urlpatterns = [
    path("", views.home, name="home"),
]
