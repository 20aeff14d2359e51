"""Portal URLs: reporting sick and back to health, an appointment, a religious holiday."""

from django.urls import URLPattern, path

from aanwezig.portal import views_report

urlpatterns: list[URLPattern] = [
    path("portaal/melden/", views_report.report_start, name="portal_report"),
    path("portaal/melden/<int:pk>/ziek/", views_report.report_sick, name="portal_report_sick"),
    path("portaal/melden/<int:pk>/beter/", views_report.report_better,
         name="portal_report_better"),
    path("portaal/melden/<int:pk>/afspraak/", views_report.report_medical,
         name="portal_report_medical"),
    path("portaal/melden/<int:pk>/feestdag/", views_report.report_religious,
         name="portal_report_religious"),
    path("portaal/melden/<int:pk>/gemeld/<int:report_pk>/", views_report.report_done,
         name="portal_report_done"),
]
