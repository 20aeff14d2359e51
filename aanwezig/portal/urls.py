"""URLs of the portal for parents and students (``/portaal/``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("aanwezig.portal.urls_signin")),
    path("", include("aanwezig.portal.urls_child")),
    path("", include("aanwezig.portal.urls_report")),
    path("", include("aanwezig.portal.urls_inbox")),
    path("", include("aanwezig.leave.urls")),
]
