"""URLs of leave requests: the parent's side in the portal (``/portaal/``) and the school's
side under the school (``/s/<school>/verlof/``)."""

from django.urls import path

from aanwezig.leave import views

urlpatterns = [
    # The portal: a parent asks for leave for their child and reads the decision.
    path("portaal/verlof/", views.portal_leave_home, name="portal_leave_home"),
    path("portaal/kind/<int:pk>/verlof/", views.portal_leave, name="portal_leave"),
    path("portaal/kind/<int:pk>/verlof/<int:leave_pk>/", views.portal_leave_request,
         name="portal_leave_request"),
    path("portaal/kind/<int:pk>/verlof/<int:leave_pk>/intrekken/", views.portal_leave_withdraw,
         name="portal_leave_withdraw"),
    path("portaal/kind/<int:pk>/verlof/<int:leave_pk>/besluit.pdf", views.portal_leave_letter,
         name="portal_leave_letter"),
    # The school: school-wide roles decide, forward and record.
    path("s/<int:school_id>/verlof/", views.leave_requests, name="leave_requests"),
    path("s/<int:school_id>/verlof/<int:pk>/", views.leave_request, name="leave_request"),
    path("s/<int:school_id>/verlof/<int:pk>/besluit/", views.leave_decide, name="leave_decide"),
    path("s/<int:school_id>/verlof/<int:pk>/doorsturen/", views.leave_forward,
         name="leave_forward"),
    path("s/<int:school_id>/verlof/<int:pk>/verklaring/", views.leave_statement,
         name="leave_statement"),
    path("s/<int:school_id>/verlof/<int:pk>/besluit.pdf", views.leave_letter,
         name="leave_letter"),
]
