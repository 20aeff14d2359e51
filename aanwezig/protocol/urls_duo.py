"""URLs: DUO reports (school-wide roles only)."""

from django.urls import path

from aanwezig.protocol import views_duo

urlpatterns = [
    path("s/<int:school_id>/duo/", views_duo.duo_overview, name="duo_overview"),
    path("s/<int:school_id>/duo/export.csv", views_duo.duo_export, name="duo_export"),
    path("s/<int:school_id>/duo/leerlingen/<int:pk>/voorbereiden/", views_duo.duo_prepare,
         name="duo_prepare"),
    path("s/<int:school_id>/duo/meldingen/<int:pk>/", views_duo.duo_dossier, name="duo_dossier"),
    path("s/<int:school_id>/duo/meldingen/<int:pk>/verzonden/", views_duo.duo_dossier_send,
         name="duo_dossier_send"),
    path("s/<int:school_id>/duo/meldingen/<int:pk>/status/", views_duo.duo_dossier_status,
         name="duo_dossier_status"),
    path("s/<int:school_id>/duo/meldingen/<int:pk>/pdf/", views_duo.duo_dossier_pdf,
         name="duo_dossier_pdf"),
    path("s/<int:school_id>/duo/meldingen/<int:pk>/overnemen/", views_duo.duo_dossier_copy,
         name="duo_dossier_copy"),
]
