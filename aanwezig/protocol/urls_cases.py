"""URLs: cases (begeleiding) and tasks, under ``/s/<school>/begeleiding/``, and the partner's
read-only case pages under ``/partner/dossiers/``."""

from django.urls import path

from aanwezig.protocol import views_cases as views

CASE = "s/<int:school_id>/begeleiding/"

urlpatterns = [
    path(CASE, views.case_list, name="cases"),
    path(CASE + "leerling/<int:pk>/", views.student_cases, name="student_cases"),
    path(CASE + "<int:pk>/", views.case_detail, name="case"),
    path(CASE + "<int:pk>/gesprek/", views.case_conversation, name="case_conversation"),
    path(CASE + "<int:pk>/afspraak/", views.case_agreement, name="case_agreement"),
    path(CASE + "<int:pk>/afspraak/<int:agreement_pk>/evaluatie/", views.case_review,
         name="case_review"),
    path(CASE + "<int:pk>/partner/", views.case_partner, name="case_partner"),
    path(CASE + "<int:pk>/notitie/", views.case_note, name="case_note"),
    path(CASE + "<int:pk>/afsluiten/", views.case_close, name="case_close"),
    path(CASE + "taken/", views.task_list, name="tasks"),
    path(CASE + "taken/<int:pk>/klaar/", views.task_done, name="task_done"),
    path(CASE + "taken/<int:pk>/annuleren/", views.task_cancel, name="task_cancel"),
    path("partner/dossiers/", views.partner_case_list, name="partner_cases"),
    path("partner/dossiers/<int:pk>/", views.partner_case, name="partner_case"),
]
