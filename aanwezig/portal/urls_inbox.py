"""Portal URLs: the student's own portal, consent (18+) and the inbox for parents and
students (``/portaal/ik/…``, ``/portaal/berichten/…``)."""

from django.urls import URLPattern, path

from aanwezig.portal import views_student

urlpatterns: list[URLPattern] = [
    path("portaal/ik/", views_student.student_home, name="portal_student"),
    path("portaal/ik/toestemming/", views_student.consent_page, name="portal_consent"),
    path("portaal/berichten/", views_student.inbox_list, name="portal_inbox"),
    path("portaal/berichten/<int:pk>/", views_student.inbox_message, name="portal_message"),
]
