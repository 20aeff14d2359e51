from django.urls import path

from aanwezig.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
