"""URLs of the web pages. Every page with school data carries the school: ``/s/<school_id>/``."""

from django.urls import path

from aanwezig.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("start/", views.start, name="start"),
    path("s/<int:school_id>/", views.school, name="school"),
    path("s/<int:school_id>/groepen/", views.groups, name="groups"),
    path("s/<int:school_id>/groepen/<int:pk>/", views.group, name="group"),
    path("s/<int:school_id>/leerlingen/<int:pk>/", views.student, name="student"),
    path("s/<int:school_id>/lessen/<int:pk>/", views.lesson, name="lesson"),
    path("s/<int:school_id>/leerlingen/<int:pk>/ziekmelding/", views.sick_report,
         name="sick_report"),
    path("s/<int:school_id>/leerlingen/<int:pk>/ziekmelding/<int:report_pk>/beter/",
         views.report_better, name="report_better"),
    path("s/<int:school_id>/registraties/", views.missing_registers, name="missing_registers"),
    path("s/<int:school_id>/verzuimbalie/", views.desk, name="desk"),
    path("s/<int:school_id>/verzuimbalie/bellen/<int:pk>/", views.desk_call, name="desk_call"),
    path("s/<int:school_id>/kalender/", views.calendar, name="calendar"),
    path("kind/<int:pk>/", views.child, name="child"),
]
