"""URLs of the protocol itself under ``/s/<school>/protocol/`` (the document, editing, the
versions) and where a student stands, ``/s/<school>/leerlingen/<id>/protocol/``."""

from django.urls import path

from aanwezig.protocol import views_pages as views

PROTOCOL = "s/<int:school_id>/protocol/"

urlpatterns = [
    path(PROTOCOL, views.protocol, name="protocol"),
    path(PROTOCOL + "versies/", views.protocol_history, name="protocol_history"),
    path(PROTOCOL + "stappen/", views.protocol_steps, name="protocol_steps"),
    path(PROTOCOL + "stappen/nieuw/", views.protocol_step_new, name="protocol_step_new"),
    path(PROTOCOL + "stappen/<slug:key>/", views.protocol_step, name="protocol_step"),
    path(PROTOCOL + "stappen/<slug:key>/<slug:change>/", views.protocol_step_change,
         name="protocol_step_change"),
    path("s/<int:school_id>/leerlingen/<int:pk>/protocol/", views.student_standing,
         name="student_standing"),
]
