from django.urls import path

from aanwezig.exports import views

urlpatterns = [
    path("s/<int:school_id>/export/aanwezigheid/", views.export_school, name="export_school"),
    path("s/<int:school_id>/groepen/<int:pk>/export/", views.export_group, name="export_group"),
    path("s/<int:school_id>/leerlingen/<int:pk>/export/", views.export_student,
         name="export_student"),
]
